// Thumbnails of a folder of 20 PDFs: marked ones rendered in one VM by the service's thumbnail batch
// (src/convert/thumb-batch.ts, into a private thumbnail cache), against 20 unmarked ones thumbnailed on the
// host by evince-thumbnailer one after another (what the guard hands an unmarked PDF to; the factory's own
// bwrap around each call is left out of the baseline, so the ratio is, if anything, too kind to the host).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { loadConfig } from '../src/config/index.js';
import { samplePdf } from '../src/demo/sample-pdf.js';
import { thumbnailBatch } from '../src/convert/thumb-batch.js';
import { MAX_BATCH } from '../src/convert/thumb-queue.js';
import { printFigures, recordFigures, summarise, timed, withRatio } from './lib.js';

/** A VM batch takes about 35 s under TCG: three runs unless NOFEAR_BENCH_RUNS says fewer. */
const RUNS = Math.min(3, Number(process.env.NOFEAR_BENCH_RUNS ?? 3));

function folderOf(dir: string): string[] {
  mkdirSync(dir);
  return Array.from({ length: MAX_BATCH }, (_, i) => {
    const file = path.join(dir, `paper-${i + 1}.pdf`);
    writeFileSync(file, samplePdf(`Paper ${i + 1}`));
    return file;
  });
}

export async function benchThumbnails(): Promise<void> {
  const top = mkdtempSync(path.join(tmpdir(), 'nofear-bench-thumbs-'));
  try {
    const files = folderOf(path.join(top, 'papers'));
    const host: number[] = [];
    const vm: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      host.push(
        await timed(async () => {
          for (const [i, file] of files.entries()) await execa('evince-thumbnailer', ['-s', '256', `file://${file}`, path.join(top, `host-${run}-${i}.png`)], { timeout: 60_000 });
        }),
      );
      const env = { ...process.env, XDG_CACHE_HOME: path.join(top, `cache-${run}`) };
      vm.push(
        await timed(async () => {
          const outcomes = await thumbnailBatch(
            files.map((file) => ({ file, kind: 'pdf' as const })),
            { config: loadConfig(env).config, env, ownerKind: 'cli' },
          );
          const refused = outcomes.filter((one) => 'refused' in one);
          if (refused.length > 0) throw new Error(`${refused.length} of ${files.length} got no thumbnail: ${JSON.stringify(refused[0])}`);
        }),
      );
    }
    const baseline = summarise(`thumbnail a folder of ${MAX_BATCH} unmarked PDFs on the host`, 's', host, 'evince-thumbnailer, one after another');
    const marked = withRatio(summarise(`thumbnail a folder of ${MAX_BATCH} marked PDFs in a VM`, 's', vm, 'one thumbnail VM for the folder, boot included, into the thumbnail cache'), baseline);
    printFigures('thumbnails', [baseline, marked]);
    recordFigures('thumbnails', [baseline, marked]);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}
