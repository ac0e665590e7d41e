// JPEG for photo pages, encoded on the host by libjpeg-turbo's cjpeg from a PPM the host wrote of the
// pixels it has checked: the guest never chooses a byte of the output. cjpeg runs as a supervised child
// (a deadline, its group killed) on files in the conversion's private directory; no pixel goes on an argv.
import { unavailable } from '../errors.js';
import { runTool } from '../util/run.js';
import { findExecutable } from '../util/which.js';

/** Quality 85: photo pages look as rendered (the test's RMSE bound holds) at a fraction of Flate's size. */
export const JPEG_QUALITY = 85;
/** A 10000 x 10000 page takes cjpeg about 2 s; a stuck one is stopped. */
const CJPEG_DEADLINE_MS = 120_000;

export function cjpegPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findExecutable('cjpeg', { PATH: env.PATH ?? '/usr/bin:/bin' });
}

export function needCjpeg(env: NodeJS.ProcessEnv = process.env): string {
  const found = cjpegPath(env);
  if (found === undefined) throw unavailable('--jpeg encodes photo pages with cjpeg (libjpeg-turbo), which is not installed.', 'sudo apt-get install libjpeg-turbo-progs (or leave out --jpeg)');
  return found;
}

/** Encodes a binary PPM (or PGM) file to a baseline JPEG file; grey keeps one channel. */
export async function encodeJpeg(cjpeg: string, ppm: string, jpeg: string, grey: boolean): Promise<void> {
  const args = ['-quality', String(JPEG_QUALITY), '-optimize', ...(grey ? ['-grayscale'] : []), '-outfile', jpeg, ppm];
  const result = await runTool(cjpeg, args, { timeoutMs: CJPEG_DEADLINE_MS, env: { PATH: '/usr/bin:/bin' } });
  if (result.exitCode !== 0) {
    throw new Error(`cjpeg could not encode a page${result.timedOut ? ` within ${CJPEG_DEADLINE_MS / 1000} s` : ` (status ${result.exitCode}): ${result.stderr.trim().slice(0, 200)}`}`);
  }
}
