// doctor's checks of the desktop session: display, session bus, the service, the integration.
// None of them can FAIL: NoFear still runs VMs without them (DESIGN: they only warn).
import { XWAYLAND_FIX } from '../gui/display-check.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runTool } from '../util/run.js';
import { findExecutable } from '../util/which.js';
import { xdgDataDirs } from '../util/xdg.js';
import { installHint, PACKAGES } from './doctor-install.js';
import type { Check } from './doctor-check.js';
import { integrationPaths } from '../integrate/paths.js';
import { NOFEAR_DESKTOP_ID } from '../integrate/types.js';
import { NoFearClient } from '../service/bus/client.js';
import { BUS_NAME } from '../service/bus/names.js';

const ok = (name: string, detail: string): Check => ({ name, status: 'OK', detail });
const warn = (name: string, detail: string, fix?: string): Check => ({ name, status: 'WARN', detail, ...(fix ? { fix } : {}) });

/** Runs a probe command: undefined when it is missing; its exit code and output otherwise. */
export type Prober = (program: string, args: string[]) => Promise<{ exitCode: number | undefined; stdout: string; stderr: string } | undefined>;

export function systemProber(env: NodeJS.ProcessEnv): Prober {
  return async (program, args) => {
    const file = findExecutable(program, env);
    if (file === undefined) return undefined;
    return runTool(file, args, { timeoutMs: 3000 }).catch(() => ({ exitCode: undefined, stdout: '', stderr: 'did not run' })); // reported as such
  };
}

const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';

export async function checkDisplay(env: NodeJS.ProcessEnv, probe: Prober): Promise<Check> {
  const display = env.DISPLAY;
  if (!display) {
    if (env.WAYLAND_DISPLAY) return warn('display', `Wayland ${env.WAYLAND_DISPLAY} without XWayland: the host's Xpra client needs an X display`, XWAYLAND_FIX);
    return warn(
      'display',
      'no DISPLAY or WAYLAND_DISPLAY: GUI programs and nofear-open cannot show windows here ("Can\'t open display")',
      "run it in your desktop session's terminal, or export DISPLAY=:0",
    );
  }
  const session = env.WAYLAND_DISPLAY ? `Wayland ${env.WAYLAND_DISPLAY} with XWayland ${display}` : `X11 ${display}`;
  // Xpra attaches as any X client does: one that connects proves the display, its socket and XAUTHORITY.
  const result = await probe('xdpyinfo', ['-display', display]);
  if (result === undefined) return ok('display', `${session} (not verified: ${installHint(PACKAGES.xdpyinfo)} lets doctor check that Xpra can attach)`);
  if (result.exitCode === 0) return ok('display', `${session}: Xpra can attach`);
  return warn(
    'display',
    `${session} is set but does not accept clients (${firstLine(result.stderr) || 'xdpyinfo failed'}): windows cannot come back from VMs`,
    'check DISPLAY and XAUTHORITY, or run from the desktop session itself',
  );
}

export function checkSessionBus(env: NodeJS.ProcessEnv): Check {
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (!address)
    return warn(
      'session bus',
      'no session bus (DBUS_SESSION_BUS_ADDRESS unset): nofear-open runs VMs in-process, the file managers cannot reach NoFear',
      'run from a desktop session (or: dbus-run-session -- SHELL)',
    );
  return ok('session bus', address.replace(/,guid=.*/, ''));
}

/** What doctor asks the session bus; a real client in use, a stand-in in tests. */
export interface BusQuestions {
  /** Whether org.nofear.NoFear has an owner now; rejects when the bus does not answer. */
  serviceRunning(): Promise<boolean>;
  /** Whether the bus can start it on demand. */
  serviceActivatable(): Promise<boolean>;
}

export async function checkService(env: NodeJS.ProcessEnv, questions?: BusQuestions): Promise<Check> {
  if (!env.DBUS_SESSION_BUS_ADDRESS) return warn('service', 'not reachable without a session bus');
  if (questions !== undefined) return serviceCheck(questions);
  const client = NoFearClient.connect(env);
  if (client === undefined) return warn('service', 'not reachable: the session bus address cannot be used', 'check DBUS_SESSION_BUS_ADDRESS');
  try {
    return await serviceCheck({ serviceRunning: () => client.nameHasOwner(), serviceActivatable: async () => (await client.activatableNames()).includes(BUS_NAME) });
  } finally {
    client.close();
  }
}

async function serviceCheck(bus: BusQuestions): Promise<Check> {
  let running: boolean;
  try {
    running = await bus.serviceRunning();
  } catch (error) {
    return warn('service', `the session bus does not answer (${firstLine(error instanceof Error ? error.message : String(error))})`, 'check DBUS_SESSION_BUS_ADDRESS');
  }
  if (running) return ok('service', `${BUS_NAME} is running`);
  // A bus that cannot list its names cannot start the service either.
  if (await bus.serviceActivatable().catch(() => false)) return ok('service', 'not running; the session bus starts it on demand');
  return warn('service', 'not installed on the session bus: nofear-open runs VMs in-process and file managers cannot open files in NoFear', 'nofearctl integrate install');
}

export function checkIntegration(env: NodeJS.ProcessEnv): Check {
  const entry = path.join(integrationPaths(env).applicationsDir, NOFEAR_DESKTOP_ID);
  if (existsSync(entry)) return ok('integration', `installed (${entry})`);
  // The nofear package puts it in /usr/share/applications, for every user.
  const system = xdgDataDirs(env)
    .map((dir) => path.join(dir, 'applications', NOFEAR_DESKTOP_ID))
    .find((file) => existsSync(file));
  if (system !== undefined) return ok('integration', `installed system-wide (${system}); nofearctl integrate install --default-for TYPE makes NoFear your default for a type`);
  return warn('integration', 'not installed: no "Open in NoFear" in the file manager', 'nofearctl integrate install');
}

export async function sessionChecks(env: NodeJS.ProcessEnv, probe: Prober = systemProber(env)): Promise<Check[]> {
  return [await checkDisplay(env, probe), checkSessionBus(env), await checkService(env), checkIntegration(env)];
}
