// Opening a PDF: from `nofear-open` to the viewer's window on the display, against the same viewer
// started natively on the same display, in the same run.
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { samplePdf } from '../src/demo/sample-pdf.js';
import { startXvfb } from '../test/helpers/xvfb.js';
import { printFigures, recordFigures, summarise, timed, withRatio } from './lib.js';

const RUNS = Number(process.env.NOFEAR_BENCH_RUNS ?? 3);
const OPEN = fileURLToPath(new URL('../dist/cli/nofear-open.js', import.meta.url));

async function windowAfter(display: string, start: () => ReturnType<typeof execa>, title: string): Promise<number> {
  let child: ReturnType<typeof execa> | undefined;
  const seconds = await timed(async () => {
    child = start();
    await execa('xdotool', ['search', '--sync', '--onlyvisible', '--name', title], { env: { DISPLAY: display }, timeout: 180_000 });
  });
  child?.kill('SIGTERM');
  await child?.catch(() => undefined);
  return seconds;
}

export async function benchOpen(): Promise<void> {
  const x = await startXvfb();
  const dir = mkdtempSync(path.join(tmpdir(), 'nofear-bench-open-'));
  const runtime = path.join(dir, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  const file = path.join(dir, 'report.pdf');
  writeFileSync(file, samplePdf());
  const env = { ...process.env, DISPLAY: x.display, XDG_RUNTIME_DIR: runtime };
  try {
    const native: number[] = [];
    const sandboxed: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      native.push(await windowAfter(x.display, () => execa('mupdf', [file], { env, reject: false }), '^report.pdf'));
      sandboxed.push(await windowAfter(x.display, () => execa(process.execPath, [OPEN, '--no-service', file], { env, reject: false }), '^\\[NoFear:temporary\\] report.pdf'));
    }
    const nativeFig = summarise('mupdf started natively, to its window', 's', native);
    const openFig = withRatio(summarise('nofear-open (cold, TCG), to the window', 's', sandboxed), nativeFig);
    printFigures('open', [nativeFig, openFig]);
    recordFigures('open', [nativeFig, openFig]);
  } finally {
    await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
