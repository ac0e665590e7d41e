// Private directories a NoFear process makes for as long as it runs (held copies, exported attachments):
// named TAG-<pid>-XXXXXX, so that when the process was killed outright (no release ran) the next one can
// tell they are abandoned and remove them. A pid reused by another process only keeps a leftover longer.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { removeTree } from './remove-tree.js';

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
export function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid an owned directory's name gives, or undefined when the name is not TAG-<pid>-XXXXXX (pure). */
export function ownerOf(name: string, tag: string): number | undefined {
  const match = /^([a-z]+)-([1-9][0-9]{0,9})-[A-Za-z0-9]{6}$/.exec(name);
  return match?.[1] === tag ? Number(match[2]) : undefined;
}

/** A new private (0700) directory below root, owned by this process; root is made if missing (it may vanish between the two: a release removes it empty). */
export async function makeOwnedDir(root: string, tag: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    await fsp.mkdir(root, { recursive: true, mode: 0o700 });
    try {
      return await fsp.mkdtemp(path.join(root, `${tag}-${process.pid}-`));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw error;
    }
  }
}

/** Removes root's TAG directories whose process is gone; never another name, never a link, and never fails its caller. */
export async function sweepAbandoned(root: string, tag: string, log?: (line: string) => void, runs: (pid: number) => boolean = pidRuns): Promise<number> {
  let removed = 0;
  for (const name of await fsp.readdir(root).catch(() => [] as string[])) {
    const owner = ownerOf(name, tag);
    if (owner === undefined || runs(owner)) continue;
    const dir = path.join(root, name);
    const stat = await fsp.lstat(dir).catch(() => undefined);
    if (stat?.isDirectory() !== true) continue;
    if (await removeTree(dir, log)) {
      removed += 1;
      log?.(`removed ${dir}, left by NoFear process ${owner}, which is gone`);
    }
  }
  return removed;
}
