// Finds the QEMU process under its jail (bwrap forks twice before QEMU runs).
import { readdirSync, readFileSync } from 'node:fs';

function parentAndName(pid: number): { ppid: number; comm: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return { ppid, comm };
  } catch {
    return undefined;
  }
}

/** The pid of the QEMU process at or below `root`, or undefined while it has not exec'd yet. */
export function findQemuBelow(root: number): number | undefined {
  const parents = new Map<number, number[]>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const info = parentAndName(Number(entry));
    if (info === undefined) continue;
    names.set(Number(entry), info.comm);
    parents.set(info.ppid, [...(parents.get(info.ppid) ?? []), Number(entry)]);
  }
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    const comm = names.get(pid) ?? '';
    // QEMU names itself after -name's process= (nofear-<id>) or keeps its binary name.
    if (comm.startsWith('qemu-system') || comm.startsWith('nofear-')) return pid;
    queue.push(...(parents.get(pid) ?? []));
  }
  return undefined;
}
