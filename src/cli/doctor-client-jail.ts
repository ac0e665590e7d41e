// doctor's line for the host Xpra client's jail: whether it can be built here, and how the jailed
// client reaches the display (its network namespace hides abstract and TCP sockets). A warning only:
// without the jail NoFear runs the client as before, with a one-line warning.
import { probeClientJail, type ClientJailProbe } from '../gui/client-jail-probe.js';
import { readDisplayFacts, routeDisplay, type DisplayRoute } from '../gui/x11-display.js';
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
  return { name: NAME, status: 'WARN', detail: `${route.why}: ${UNJAILED}`, fix: 'check DISPLAY' };
}

export async function checkClientJail(env: NodeJS.ProcessEnv): Promise<Check> {
  const probe = await probeClientJail(jailTools(env).bwrap);
  const route = env.DISPLAY ? routeDisplay(env.DISPLAY, readDisplayFacts(env.DISPLAY)) : undefined;
  return clientJailCheck(probe, route, env.NOFEAR_CLIENT_JAIL === 'off');
}
