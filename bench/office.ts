// Office documents: a .docx from the call to LibreOffice's window (NoFear's own window report), cold
// (nofear-open, a fresh VM; the guest's LibreOffice starts in a fresh home with NoFear's prepared profile)
// and warm (OpenFiles through the service with a ready VM), against LibreOffice started natively on the host
// in the same run; and the conversion of an office document to a safe PDF, per page, against LibreOffice's
// own native PDF export.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startXvfb } from '../test/helpers/xvfb.js';
import { makeOfficeDocument } from '../test/helpers/office-docs.js';
import { coldOnce, warm } from './open.js';
import { printFigures, recordFigures, summarise, timed, withRatio, type Figure } from './lib.js';

const RUNS = Number(process.env.NOFEAR_BENCH_OFFICE_RUNS ?? 3);
const OPEN = fileURLToPath(new URL('../dist/cli/nofear-open.js', import.meta.url));

/**
 * LibreOffice on the host, a fresh profile each run (as the guest has), to its window. Each run opens its own
 * copy: a run's lock file (.~lock.NAME#, left by the SIGTERM) would otherwise stop the next at "Document in Use".
 */
async function nativeOnce(display: string, dir: string, original: string, run: number): Promise<number> {
  const profile = `file://${path.join(dir, `native-profile-${run}`)}`;
  const file = path.join(dir, `native-${run}`, path.basename(original));
  mkdirSync(path.dirname(file));
  copyFileSync(original, file);
  const child = execa('soffice', [`-env:UserInstallation=${profile}`, '--norestore', file], { env: { DISPLAY: display }, reject: false, detached: true });
  try {
    return await timed(() => execa('xdotool', ['search', '--sync', '--onlyvisible', '--name', path.basename(file)], { env: { DISPLAY: display }, timeout: 300_000 }));
  } finally {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await child;
  }
}

/** Seconds of a cold open to its window; NaN when it showed none (a deadline missed on a loaded machine): counted, not fatal. */
async function coldWindow(env: NodeJS.ProcessEnv, file: string, run: number): Promise<number> {
  try {
    return (await coldOnce(env, file)).window ?? Number.NaN;
  } catch (error) {
    process.stderr.write(`office run ${run + 1}: the cold open showed no window: ${(error as Error).message}\n`);
    return Number.NaN;
  }
}

/** Seconds per page of nofear-open --convert, and of LibreOffice's native PDF export. */
async function conversionPerPage(dir: string, file: string, pages: number, env: NodeJS.ProcessEnv): Promise<{ safe: number; native: number }> {
  const out = path.join(dir, `out-${Date.now()}`);
  mkdirSync(out);
  const safe = await timed(async () => {
    const result = await execa(process.execPath, [OPEN, '--convert', '--output', out, file], { env, reject: false });
    if (result.exitCode !== 0) throw new Error(`conversion failed: ${result.stderr}`);
  });
  const profile = `file://${path.join(dir, `convert-profile-${Date.now()}`)}`;
  const native = await timed(() => execa('soffice', [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', out, file], { timeout: 300_000 }));
  return { safe: safe / pages, native: native / pages };
}

export async function benchOffice(): Promise<void> {
  const x = await startXvfb();
  const dir = mkdtempSync(path.join(tmpdir(), 'nofear-bench-office-'));
  const runtime = path.join(dir, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  const env = { ...process.env, DISPLAY: x.display, XDG_RUNTIME_DIR: runtime };
  try {
    const { file, pages } = await makeOfficeDocument(dir, 'docx');
    const native: number[] = [];
    const cold: number[] = [];
    const safe: number[] = [];
    const nativeConvert: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      native.push(await nativeOnce(x.display, dir, file, run));
      cold.push(await coldWindow(env, file, run));
      const perPage = await conversionPerPage(dir, file, pages, env);
      safe.push(perPage.safe);
      nativeConvert.push(perPage.native);
      // Progress on stderr: a run takes minutes under TCG.
      process.stderr.write(`office run ${run + 1}/${RUNS}: native ${native.at(-1)?.toFixed(1)} s, cold ${cold.at(-1)?.toFixed(1)} s, conversion ${perPage.safe.toFixed(1)} s/page\n`);
    }
    const warmRuns = await warm(x.display, dir, file, 0, RUNS);
    const nativeFig = summarise('LibreOffice started natively (fresh profile), to its window', 's', native);
    const nativeConvertFig = summarise('LibreOffice native PDF export, per page', 's', nativeConvert, `${pages}-page .docx, fresh profile`);
    const figures: Figure[] = [
      nativeFig,
      withRatio(
        summarise(
          'cold open of a .docx (nofear-open), to the window',
          's',
          cold.filter((n) => !Number.isNaN(n)),
          cold.some((n) => Number.isNaN(n)) ? `${cold.filter((n) => Number.isNaN(n)).length} of ${cold.length} runs showed no window` : undefined,
        ),
        nativeFig,
      ),
      withRatio(summarise('warm open of a .docx (OpenFiles, a ready VM), to the window', 's', warmRuns.windows), nativeFig),
      nativeConvertFig,
      withRatio(summarise('conversion of a .docx to a safe PDF, per page', 's', safe, `${pages} pages, LibreOffice then pdftoppm in the VM`), nativeConvertFig),
    ];
    printFigures('office', figures);
    recordFigures('office', figures);
  } finally {
    await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
