// How the host Xpra client is started: in its jail (client-jail.ts) where bubblewrap works and the
// display can be reached, else as before (setpriv's parent-death signal only) with a one-line
// warning. NOFEAR_CLIENT_JAIL=off runs it unjailed on purpose (the bench's baseline).
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jailTools, systemBinds } from '../vm/jail.js';
import { buildClientArgv, type ClientOptions } from './client-argv.js';
import { buildClientJailArgv, JAIL } from './client-jail.js';
import { probeClientJail } from './client-jail-probe.js';
import { clientSeccompProgram } from './client-seccomp.js';
import { readDisplayFacts, routeDisplay } from './x11-display.js';
import { startX11Relay, type X11Relay } from './x11-relay.js';
import { jailXauthority } from './xauthority.js';

/** src/gui/xpra-client.py, found from both src/gui (tsx) and dist/gui (compiled). */
export const CLIENT_WRAPPER = fileURLToPath(new URL('../../src/gui/xpra-client.py', import.meta.url));
export const REPORT_FD = 3;
const PYTHON = '/usr/bin/python3'; // a Python from PATH (pyenv) breaks the client's helpers
const COOKIE_MAX = 4096;

export interface ClientLaunch {
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** What bwrap reads on descriptors 4, 5, ... (the seccomp program, the X cookie). */
  fdData: Buffer[];
  jailed: boolean;
  /** How the client runs, for --verbose; or why it runs without its jail, for a warning. */
  note: string;
  relay?: X11Relay;
}

export interface LaunchOptions extends Omit<ClientOptions, 'xpra' | 'socket'> {
  socket: string;
  display: string;
}

function clientEnv(options: LaunchOptions, env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    LANG: env.LANG ?? 'C.UTF-8',
    XPRA_SKIP_UI: '1',
    NOFEAR_REPORT_FD: String(REPORT_FD),
    NOFEAR_PROFILE: options.profile,
    PYTHONDONTWRITEBYTECODE: '1', // the wrapper's directory may be read-only (and is, in the jail)
    ...(env.NOFEAR_CLIENT_POLICY === 'off' ? { NOFEAR_CLIENT_POLICY: 'off' } : {}),
  };
}

function clientCommand(wrapper: string, options: LaunchOptions, socket: string): string[] {
  return [PYTHON, wrapper, ...buildClientArgv({ ...options, xpra: 'xpra', socket }).slice(1)];
}

/** Today's client: the user's own view of the system, dying with NoFear. */
function unjailed(options: LaunchOptions, env: NodeJS.ProcessEnv, note: string, setpriv: string): ClientLaunch {
  const clientVars: NodeJS.ProcessEnv = {
    ...clientEnv(options, env),
    DISPLAY: options.display,
    HOME: env.HOME ?? '/',
    PATH: '/usr/bin:/bin',
    ...(env.XAUTHORITY ? { XAUTHORITY: env.XAUTHORITY } : {}),
    ...(env.XDG_RUNTIME_DIR ? { XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR } : {}),
    // Without a bus the client would autolaunch a dbus-daemon that outlives it.
    DBUS_SESSION_BUS_ADDRESS: env.DBUS_SESSION_BUS_ADDRESS ?? 'disabled:',
  };
  return { argv: [setpriv, '--pdeathsig', 'KILL', '--', ...clientCommand(CLIENT_WRAPPER, options, options.socket)], env: clientVars, fdData: [], jailed: false, note };
}

function pulse(env: NodeJS.ProcessEnv): { socket?: string; cookie?: Buffer } {
  const socket = env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'pulse', 'native') : undefined;
  const cookieFile = env.HOME ? path.join(env.HOME, '.config', 'pulse', 'cookie') : undefined;
  const cookie = cookieFile !== undefined && existsSync(cookieFile) && statSync(cookieFile).size <= COOKIE_MAX ? readFileSync(cookieFile) : undefined;
  return { ...(socket !== undefined && existsSync(socket) ? { socket } : {}), ...(cookie === undefined ? {} : { cookie }) };
}

export async function planClientLaunch(options: LaunchOptions, env: NodeJS.ProcessEnv): Promise<ClientLaunch> {
  const tools = jailTools(env);
  if (env.NOFEAR_CLIENT_JAIL === 'off') return unjailed(options, env, 'the Xpra client runs without its jail (NOFEAR_CLIENT_JAIL=off)', tools.setpriv);
  const probe = await probeClientJail(tools.bwrap);
  if (!probe.usable) return unjailed(options, env, `the Xpra client runs without its jail: ${probe.why}; fix: ${probe.fix}`, tools.setpriv);
  const route = routeDisplay(options.display, readDisplayFacts(options.display));
  if (route.kind === 'unreachable') return unjailed(options, env, `the Xpra client runs without its jail: ${route.why}`, tools.setpriv);
  let relay: X11Relay | undefined;
  if (route.kind === 'relay') {
    try {
      relay = await startX11Relay(path.join(path.dirname(options.socket), 'x11-relay.sock'), route.target, tools.setpriv);
    } catch (error) {
      return unjailed(options, env, `the Xpra client runs without its jail: ${route.why}, and ${error instanceof Error ? error.message : String(error)}`, tools.setpriv);
    }
  }
  const xauthority = jailXauthority(env, route.display.number);
  const sound = options.sound ? pulse(env) : {};
  const fdData = [clientSeccompProgram(), ...(xauthority ? [xauthority] : []), ...(sound.cookie ? [sound.cookie] : [])];
  const fds = {
    seccomp: REPORT_FD + 1,
    ...(xauthority ? { xauthority: REPORT_FD + 2 } : {}),
    ...(sound.cookie ? { pulseCookie: REPORT_FD + fdData.length } : {}),
  };
  const argv = buildClientJailArgv({
    bwrap: tools.bwrap,
    systemBinds: systemBinds(),
    wrapperDir: path.dirname(CLIENT_WRAPPER),
    guiSocket: options.socket,
    xSocket: relay?.path ?? (route.kind === 'socket' ? route.path : ''),
    display: route.display,
    fds,
    ...(sound.socket ? { pulseSocket: sound.socket } : {}),
    env: clientEnv(options, env),
    command: clientCommand(path.join(JAIL.wrapperDir, path.basename(CLIENT_WRAPPER)), options, JAIL.guiSocket),
  });
  const how = route.kind === 'relay' ? `; ${route.why}, so it goes through NoFear's relay` : '';
  return { argv, env: {}, fdData, jailed: true, note: `the Xpra client runs in its jail (no network, bus or home)${how}`, ...(relay ? { relay } : {}) };
}
