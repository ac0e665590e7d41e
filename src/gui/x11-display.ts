// How the jailed Xpra client reaches the user's X display (X11 or XWayland). The jail has its own
// network namespace, which hides abstract unix sockets (@/tmp/.X11-unix/X<n>) and TCP: the client
// connects through the display's filesystem socket, bind-mounted into the jail; a display with no
// filesystem socket (an abstract-only or TCP display, e.g. ssh -X) is reached through NoFear's relay.
import { lstatSync, readFileSync } from 'node:fs';

export const X11_SOCKET_DIR = '/tmp/.X11-unix';

export interface ParsedDisplay {
  /** Empty for a local display; a host name for TCP (ssh -X gives localhost:10.0). */
  host: string;
  number: number;
  /** ".0" and the like, kept for the jailed client's DISPLAY. */
  screen: string;
}

/** DISPLAY as Xlib reads it: [host[/unix]]:number[.screen]. Undefined for anything else. */
export function parseDisplay(display: string): ParsedDisplay | undefined {
  // host/tcp, host/inet and host/inet6 name TCP as a bare host does (Xlib's protocol prefixes).
  const match = /^([A-Za-z0-9._-]*)(\/unix|\/tcp|\/inet6?)?:(\d{1,5})(\.\d{1,3})?$/.exec(display);
  if (match === null) return undefined;
  const local = match[2] === '/unix' || match[1] === 'unix' || (match[2] === undefined && match[1] === '');
  const host = local ? '' : match[1] === '' ? 'localhost' : (match[1] ?? '');
  return { host, number: Number(match[3]), screen: match[4] ?? '' };
}

export type DisplayRoute =
  /** The display's own socket, bind-mounted into the jail. */
  | { kind: 'socket'; path: string; display: ParsedDisplay }
  /** NoFear's relay: a socket in the sandbox's runtime dir, forwarding to what the jail cannot reach. */
  | { kind: 'relay'; target: { abstract: string } | { host: string; port: number }; display: ParsedDisplay; why: string }
  | { kind: 'unreachable'; why: string };

export interface DisplayFacts {
  /** /tmp/.X11-unix/X<n> exists and is a socket. */
  filesystemSocket: boolean;
  /** The X server listens on the abstract socket @/tmp/.X11-unix/X<n>. */
  abstractSocket: boolean;
}

/** Pure: the route for a DISPLAY value, given what exists on this machine. */
export function routeDisplay(display: string, facts: DisplayFacts): DisplayRoute {
  const parsed = parseDisplay(display);
  if (parsed === undefined) return { kind: 'unreachable', why: `DISPLAY=${display} is not a form NoFear understands ([host]:number[.screen])` };
  if (parsed.host !== '') {
    return { kind: 'relay', target: { host: parsed.host, port: 6000 + parsed.number }, display: parsed, why: `display ${display} is reached over TCP, which the client's jail has no network for` };
  }
  const path = `${X11_SOCKET_DIR}/X${parsed.number}`;
  if (facts.filesystemSocket) return { kind: 'socket', path, display: parsed };
  if (facts.abstractSocket) {
    return { kind: 'relay', target: { abstract: path }, display: parsed, why: `display ${display} has only an abstract socket (@${path}), which the client's network namespace hides` };
  }
  return { kind: 'unreachable', why: `display ${display} has no socket (${path} is missing and no abstract socket listens)` };
}

/** Reads the facts routeDisplay needs: the socket file, and /proc/net/unix for the abstract one. */
export function readDisplayFacts(display: string, procNetUnix = '/proc/net/unix'): DisplayFacts {
  const parsed = parseDisplay(display);
  if (parsed === undefined || parsed.host !== '') return { filesystemSocket: false, abstractSocket: false };
  const path = `${X11_SOCKET_DIR}/X${parsed.number}`;
  let filesystemSocket = false;
  try {
    filesystemSocket = lstatSync(path).isSocket();
  } catch {
    filesystemSocket = false;
  }
  let abstractSocket = false;
  try {
    abstractSocket = readFileSync(procNetUnix, 'latin1')
      .split('\n')
      .some((line) => line.endsWith(` @${path}`));
  } catch {
    abstractSocket = false;
  }
  return { filesystemSocket, abstractSocket };
}

/** The jailed client's DISPLAY: always the local socket /tmp/.X11-unix/X<n> inside the jail. */
export function jailedDisplay(display: ParsedDisplay): string {
  return `:${display.number}${display.screen}`;
}
