// Relays the host's stdio to the guest's ports: byte-exact pipes (control characters escaped where they
// reach a terminal), or a raw terminal.
import type net from 'node:net';
import type { Readable, Writable } from 'node:stream';

/** Rewrites a stream on its way to the host (ControlEscaper for a terminal); stateful across chunks. */
export interface OutputFilter {
  push(chunk: Buffer): Buffer;
  end(): Buffer;
}

/**
 * Copies a guest stream to a host stream, counting the guest's bytes, never letting a broken host pipe stop
 * the drain; `filter` rewrites what reaches the host (pipes and files get none: byte-exact).
 */
export class CountingSink {
  received = 0;
  private waiters: (() => void)[] = [];
  private broken = false;

  constructor(
    source: net.Socket,
    private readonly target: Writable,
    private readonly filter?: OutputFilter,
  ) {
    target.on('error', () => {
      this.broken = true; // e.g. `nofear cat | head -1`: keep draining so the guest never blocks
    });
    source.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      if (!this.broken && !this.target.write(filter === undefined ? chunk : filter.push(chunk))) {
        source.pause();
        this.target.once('drain', () => source.resume());
      }
      this.notify();
    });
    source.on('close', () => this.notify(true));
    source.on('error', () => {});
  }

  private closed = false;

  private notify(closed = false): void {
    if (closed) this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /**
   * Resolves once `count` bytes have arrived (or the port closed); else once no byte has come for
   * `silenceMs`, or after `capMs` in all. The count is the guest's claim: a guest that claims more than it
   * sends is waited for only while it keeps sending, and never past the cap. A fixed deadline instead cut
   * a slow, busy machine's last bytes off while they were still arriving.
   */
  waitFor(count: number, silenceMs: number, capMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let silence: NodeJS.Timeout;
      const finish = (done: boolean) => {
        clearTimeout(silence);
        clearTimeout(cap);
        resolve(done);
      };
      const cap = setTimeout(() => finish(false), capMs);
      const check = () => {
        if (this.received >= count || this.closed) return finish(this.received >= count);
        clearTimeout(silence);
        silence = setTimeout(() => finish(false), silenceMs);
        this.waiters.push(check);
      };
      check();
    });
  }

  /** Once the guest's output is all here: writes what the filter held back, and waits until it is written. */
  flushed(): Promise<void> {
    const tail = this.filter?.end();
    if (tail !== undefined && tail.length > 0 && !this.broken) this.target.write(tail);
    return new Promise((resolve) => {
      if (this.broken || this.target.writableLength === 0) resolve();
      else this.target.once('drain', () => resolve());
    });
  }
}

export function relayStdin(source: Readable, port: net.Socket): () => void {
  port.on('error', () => {});
  // end() half-closes: QEMU reads the rest, then tells the guest's reader it reached the end.
  source.pipe(port, { end: true });
  source.on('error', () => port.end());
  return () => {
    source.unpipe(port);
    source.pause();
  };
}

/** The longest suffix of `data` that is a prefix of `marker`: bytes held back in case the marker is split. */
export function partialMarkerLength(data: Buffer, marker: Buffer): number {
  const max = Math.min(data.length, marker.length - 1);
  for (let length = max; length > 0; length--) {
    if (data.subarray(data.length - length).equals(marker.subarray(0, length))) return length;
  }
  return 0;
}

/** tty mode: guest terminal output to the host, up to the end marker the agent writes after the command. */
export class TerminalSink {
  private pending = Buffer.alloc(0);
  private ended = false;
  private waiters: (() => void)[] = [];

  constructor(
    source: net.Socket,
    private readonly target: Writable,
    private readonly marker: Buffer,
  ) {
    source.on('data', (chunk: Buffer) => this.push(chunk));
    source.on('close', () => this.finish());
    source.on('error', () => {});
    target.on('error', () => {});
  }

  private push(chunk: Buffer): void {
    if (this.ended) return;
    const data = Buffer.concat([this.pending, chunk]);
    const at = data.indexOf(this.marker);
    if (at >= 0) {
      this.target.write(data.subarray(0, at));
      this.finish();
      return;
    }
    const hold = partialMarkerLength(data, this.marker);
    this.target.write(data.subarray(0, data.length - hold));
    this.pending = Buffer.from(data.subarray(data.length - hold));
  }

  private finish(): void {
    this.ended = true;
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  waitForEnd(deadlineMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.ended) return resolve(true);
      const timer = setTimeout(() => resolve(false), deadlineMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
