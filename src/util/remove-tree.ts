// Removing a tree a guest may have built. Node's recursive rm walks by full path, so a directory chain
// deeper than PATH_MAX (17 levels of 255-byte names, which 9p lets a guest make one component at a time)
// fails it with ENAMETOOLONG. GNU rm walks with openat/unlinkat and has no such limit: it runs as a
// supervised child (a deadline, its group killed) when Node's rm fails. Removal never throws: what stays
// is logged entry by entry, so a guest's tree can never stop a boot, a service start or another sandbox.
import { promises as fsp } from 'node:fs';
import { runTool } from './run.js';
import { oneLine } from './text.js';

/** How long rm may take on one tree (a million entries on a slow disk). */
const RM_DEADLINE_MS = 120_000;
/** Lines of rm's complaints logged per tree: one per entry it could not remove, up to this many. */
const MAX_LOGGED = 10;

export type RemoveLog = (line: string) => void;

async function exists(target: string): Promise<boolean> {
  return fsp.lstat(target).then(
    () => true,
    () => false,
  );
}

/** Removes `target` and everything under it, on its own filesystem only; true when nothing of it is left. */
export async function removeTree(target: string, log: RemoveLog = () => {}): Promise<boolean> {
  try {
    await fsp.rm(target, { recursive: true, force: true });
    return true;
  } catch {
    // ENAMETOOLONG, ELOOP or the like below a guest's tree: GNU rm takes it from here.
  }
  const result = await runTool('rm', ['-rf', '--one-file-system', '--', target], { timeoutMs: RM_DEADLINE_MS });
  if (!(await exists(target))) return true;
  const complaints = result.stderr.split('\n').filter((line) => line.trim() !== '');
  for (const line of complaints.slice(0, MAX_LOGGED)) log(`could not remove: ${oneLine(line)}`);
  if (complaints.length > MAX_LOGGED) log(`could not remove ${complaints.length - MAX_LOGGED} more entries under ${oneLine(target)}`);
  if (result.timedOut) log(`removing ${oneLine(target)} took over ${RM_DEADLINE_MS / 1000} s and was stopped`);
  if (complaints.length === 0 && !result.timedOut) log(`could not remove ${oneLine(target)} (rm exited with status ${String(result.exitCode)})`);
  return false;
}
