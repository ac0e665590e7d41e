// The conversion rows of bench/targets.ts, from bench/warm-convert.ts's figures (cold against warm, a
// ready conversion VM's QEMU): a warm convert faster than a cold one, a ready conversion VM lighter than
// a ready GUI VM. The 10-page PDF has no benchmark yet: its row says so instead of passing.
import type { Figure } from './lib.js';
import { notMeasured, targetFigure, type Target } from './target-table.js';
import { measureWarmConvert } from './warm-convert.js';

export async function warmConvertTargets(guiMemory: Figure): Promise<{ figures: Figure[]; targets: Target[] }> {
  const figures = await measureWarmConvert();
  const [cold, warm, rss] = figures as [Figure, Figure, Figure];
  return {
    figures,
    targets: [
      targetFigure(warm, 'faster than cold', warm.median < cold.median),
      notMeasured('warm convert, 10-page PDF, against cold', 'faster than cold', 'no benchmark yet'),
      targetFigure(rss, `under a ready GUI VM (${guiMemory.median.toFixed(0)} MiB)`, rss.median < guiMemory.median),
    ],
  };
}
