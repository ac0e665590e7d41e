// NoFear's service under test: a foreground `nofearctl service` whose log lines can be awaited, the
// service's QEMU processes read from /proc, and a recorder for the Manager's signals.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { bin } from './cli.js';

export interface ForegroundService {
  pid: number;
  lines: string[];
  /** Resolves with the first log line matching (from line `after` on), or rejects after the deadline or the service's end. */
  waitForLine(pattern: RegExp, timeoutMs: number, after?: number): Promise<string>;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function startForegroundService(env: Record<string, string>, args: string[] = []): ForegroundService {
  const child: ResultPromise = execa(process.execPath, [bin('nofearctl'), 'service', ...args], { env, extendEnv: true, reject: false, stdin: 'ignore' });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stderr! }).on('line', (line) => {
    lines.push(line);
    for (const wake of [...waiters]) wake();
  });
  const exited = child.then((result) => (typeof result.exitCode === 'number' ? result.exitCode : null));
  const waitForLine = (pattern: RegExp, timeoutMs: number, after = 0) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const hit = lines.slice(after).find((line) => pattern.test(line));
        if (hit === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms; got:\n${lines.join('\n')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
      // The service ended: nothing more will come.
      void exited.then(() => {
        if (!waiters.has(check)) return;
        waiters.delete(check);
        clearTimeout(timer);
        reject(new Error(`the service ended before a log line matching ${pattern}; got:\n${lines.join('\n')}`));
      });
    });
  return {
    pid: child.pid ?? 0,
    lines,
    waitForLine,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Parent pid of every process, from /proc. */
function processTable(): Map<number, { ppid: number }> {
  const table = new Map<number, { ppid: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      table.set(Number(name), { ppid: Number(stat.slice(close + 2).split(' ')[1]) });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/** The QEMU processes descending from `root` (through bwrap or setpriv): other users' VMs are not counted. */
export function qemuDescendants(root: number): number[] {
  const table = processTable();
  const descends = (pid: number): boolean => {
    for (let hop = 0, at = pid; hop < 64 && at > 1; hop++) {
      at = table.get(at)?.ppid ?? 0;
      if (at === root) return true;
    }
    return false;
  };
  // By argv[0]: QEMU renames its comm (-name ...,process=nofear-<id>) once it runs.
  const isQemu = (pid: number) => {
    try {
      return path.basename(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '').startsWith('qemu-system');
    } catch {
      return false;
    }
  };
  return [...table.keys()].filter((pid) => descends(pid) && isQemu(pid));
}

/** Runs `fn` every `everyMs` until the returned stop(); stop() answers the largest value seen. */
export function sampleMax(fn: () => number, everyMs = 25): { stop(): number } {
  let most = fn();
  const timer = setInterval(() => {
    most = Math.max(most, fn());
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(most, fn());
    },
  };
}
