// The disk a writable export (--edit's copy) may take: a cap the host enforces two ways. QEMU runs with
// RLIMIT_FSIZE at the cap (prlimit in its jail): no single file it writes grows past it. And a watcher
// samples the export's disk with statfs every 200 ms; once free space has fallen by half the cap, `du`
// says how much the export itself holds, and at half the cap or more the VM is stopped at once. Half:
// the other half is the margin for what a guest writes between two looks. A drop that is not the
// export's (the user saving something else) only moves the baseline. Measured against a per-sandbox
// filesystem of fixed size (a loop or FUSE mount): that needs root or /dev/fuse, which a user session
// cannot count on; this needs neither.
import { statfsSync } from 'node:fs';
import { runTool } from '../util/run.js';

const MiB = 1024 ** 2;
/** How often free space is looked at. */
export const WATCH_EVERY_MS = 200;

/** The cap for a writable copy of `fileBytes`: room for the edit to triple, at least 1 GiB. NOFEAR_TEST_EXPORT_CAP_BYTES lowers it for the tests. */
export function exportCapBytes(fileBytes: number, env: NodeJS.ProcessEnv): number {
  const override = Number(env.NOFEAR_TEST_EXPORT_CAP_BYTES);
  if (Number.isInteger(override) && override > 0) return override;
  return Math.max(1024 * MiB, 3 * fileBytes);
}

/** What the guest may hold before it is stopped (and the largest file QEMU may write): half the cap. */
export const exportAllowance = (capBytes: number) => Math.floor(capBytes / 2);

function freeBytes(dir: string): number | undefined {
  try {
    const stat = statfsSync(dir);
    return stat.bavail * stat.bsize;
  } catch {
    return undefined; // removed with the sandbox
  }
}

/** Bytes the export holds on disk (du never fails on a deep tree); undefined when du cannot tell. */
async function usedBytes(dir: string): Promise<number | undefined> {
  const result = await runTool('du', ['-s', '-x', '-B1', '--', dir], { timeoutMs: 10_000 });
  const used = Number(/^(\d+)\s/.exec(result.stdout)?.[1]);
  return Number.isFinite(used) ? used : undefined;
}

/** Watches `dir` until the returned function is called; `onOver` hears once, with the bytes it found. */
export function watchExport(dir: string, capBytes: number, onOver: (usedBytes: number) => void): () => void {
  const allowance = exportAllowance(capBytes);
  let baseline = freeBytes(dir) ?? 0;
  let looking = false;
  let done = false;
  const finish = () => {
    done = true;
    clearInterval(timer);
  };
  const look = async () => {
    const free = freeBytes(dir);
    if (done || looking || free === undefined || baseline - free < allowance) return;
    looking = true;
    const used = await usedBytes(dir);
    looking = false;
    if (done) return;
    if (used === undefined || used >= allowance) {
      finish();
      onOver(used ?? baseline - free);
      return;
    }
    baseline = (freeBytes(dir) ?? free) + used; // someone else used the disk: count only the export's own
  };
  const timer = setInterval(() => void look(), WATCH_EVERY_MS);
  timer.unref();
  return finish;
}
