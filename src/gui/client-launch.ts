// How the host Xpra client is started: in its jail (client-jail.ts) where bubblewrap works and the
// display can be reached, else as before (setpriv's parent-death signal only) with a one-line
// warning. NOFEAR_CLIENT_JAIL=off runs it unjailed on purpose (the bench's baseline).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { unavailable } from '../errors.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jailTools, systemBinds } from '../vm/jail.js';
import { buildClientArgv, type ClientOptions } from './client-argv.js';
import { buildClientJailArgv, JAIL } from './client-jail.js';
import { probeClientJail } from './client-jail-probe.js';
import { clientSeccompProgram } from './client-seccomp.js';
import { readDisplayFacts, routeDisplay } from './x11-display.js';
import { startX11Relay, type X11Relay } from './x11-relay.js';
import { untrustedCookie, type UntrustedCookie } from './x11-untrusted.js';
import { jailXauthority } from './xauthority.js';

/** src/gui/xpra-client.py, found from both src/gui (tsx) and dist/gui (compiled). */
export const CLIENT_WRAPPER = fileURLToPath(new URL('../../src/gui/xpra-client.py', import.meta.url));
export const REPORT_FD = 3;
const PYTHON = '/usr/bin/python3'; // a Python from PATH (pyenv) breaks the client's helpers

export interface ClientLaunch {
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** What bwrap reads on descriptors 4, 5, ... (the seccomp program, the X cookie); with sound, the PCM pipe follows. */
  fdData: Buffer[];
  jailed: boolean;
  /** How the client runs, for --verbose; or why it runs without its jail, for a warning. */
  note: string;
  relay?: X11Relay;
  /** Holds the untrusted X cookie the client uses (revoked, and the client closed, when stopped). */
  cookieHolder?: { stop(): void };
  /** What fences the client in on the X server: the SECURITY extension, or nothing (and why). */
  xAccess: 'untrusted' | 'trusted';
}

export interface LaunchOptions extends Omit<ClientOptions, 'xpra' | 'socket'> {
  socket: string;
  display: string;
}

/** The descriptor the client writes the guest's PCM to, with sound: the one after what bwrap reads. */
export function soundFd(fdDataCount: number): number {
  return REPORT_FD + 1 + fdDataCount;
}

function clientEnv(options: LaunchOptions, env: NodeJS.ProcessEnv, fdDataCount: number): Record<string, string> {
  return {
    ...(options.sound ? { NOFEAR_SOUND_FD: String(soundFd(fdDataCount)) } : {}),
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
    ...clientEnv(options, env, 0),
    DISPLAY: options.display,
    HOME: env.HOME ?? '/',
    PATH: '/usr/bin:/bin',
    ...(env.XAUTHORITY ? { XAUTHORITY: env.XAUTHORITY } : {}),
    ...(env.XDG_RUNTIME_DIR ? { XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR } : {}),
    // Without a bus the client would autolaunch a dbus-daemon that outlives it.
    DBUS_SESSION_BUS_ADDRESS: env.DBUS_SESSION_BUS_ADDRESS ?? 'disabled:',
  };
  return { argv: [setpriv, '--pdeathsig', 'KILL', '--', ...clientCommand(CLIENT_WRAPPER, options, options.socket)], env: clientVars, fdData: [], jailed: false, note, xAccess: 'trusted' };
}

/**
 * The relay's socket: in a private directory of its own, never in the sandbox's vm/ dir (QEMU's
 * writable view: a QEMU that escaped its guest would reach the display through it).
 */
async function relaySocketPath(env: NodeJS.ProcessEnv): Promise<string> {
  const dir = await mkdtemp(path.join(env.XDG_RUNTIME_DIR ?? tmpdir(), 'nofear-x11-relay-'));
  return path.join(dir, 'x11-relay.sock');
}

/**
 * An untrusted cookie where the X server can give one (the default; NOFEAR_X_UNTRUSTED=off turns it
 * off, for an X server whose untrusted clients cannot show Xpra's windows). [gui] clipboard = to-guest
 * too: the X server lets an untrusted client ask for a trusted application's CLIPBOARD (it has no
 * rule on selections); Xpra lost the answer only for want of the extensions it is denied
 * (nofear_xpra/x11_events.py).
 */
async function xCookie(options: LaunchOptions, env: NodeJS.ProcessEnv, number: number, setpriv: string): Promise<UntrustedCookie> {
  if (env.NOFEAR_X_UNTRUSTED === 'off') return { ok: false, why: 'the untrusted cookie is turned off (NOFEAR_X_UNTRUSTED=off)' };
  return untrustedCookie(env, options.display, number, setpriv);
}

export async function planClientLaunch(options: LaunchOptions, env: NodeJS.ProcessEnv): Promise<ClientLaunch> {
  const tools = jailTools(env);
  if (env.NOFEAR_CLIENT_JAIL === 'off') return unjailed(options, env, 'the Xpra client runs without its jail (NOFEAR_CLIENT_JAIL=off)', tools.setpriv);
  const probe = await probeClientJail(tools.bwrap);
  if (!probe.usable) return unjailed(options, env, `the Xpra client runs without its jail: ${probe.why}; fix: ${probe.fix}`, tools.setpriv);
  const route = routeDisplay(options.display, readDisplayFacts(options.display));
  // Never unjailed for want of a route: that client would hold the user's home, buses and network.
  if (route.kind === 'unreachable') {
    throw unavailable(`The Xpra client's jail cannot reach the display: ${route.why}.`, 'run from a desktop session whose DISPLAY is :N or host:N (echo $DISPLAY; nofearctl doctor)');
  }
  let relay: X11Relay | undefined;
  if (route.kind === 'relay') relay = await startX11Relay(await relaySocketPath(env), route.target, tools.setpriv);
  const untrusted = await xCookie(options, env, route.display.number, tools.setpriv);
  const xauthority = untrusted.ok ? untrusted.xauthority : await jailXauthority(env, route.display);
  const fdData = [clientSeccompProgram(), ...(xauthority ? [xauthority] : [])];
  const fds = { seccomp: REPORT_FD + 1, ...(xauthority ? { xauthority: REPORT_FD + 2 } : {}) };
  const argv = buildClientJailArgv({
    bwrap: tools.bwrap,
    systemBinds: systemBinds(),
    wrapperDir: path.dirname(CLIENT_WRAPPER),
    guiSocket: options.socket,
    xSocket: relay?.path ?? (route.kind === 'socket' ? route.path : ''),
    display: route.display,
    fds,
    env: clientEnv(options, env, fdData.length),
    command: clientCommand(path.join(JAIL.wrapperDir, path.basename(CLIENT_WRAPPER)), options, JAIL.guiSocket),
  });
  const how = route.kind === 'relay' ? `; ${route.why}, so it goes through NoFear's relay` : '';
  const x = untrusted.ok ? '; an untrusted X client (SECURITY extension)' : `; a trusted X client (${untrusted.why})`;
  return {
    argv,
    env: {},
    fdData,
    jailed: true,
    note: `the Xpra client runs in its jail (no network, bus or home)${how}${x}`,
    xAccess: untrusted.ok ? 'untrusted' : 'trusted',
    ...(relay ? { relay } : {}),
    ...(untrusted.ok ? { cookieHolder: untrusted } : {}),
  };
}
