// Every process a command starts on the host, recorded by polling /proc (no root, no BPF, no ptrace: strace
// -f stops QEMU at each of its thread creations and made TCG boots miss their first deadline). A process
// counts once its parent is the command or one of its recorded descendants. What it cannot see: a process
// that starts and ends between two polls (every 5 ms), or whose parent ended first; long-lived ones (QEMU,
// the Xpra clients, a viewer, a parser working on a message) it sees.
import { readdirSync, readFileSync } from 'node:fs';
import { parentOf } from './proc-view.js';

export interface Recorded {
  pid: number;
  argv: string[];
}

function argvOf(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    return raw === '' ? undefined : Buffer.from(raw, 'latin1').toString('utf8').replace(/\0$/, '').split('\0');
  } catch {
    return undefined;
  }
}

export class ProcessRecorder {
  private readonly ours = new Set<number>();
  private readonly known = new Set<number>();
  /** Every command line each of our processes has had (a fork's, then its exec's). */
  readonly recorded: Recorded[] = [];
  private readonly last = new Map<number, string>();
  private readonly timer: NodeJS.Timeout;

  constructor(root: number) {
    this.ours.add(root);
    this.timer = setInterval(() => this.poll(), 5);
    this.poll();
  }

  private poll(): void {
    const fresh = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => !this.known.has(pid));
    for (let grew = true; grew;) {
      grew = false;
      for (const pid of fresh) {
        const parent = this.ours.has(pid) ? undefined : parentOf(pid);
        if (parent === undefined || !this.ours.has(parent)) continue;
        this.ours.add(pid);
        grew = true;
      }
    }
    for (const pid of fresh) if (!this.ours.has(pid)) this.known.add(pid); // never ours: not looked at again
    for (const pid of this.ours) {
      const argv = argvOf(pid);
      if (argv === undefined || this.last.get(pid) === argv.join('\0')) continue;
      this.last.set(pid, argv.join('\0'));
      this.recorded.push({ pid, argv });
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
