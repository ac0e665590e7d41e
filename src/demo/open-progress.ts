// Follows a `nofear-open --verbose` child through its step lines (booted, server, attached, window):
// the demo and the benchmarks wait on NoFear's own window report, never on polling the display, and
// stop waiting the moment the child ends.
import type { ChildProcess } from 'node:child_process';
import { signalStatus } from '../util/exit-status.js';

export const OPEN_STEPS = ['booted', 'server', 'attached', 'window'] as const;
export type OpenStep = (typeof OPEN_STEPS)[number];

export interface StepLine {
  step: OpenStep;
  seconds: number;
  /** With `window`: the X id on the host display. */
  xid?: number;
}

const STEP_LINE = /: (booted|server|attached|window) after ([0-9]+(?:\.[0-9]+)?) s(?: \(host window 0x([0-9a-f]{1,8})\))?$/;

export function parseStepLine(line: string): StepLine | undefined {
  const match = STEP_LINE.exec(line);
  if (match === null) return undefined;
  const step = match[1] as OpenStep;
  return { step, seconds: Number(match[2]), ...(match[3] === undefined ? {} : { xid: Number.parseInt(match[3], 16) }) };
}

const STEP_WORDS: Record<OpenStep, string> = {
  booted: 'the VM booted',
  server: "the guest's Xpra server listened",
  attached: 'the host Xpra client attached',
  window: 'the window appeared',
};

/** "after the VM booted, before the guest's Xpra server listened": where an open stopped. */
export function whereItStopped(reached: ReadonlySet<OpenStep>): string {
  const last = [...OPEN_STEPS].reverse().find((step) => reached.has(step));
  const next = OPEN_STEPS.find((step) => !reached.has(step)) ?? 'window';
  return last === undefined ? `before ${STEP_WORDS.booted}` : `after ${STEP_WORDS[last]}, before ${STEP_WORDS[next]}`;
}

/** The child's own last complaint ("nofear-open: ..." or "nofear: ..."), the best one-line reason there is. */
export function lastComplaint(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^nofear(-open)?: /.test(line) && parseStepLine(line) === undefined);
  const failure = [...lines].reverse().find((line) => !/: (guest kernel|guest image|jail|memory|accelerator|type|viewer|KVM not used)\b/.test(line));
  return failure?.replace(/^nofear(-open)?: /, '');
}

export class WindowNotShown extends Error {
  constructor(
    readonly status: number,
    readonly reached: ReadonlySet<OpenStep>,
    readonly complaint: string | undefined,
    program = 'nofear-open',
  ) {
    super(`${program} ended (status ${status}) ${whereItStopped(reached)}${complaint === undefined ? '' : `: ${complaint}`}`);
  }
}

/** Once the child's stderr has ended, or a second after it exited (a process it left behind may hold the pipe open). */
function stderrDrained(child: ChildProcess): Promise<void> {
  const stream = child.stderr;
  if (stream === null || stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.once('end', () => resolve());
    child.once('exit', () => setTimeout(resolve, 1000).unref());
  });
}

export class OpenProgress {
  readonly seconds: Partial<Record<OpenStep, number>> = {};
  /** The window's X id; rejects with WindowNotShown as soon as the child ends without one. */
  readonly window: Promise<number>;
  readonly exited: Promise<number>;
  private stderrTail = '';

  constructor(child: ChildProcess, echo?: (line: string) => void, program = 'nofear-open') {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? 128);
      child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : signalStatus(signal))));
    });
    let onWindow: (xid: number) => void = () => {};
    this.window = new Promise<number>((resolve, reject) => {
      onWindow = resolve;
      // Its last words may still be in the pipe when it exits: the verdict waits for its stderr to end.
      void Promise.all([this.exited, stderrDrained(child)]).then(([status]) =>
        reject(new WindowNotShown(status, new Set(Object.keys(this.seconds) as OpenStep[]), lastComplaint(this.stderrTail), program)),
      );
    });
    this.window.catch(() => undefined); // observed by the caller
    let pending = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.stderrTail = (this.stderrTail + text).slice(-8000);
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        echo?.(line);
        const parsed = parseStepLine(line);
        if (parsed === undefined) continue;
        this.seconds[parsed.step] = parsed.seconds;
        if (parsed.step === 'window' && parsed.xid !== undefined) onWindow(parsed.xid);
      }
    });
  }

  get stderr(): string {
    return this.stderrTail;
  }
}
