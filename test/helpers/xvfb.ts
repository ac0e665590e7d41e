// A private Xvfb standing in for the user's display, and the X queries tests make of it.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { leftoverSandboxes, makeTestEnv, type TestEnv } from './cli.js';
import type { ChildProcess } from 'node:child_process';
import { startPrivateDisplay, type PrivateDisplay } from '../../src/demo/private-display.js';
import { OpenProgress } from '../../src/demo/open-progress.js';

export type Display = PrivateDisplay;

/** A private Xvfb on a free display number: the same one `make demo` uses on a headless machine. */
export const startXvfb = startPrivateDisplay;

/**
 * The window NoFear reports for a `nofear-open --verbose` or `nofear -v --gui` child (its X id, as
 * xdotool takes it), within the deadline; fails at once when the child ends without one.
 */
export async function reportedWindow(child: ChildProcess, timeoutMs: number, program: 'nofear' | 'nofear-open' = 'nofear-open'): Promise<string> {
  const progress = new OpenProgress(child, undefined, program);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no window reported within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return String(await Promise.race([progress.window, deadline]));
  } finally {
    clearTimeout(timer);
  }
}

/** Waits (xdotool --sync, bounded) for a visible window whose title matches; returns its id. */
export async function waitForWindow(display: string, titleRegex: string, timeoutMs: number): Promise<string> {
  const result = await execa('xdotool', ['search', '--sync', '--onlyvisible', '--name', titleRegex], {
    env: { DISPLAY: display },
    timeout: timeoutMs,
    reject: false,
  });
  const id = result.stdout.trim().split('\n')[0] ?? '';
  if (result.timedOut || id === '') throw new Error(`no window matching ${titleRegex} within ${timeoutMs / 1000} s (visible: ${await visibleWindowNames(display)})`);
  return id;
}

/** The visible windows' titles, for a failure message: what was on the display instead. */
async function visibleWindowNames(display: string): Promise<string> {
  const found = await execa('xdotool', ['search', '--onlyvisible', '--name', ''], { env: { DISPLAY: display }, timeout: 10_000, reject: false });
  const ids = found.stdout.split('\n').filter((id) => id !== '');
  const names = await Promise.all(
    ids.slice(0, 12).map(async (id) => (await execa('xdotool', ['getwindowname', id], { env: { DISPLAY: display }, timeout: 10_000, reject: false })).stdout.slice(0, 80)),
  );
  const named = names.filter((name) => name !== '');
  return named.length === 0 ? 'none with a title' : named.map((name) => JSON.stringify(name)).join(', ');
}

export async function windowName(display: string, id: string): Promise<string> {
  return (await execa('xdotool', ['getwindowname', id], { env: { DISPLAY: display } })).stdout;
}

/**
 * A screenshot once the window has painted (more than `minColours` colours), retried within the
 * deadline: a window is reported when it maps, and the program paints it a moment later.
 */
export async function renderedScreenshot(display: string, id: string, file: string, minColours = 2, deadlineMs = 30_000): Promise<{ colours: number; edge: [number, number, number] }> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const shot = await screenshot(display, id, file);
    if (shot.colours >= minColours || Date.now() > deadline) return shot;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A PNG of the window, its number of distinct colours, and the colour of a pixel on its edge. */
export async function screenshot(display: string, id: string, file: string): Promise<{ colours: number; edge: [number, number, number] }> {
  const shot = await execa('import', ['-window', id, file], { env: { DISPLAY: display }, timeout: 20_000, reject: false });
  if (shot.exitCode !== 0) {
    const tree = await execa('xwininfo', ['-root', '-children'], { env: { DISPLAY: display }, reject: false });
    throw new Error(`import -window ${id} failed: ${shot.stderr.trim()}\nwindows now:\n${tree.stdout}`);
  }
  const info = (await execa('convert', [file, '-format', '%k %[pixel:p{1,1}]', 'info:'])).stdout.trim();
  const [count, pixel] = info.split(' ');
  const rgb = /\((\d+),(\d+),(\d+)/.exec(pixel ?? '');
  return { colours: Number(count), edge: [Number(rgb?.[1] ?? -1), Number(rgb?.[2] ?? -1), Number(rgb?.[3] ?? -1)] };
}

export async function pressKey(display: string, id: string, key: string): Promise<void> {
  await execa('xdotool', ['windowfocus', '--sync', id, 'key', '--window', id, key], { env: { DISPLAY: display }, timeout: 10_000 });
}

/** Registers a suite's own display: a private Xvfb started before the suite and stopped after it. */
export function suiteDisplay(use: (x: Display) => void): void {
  let x: Display | undefined;
  before(async () => {
    x = await startXvfb();
    use(x);
  });
  after(async () => {
    await x?.stop();
  });
}

/**
 * Registers a suite's own display and test environment: a private Xvfb and a fresh TestEnv before the
 * suite, and after it the display stopped, no sandbox left behind, the environment removed.
 */
export function perSuiteDisplay(use: (x: Display, t: TestEnv) => void): void {
  let t: TestEnv | undefined;
  suiteDisplay((x) => {
    t = makeTestEnv();
    use(x, t);
  });
  after(() => {
    try {
      if (t !== undefined) assert.deepEqual(leftoverSandboxes(t), [], 'a sandbox was left behind');
    } finally {
      t?.cleanup();
    }
  });
}
