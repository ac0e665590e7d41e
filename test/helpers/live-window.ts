// Forwarded windows looked up again each time a test uses them. A window can be re-created (the guest maps
// it again, the host's Xpra client makes a new one), so an X id held from an earlier step may name a window
// that is gone: xdotool and import then fail with BadWindow. Every wait here ends when the window is there,
// when whatever would show it has ended, or at the deadline.
import type { ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import { setTimeout as delay } from 'node:timers/promises';
import { parseStepLine } from '../../src/demo/open-progress.js';

/** What would show the window (nofear-open, a sandbox): while it lives, a missing window may still come. */
export interface Producer {
  what: string;
  alive(): boolean;
}

/** The producer is this child process, until it exits. */
export function childProducer(child: ChildProcess, what: string): Producer {
  return { what, alive: () => child.exitCode === null && child.signalCode === null };
}

const message = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0] : String(error));

/** The visible windows whose title matches, as they are now (no waiting). */
export async function visibleWindows(display: string, titleRegex: string): Promise<string[]> {
  const found = await execa('xdotool', ['search', '--onlyvisible', '--name', titleRegex], { env: { DISPLAY: display }, reject: false, timeout: 10_000 });
  return found.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Runs `use` on the window whose title matches, looked up afresh each try; a try that fails (the window was
 * re-created in between) is made again on the window found then, while the producer lives and the
 * deadline has not passed. With `closing`, a window already gone counts as done (the key that closes it went).
 */
export async function onWindow<T>(display: string, titleRegex: string, producer: Producer, deadlineMs: number, use: (id: string) => Promise<T>, closing = false): Promise<T | undefined> {
  const deadline = Date.now() + deadlineMs;
  let failure: unknown;
  for (let tries = 0; ; tries++) {
    const [id] = await visibleWindows(display, titleRegex);
    if (id === undefined && closing && tries > 0) return undefined;
    if (id !== undefined) {
      try {
        return await use(id);
      } catch (error) {
        failure = error;
      }
    }
    const why = failure === undefined ? '' : ` (last try: ${message(failure)})`;
    if (!producer.alive()) throw new Error(`no usable window matching ${titleRegex}: ${producer.what} ended${why}`);
    if (Date.now() > deadline) throw new Error(`no usable window matching ${titleRegex} within ${deadlineMs / 1000} s${why}`);
    await delay(250);
  }
}

/**
 * Every `FILE: window after N s (host window 0x…)` line a `nofear-open --verbose` child prints, for the
 * files it opens (the attachments it opens from a message view too). Listen from the child's start.
 */
export class WindowReports {
  private readonly reports: Array<{ file: string; xid: number }> = [];
  private readonly wakers = new Set<() => void>();

  constructor(private readonly child: ChildProcess) {
    let pending = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const step = parseStepLine(line);
        const file = /^nofear-open: (.*): window after /.exec(line)?.[1];
        if (step?.step === 'window' && step.xid !== undefined && file !== undefined) this.reports.push({ file, xid: step.xid });
      }
      for (const wake of [...this.wakers]) wake();
    });
    child.once('exit', () => {
      for (const wake of [...this.wakers]) wake();
    });
  }

  /** The first window reported for a file whose path matches; fails once the child has ended without one, or at the deadline. */
  windowFor(file: RegExp, deadlineMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void) => {
        this.wakers.delete(check);
        clearTimeout(timer);
        settle();
      };
      const check = () => {
        const found = this.reports.find((report) => file.test(report.file));
        if (found !== undefined) finish(() => resolve(found.xid));
        else if (this.child.exitCode !== null || this.child.signalCode !== null) finish(() => reject(new Error(`nofear-open ended before a window for ${file}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no window for ${file} within ${deadlineMs / 1000} s`))), deadlineMs);
      this.wakers.add(check);
      check();
    });
  }
}
