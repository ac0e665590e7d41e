// What a process holds and sees, read from /proc: its descendants, its open descriptors, and waiting for a
// child's output with a deadline that ends early when the child does.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import type { ResultPromise } from 'execa';

export interface OpenDescriptor {
  fd: number;
  /** readlink of /proc/<pid>/fd/<fd>: a path as the process sees it, or `pipe:[N]`, `socket:[N]`, ... */
  link: string;
  /** The object's identity (stat through the link), whatever its path in the process's mount namespace. */
  dev: number;
  ino: number;
}

export function openDescriptors(pid: number): OpenDescriptor[] {
  const found: OpenDescriptor[] = [];
  for (const name of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const file = `/proc/${pid}/fd/${name}`;
      const stat = statSync(file);
      found.push({ fd: Number(name), link: readlinkSync(file), dev: stat.dev, ino: stat.ino });
    } catch {
      // closed meanwhile
    }
  }
  return found;
}

export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Every process below `pid` (children, their children, ...). */
export function descendants(pid: number): number[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
  const below = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const candidate of all) {
      const parent = parentOf(candidate);
      if (!below.has(candidate) && parent !== undefined && below.has(parent)) {
        below.add(candidate);
        grew = true;
      }
    }
  }
  below.delete(pid);
  return [...below];
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/** Resolves once the child's stdout has carried `text`; rejects when the child ends first or the deadline passes. */
export function waitForOutput(child: ResultPromise, text: string, deadlineMs = 180_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" within ${deadlineMs / 1000} s; output so far: ${seen.slice(-300)}`)), deadlineMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void child.then((result) => {
      clearTimeout(timer);
      reject(new Error(`ended (exit ${String(result.exitCode)}) before printing "${text}": ${String(result.stderr).slice(-500)}`));
    });
  });
}
