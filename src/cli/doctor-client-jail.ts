// doctor's line for the host Xpra client's jail: whether it can be built here, and how the jailed
// client reaches the display (its network namespace hides abstract and TCP sockets); and what fences
// it in on the X server. Warnings only.
import { probeClientJail, type ClientJailProbe } from '../gui/client-jail-probe.js';
import { parseDisplay, readDisplayFacts, routeDisplay, type DisplayRoute } from '../gui/x11-display.js';
import { untrustedCookie } from '../gui/x11-untrusted.js';
import { jailTools } from '../vm/jail.js';
import type { Check } from './doctor-check.js';
import { installHint, PACKAGES } from './doctor-install.js';

const NAME = 'client jail';
const JAILED = 'the Xpra client runs in bubblewrap: no network, no bus, no home, seccomp';
const UNJAILED = 'NoFear runs the Xpra client without its jail (with your files, buses and network), with a one-line warning';

/** Pure: the line, from the probe, the display's route (undefined without DISPLAY) and NOFEAR_CLIENT_JAIL. */
export function clientJailCheck(probe: ClientJailProbe, route: DisplayRoute | undefined, turnedOff: boolean): Check {
  if (turnedOff) return { name: NAME, status: 'WARN', detail: `turned off by NOFEAR_CLIENT_JAIL=off: ${UNJAILED}`, fix: 'unset NOFEAR_CLIENT_JAIL' };
  if (!probe.usable) return { name: NAME, status: 'WARN', detail: `${probe.why}: ${UNJAILED}`, fix: probe.missing ? installHint(PACKAGES.bubblewrap) : probe.fix };
  if (route === undefined) return { name: NAME, status: 'OK', detail: JAILED };
  if (route.kind === 'socket') return { name: NAME, status: 'OK', detail: `${JAILED}; it reaches the display through ${route.path}` };
  if (route.kind === 'relay') return { name: NAME, status: 'OK', detail: `${JAILED}; ${route.why}, so it goes through NoFear's relay` };
  return {
    name: NAME,
    status: 'WARN',
    detail: `${route.why}: NoFear refuses to show windows there rather than run the client unjailed`,
    fix: 'run from a desktop session whose DISPLAY is :N or host:N',
  };
}

const X_NAME = 'X access';
const UNREFUSED = 'XTEST input into other windows, GetImage of them and of the screen, and keyboard grabs';
const COMPROMISED = 'a client taken over through its decoders could type into other windows, read them and grab the keyboard';

/**
 * Pure: what fences the jailed client in on the X server. The SECURITY extension's untrusted cookie
 * does (no XTEST, GetImage of other clients' windows or grabs); NoFear's relay does not filter X
 * requests yet, so without it nothing does. XWayland as Debian 12 builds it (22.1) has no SECURITY
 * extension (measured: its binary lacks it; Xorg's and Xvfb's have it).
 */
export function xAccessCheck(cookie: { ok: true } | { ok: false; why: string }, turnedOff = false): Check {
  if (!cookie.ok) {
    const noXlib = /python3-xlib/.test(cookie.why);
    return {
      name: X_NAME,
      status: 'WARN',
      detail: `this display cannot refuse the Xpra client ${UNREFUSED}: ${cookie.why}, and NoFear's relay does not filter X requests; ${COMPROMISED}`,
      fix: noXlib ? installHint(PACKAGES.xlib) : 'log in to an Xorg session (its SECURITY extension gives the client an untrusted cookie; XWayland has none)',
    };
  }
  if (turnedOff) {
    return {
      name: X_NAME,
      status: 'WARN',
      detail: `this X server can give the Xpra client an untrusted cookie, but NOFEAR_X_UNTRUSTED=off turns it off: it is not refused ${UNREFUSED}; ${COMPROMISED}`,
      fix: 'unset NOFEAR_X_UNTRUSTED (before starting nofear and the service)',
    };
  }
  return { name: X_NAME, status: 'OK', detail: 'the Xpra client gets an untrusted X cookie (SECURITY extension): no XTEST, no GetImage of other windows, no grabs' };
}

export async function checkXAccess(env: NodeJS.ProcessEnv): Promise<Check | undefined> {
  const display = env.DISPLAY ? parseDisplay(env.DISPLAY) : undefined;
  if (env.DISPLAY === undefined || display === undefined) return undefined; // the display line says why
  const cookie = await untrustedCookie(env, env.DISPLAY, display.number, jailTools(env).setpriv);
  if (cookie.ok) cookie.stop();
  return xAccessCheck(cookie, env.NOFEAR_X_UNTRUSTED === 'off');
}

export async function checkClientJail(env: NodeJS.ProcessEnv): Promise<Check> {
  const probe = await probeClientJail(jailTools(env).bwrap);
  const route = env.DISPLAY ? routeDisplay(env.DISPLAY, readDisplayFacts(env.DISPLAY)) : undefined;
  return clientJailCheck(probe, route, env.NOFEAR_CLIENT_JAIL === 'off');
}
