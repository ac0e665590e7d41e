// Typing into a desktop prompt (zenity's password dialog) on a private Xvfb as a person would: real key
// events (XTEST) to the window that has the input focus. GTK ignores the synthetic events `xdotool type
// --window` sends (XSendEvent), so the dialog is given the focus first, and the focus is checked, not
// assumed: Xvfb has no window manager, and a window found by its title may not take the focus at once (not
// yet viewable, or replaced). The text goes to xdotool on its stdin, never in its argv (a password would
// show in /proc/PID/cmdline).
import { execa } from 'execa';

const xdotool = (display: string, args: string[], options: { input?: string; timeoutMs?: number; cancelSignal?: AbortSignal } = {}) =>
  execa('xdotool', args, {
    env: { DISPLAY: display },
    reject: false,
    timeout: options.timeoutMs ?? 10_000,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    ...(options.cancelSignal === undefined ? {} : { cancelSignal: options.cancelSignal }),
  });

/** The visible windows whose title matches now (none: []). */
async function visibleWindows(display: string, titleRegex: string): Promise<string[]> {
  const found = await xdotool(display, ['search', '--onlyvisible', '--name', titleRegex]);
  return found.stdout.split('\n').filter((id) => /^\d+$/.test(id));
}

/**
 * A visible window whose title matches, waited for (xdotool --sync) until the deadline or until `owner`
 * (the process that would show it) ends, whichever is first; its id as xdotool takes it.
 */
export async function promptWindow(display: string, titleRegex: string, timeoutMs: number, owner: Promise<unknown>): Promise<string> {
  const gone = new AbortController();
  void owner.then(
    () => gone.abort(),
    () => gone.abort(),
  );
  const search = await xdotool(display, ['search', '--sync', '--onlyvisible', '--name', titleRegex], { timeoutMs, cancelSignal: gone.signal });
  const id = search.stdout.split('\n').find((line) => /^\d+$/.test(line));
  if (id === undefined) throw new Error(`no window titled ${titleRegex} on ${display}: ${gone.signal.aborted ? 'the program that would show it ended first' : `not within ${timeoutMs / 1000} s`}`);
  return id;
}

/**
 * Gives the input focus to a window titled `titleRegex`, checked with getwindowfocus, within the deadline:
 * each try takes the window found now (an earlier id may be gone: BadWindow), and asks for the focus with
 * --sync (it returns once the server says the focus moved).
 */
export async function focusWindow(display: string, titleRegex: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    for (const id of await visibleWindows(display, titleRegex)) {
      const focus = await xdotool(display, ['windowfocus', '--sync', id], { timeoutMs: 5000 });
      const now = (await xdotool(display, ['getwindowfocus'])).stdout.trim();
      if (now === id) return id;
      last = `window ${id}: ${focus.timedOut ? 'no focus change within 5 s' : focus.stderr.trim() || `the focus is on ${now}`}`;
    }
    // Polled: the next try (a short pause, then a window visible again) within the deadline.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await xdotool(display, ['search', '--sync', '--onlyvisible', '--name', titleRegex], { timeoutMs: Math.max(1, Math.min(5000, deadline - Date.now())) });
  }
  throw new Error(`could not give the focus to a window titled ${titleRegex} within ${timeoutMs / 1000} s (${last || 'none was visible'})`);
}

/**
 * Waits for the prompt titled `titleRegex` (until `owner` ends or the deadline), focuses it, types `text`
 * and presses Return; then waits for the prompt to go (the program read the answer and ended). A prompt
 * still there after Return means the keys went elsewhere: that is an error, not a wait.
 */
export async function typeIntoPrompt(display: string, titleRegex: string, text: string, timeoutMs: number, owner: Promise<unknown>): Promise<void> {
  await promptWindow(display, titleRegex, timeoutMs, owner);
  const id = await focusWindow(display, titleRegex, 30_000);
  const typed = await xdotool(display, ['type', '--clearmodifiers', '--delay', '20', '--file', '-'], { input: text, timeoutMs: 30_000 });
  if (typed.exitCode !== 0) throw new Error(`xdotool type failed: ${typed.stderr}`);
  const focusedWhileTyping = (await xdotool(display, ['getwindowfocus'])).stdout.trim();
  if (focusedWhileTyping !== id) throw new Error(`the focus moved from the prompt ${id} to ${focusedWhileTyping} while typing`);
  await xdotool(display, ['key', '--clearmodifiers', 'Return']);
  const deadline = Date.now() + 30_000;
  // The prompt's end is its window's end: polled (xdotool has no --sync for a window going away).
  while ((await visibleWindows(display, titleRegex)).includes(id)) {
    if (Date.now() > deadline) throw new Error(`the prompt ${id} is still open 30 s after Return: the keys did not reach it`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
