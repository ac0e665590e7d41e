// One line on the terminal that says where an open has got to, rewritten in place (booting, starting
// the viewer, the window). Only on a terminal, and never with --quiet or --verbose (whose lines it would
// tear); a pipe or a log file never sees it.
import type { LaunchStep } from '../sandbox/launch.js';
import { withoutControls } from '../util/text.js';

const STEP_TEXT: Record<LaunchStep, string> = {
  booting: 'booting a throwaway VM…',
  booted: 'starting the viewer…',
  server: 'starting the viewer…',
  attached: 'starting the viewer…',
  window: 'window shown',
};

export class StatusLine {
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly enabled: boolean,
  ) {}

  static forStderr(options: { quiet: boolean; verbose: boolean }): StatusLine {
    return new StatusLine(process.stderr, process.stderr.isTTY === true && !options.quiet && !options.verbose);
  }

  get active(): boolean {
    return this.enabled;
  }

  step(name: string, step: LaunchStep): void {
    this.write(`${name}: ${STEP_TEXT[step]}`);
  }

  write(text: string): void {
    if (!this.enabled) return;
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    this.stream.write(`\r\x1b[K${withoutControls(text).slice(0, width)}`);
    this.shown = true;
  }

  /** Replaces the line with a final one (kept), or clears it. */
  end(text?: string): void {
    if (!this.enabled || !this.shown) {
      if (this.enabled && text !== undefined) this.stream.write(`${text}\n`);
      return;
    }
    this.stream.write(text === undefined ? '\r\x1b[K' : `\r\x1b[K${text}\n`);
    this.shown = false;
  }
}
