// The conversion rows of bench/targets.ts, from bench/warm-convert.ts's figures (cold against warm, a
// ready conversion VM's QEMU): a warm convert faster than a cold one, a ready conversion VM lighter than
// a ready GUI VM; the same for a 10-page PDF.
import type { Figure } from './lib.js';
import { notMeasured, targetFigure, type Target } from './target-table.js';
import { measureWarmConvert } from './warm-convert.js';

export async function warmConvertTargets(guiMemory: Figure, runs: number): Promise<{ figures: Figure[]; targets: Target[] }> {
  let figures: Figure[];
  try {
    figures = await measureWarmConvert(runs);
  } catch (error) {
    // A failed conversion bench must not lose the rest of the table: its rows say why instead.
    const why = `failed: ${((error as Error).message.split('\n')[0] ?? '').slice(0, 120)}`;
    return {
      figures: [],
      targets: [
        notMeasured('warm convert, 1-page PDF, against cold', 'faster than cold', why),
        notMeasured('warm convert, 10-page PDF, against cold', 'faster than cold', why),
        notMeasured('ready conversion VM memory in all', 'under a ready GUI VM', why),
      ],
    };
  }
  const [cold, warm, rss, coldTen, warmTen] = figures as [Figure, Figure, Figure, Figure, Figure];
  return {
    figures,
    targets: [
      targetFigure(warm, 'faster than cold', warm.median < cold.median),
      targetFigure(warmTen, 'faster than cold', warmTen.median < coldTen.median),
      targetFigure(rss, `under a ready GUI VM (${guiMemory.median.toFixed(0)} MiB)`, rss.median < guiMemory.median),
    ],
  };
}
