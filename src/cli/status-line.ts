// One line on the terminal that says where an open has got to, rewritten in place (booting, starting
// the viewer, the window), with the time so far and, once this machine has been measured, the usual time.
// The terminal belongs to it: NoFear's notices (TCG, a boot tried again, the kernel download) are printed
// above it, never glued to it. Only on a terminal, and never with --quiet or --verbose (whose lines it
// would tear); a pipe or a log file never sees it.
import type { LaunchStep } from '../sandbox/launch.js';
import { BOOT_AGAIN } from '../sandbox/sandbox.js';
import { withoutControls } from '../util/text.js';

const STEP_TEXT: Record<LaunchStep, string> = {
  booting: 'booting a throwaway VM…',
  booted: 'starting the viewer…',
  server: 'starting the viewer…',
  attached: 'starting the viewer…',
  window: 'window shown',
};

/** What the line says after the state. */
export interface Timing {
  elapsedMs: number;
  /** This machine's usual time to the window (the cache's median), when measured. */
  usualMs: number | undefined;
  /** A silent boot was booted again. */
  retried: boolean;
}

const secs = (ms: number) => `${Math.round(ms / 1000)} s`;

/** "report.pdf: booting a throwaway VM… 8 s, usually 10 s here", shortening the name (never the state) to fit. */
export function statusText(name: string, state: string, timing: Timing, width: number): string {
  const times = `${secs(timing.elapsedMs)}${timing.usualMs === undefined ? '' : `, usually ${secs(timing.usualMs)} here`}`;
  const tail = `: ${state}${timing.retried ? ' (again, after a silent boot)' : ''} ${times}`;
  const clean = withoutControls(name);
  const room = width - tail.length;
  if (clean.length <= room) return `${clean}${tail}`;
  if (room >= 8) {
    const keep = room - 1;
    const front = Math.ceil(keep / 2);
    return `${clean.slice(0, front)}…${clean.slice(clean.length - (keep - front))}${tail}`;
  }
  return `${clean.slice(0, 7)}…${tail}`.slice(0, width);
}

export class StatusLine {
  private shown = false;
  private current: { name: string; state: string } | undefined;
  private startedAt = Date.now();
  private retried = false;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly enabled: boolean,
    private readonly usualMs: number | undefined = undefined,
  ) {}

  static forStderr(options: { quiet: boolean; verbose: boolean }, usualMs?: number): StatusLine {
    return new StatusLine(process.stderr, process.stderr.isTTY === true && !options.quiet && !options.verbose, usualMs);
  }

  get active(): boolean {
    return this.enabled;
  }

  step(name: string, step: LaunchStep): void {
    if (this.current === undefined) this.startedAt = Date.now();
    this.current = { name, state: STEP_TEXT[step] };
    this.draw();
    if (this.enabled && this.ticker === undefined) {
      // The seconds count on while nothing else happens (a TCG boot is quiet for 10-30 s).
      this.ticker = setInterval(() => this.draw(), 1000);
      this.ticker.unref();
    }
  }

  /** A notice on its own line above the status line, which is drawn again below it. */
  notice(line: string): void {
    if (line.includes(BOOT_AGAIN)) this.retried = true;
    if (!this.enabled) return;
    this.stream.write(`${this.shown ? '\r\x1b[K' : ''}${withoutControls(line)}\n`);
    this.shown = false;
    this.draw();
  }

  /** NoFear's notices: above the line while it is shown, else as `fallback` writes them. */
  notices(program: string, fallback: (line: string) => void): (line: string) => void {
    return (line) => {
      if (this.enabled) this.notice(`${program}: ${line}`);
      else fallback(line);
    };
  }

  write(text: string): void {
    if (!this.enabled) return;
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`\r\x1b[K${withoutControls(text).slice(0, width)}`);
    this.shown = true;
  }

  /** Replaces the line with a final one (kept), or clears it. */
  end(text?: string): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.current = undefined;
    if (!this.enabled || !this.shown) {
      if (this.enabled && text !== undefined) this.stream.write(`${text}\n`);
      return;
    }
    this.stream.write(text === undefined ? '\r\x1b[K' : `\r\x1b[K${text}\n`);
    this.shown = false;
  }

  private draw(): void {
    if (this.current === undefined) return;
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.write(statusText(this.current.name, this.current.state, { elapsedMs: Date.now() - this.startedAt, usualMs: this.usualMs, retried: this.retried }, width));
  }
}
