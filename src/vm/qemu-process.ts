// The only place QEMU is spawned: its own process group, its console kept as a bounded tail, and a
// stop ladder (SIGTERM to the group, a bounded wait, SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { stopGroup } from '../util/child.js';

const TAIL_BYTES = 64 * 1024;

/** Keeps the last TAIL_BYTES of a stream: the guest may write without end. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    // Drop a chunk only when the rest still holds TAIL_BYTES: dropping a large one whole could keep a few bytes.
    while (this.chunks.length > 1 && this.size - (this.chunks[0]?.length ?? 0) >= TAIL_BYTES) this.size -= this.chunks.shift()?.length ?? 0;
  }

  text(): string {
    return Buffer.concat(this.chunks).subarray(-TAIL_BYTES).toString('utf8');
  }
}

export interface QemuExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class QemuProcess {
  readonly pid: number;
  readonly exited: Promise<QemuExit>;
  private readonly child: ChildProcess;
  private readonly console = new Tail();
  private readonly stderr = new Tail();
  private exitInfo: QemuExit | undefined;

  private constructor(child: ChildProcess, onConsole?: (chunk: Buffer) => void) {
    this.child = child;
    if (child.pid === undefined) throw new Error('QEMU did not start');
    this.pid = child.pid;
    child.stdout?.on('data', (chunk: Buffer) => {
      this.console.push(chunk);
      onConsole?.(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  static start(argv: readonly string[], options: { onConsole?: (chunk: Buffer) => void } = {}): Promise<QemuProcess> {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('empty QEMU argv');
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
      });
      child.once('error', reject);
      child.once('spawn', () => resolve(new QemuProcess(child, options.onConsole)));
    });
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  consoleTail(): string {
    return this.console.text();
  }

  stderrTail(): string {
    return this.stderr.text();
  }

  /** SIGTERM to the whole group, then SIGKILL if it has not gone within graceMs. */
  async kill(graceMs = 2000): Promise<QemuExit> {
    if (this.exitInfo !== undefined) return this.exitInfo;
    return stopGroup(this.pid, this.exited, graceMs);
  }
}
