// Before any VM boots: is there an X server on DISPLAY at all? One connection attempt with a short
// deadline (the socket or TCP, as the client would reach it; an abstract socket is seen bound) turns a boot of 10-30 s
// that ends in "Can't open display" into an answer in milliseconds. Authorisation is the client's
// business: this only asks whether anything listens.
import net from 'node:net';
import { unavailable } from '../errors.js';
import { readDisplayFacts, routeDisplay } from './x11-display.js';

export const DISPLAY_CHECK_MS = 2000;

/** The fix where a Wayland session has no XWayland: NoFear's windows come back as X11 windows. */
export const XWAYLAND_FIX = 'install XWayland and log in again: sudo apt-get install xwayland (Fedora: sudo dnf install xorg-x11-server-Xwayland)';

/** DISPLAY, or why there is none, with the fix for this session (X11, Wayland without XWayland, none). */
export function displayOf(env: NodeJS.ProcessEnv): string {
  const display = env.DISPLAY;
  if (display !== undefined && display !== '') return display;
  if (env.WAYLAND_DISPLAY) {
    throw unavailable(`Can't open display: this Wayland session (${env.WAYLAND_DISPLAY}) has no XWayland (DISPLAY is unset), and NoFear's windows come back as X11 windows.`, XWAYLAND_FIX);
  }
  throw unavailable("Can't open display: DISPLAY is not set, so no window can be shown.", "run it in your desktop session's terminal, or export DISPLAY=:0");
}

function connectWithin(target: { path: string } | { host: string; port: number }, ms: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(target);
    const done = (problem: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => done(`no answer within ${ms / 1000} s`), ms);
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

/** Throws Unavailable, naming the fix, when no X server listens on DISPLAY; returns DISPLAY otherwise. */
export async function reachDisplay(env: NodeJS.ProcessEnv, ms = DISPLAY_CHECK_MS): Promise<string> {
  const display = displayOf(env);
  const route = routeDisplay(display, readDisplayFacts(display));
  const fix = "set DISPLAY to your desktop's display (a terminal of the desktop shows it: echo $DISPLAY)";
  if (route.kind === 'unreachable') throw unavailable(`Can't open display ${display}: no X server answers there (${route.why}).`, fix);
  // An abstract socket is listed in /proc/net/unix only while it is bound: routeDisplay found it there.
  // (Node cannot dial one: it pads the name to the full sun_path, which is another name.)
  const target = route.kind === 'socket' ? { path: route.path } : route.target;
  if ('abstract' in target) return display;
  const problem = await connectWithin(target, ms);
  if (problem !== undefined) throw unavailable(`Can't open display ${display}: no X server answers there (${problem}).`, fix);
  return display;
}
