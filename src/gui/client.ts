// Runs and supervises the host's Xpra client for one sandbox: started beside QEMU (it waits for the
// guest's server), killed with its group, never left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { unavailable } from '../errors.js';
import { killGroup } from '../util/run.js';
import { findExecutable } from '../util/which.js';
import { buildClientArgv, type ClientOptions } from './client-argv.js';
import { fileURLToPath } from 'node:url';

/** src/gui/xpra-client.py, found from both src/gui (tsx) and dist/gui (compiled). */
const CLIENT_WRAPPER = fileURLToPath(new URL('../../src/gui/xpra-client.py', import.meta.url));

/** A guest window as the host display knows it. */
export interface HostWindow {
  /** The X window id on the host display, as xdotool prints it (decimal). */
  xid: number;
}

export interface ClientEvents {
  /** The client says it attached to the guest's server. */
  attached: Promise<void>;
  /** The guest program's first window is mapped on the host display. */
  firstWindow: Promise<HostWindow>;
  /** The client process ended (closed by the user, killed, or the VM went away). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The display the client draws on: X11, or XWayland under Wayland. */
export function hostDisplay(env: NodeJS.ProcessEnv): string {
  const display = env.DISPLAY;
  if (display === undefined || display === '') {
    throw unavailable(
      `Can't open display: ${env.WAYLAND_DISPLAY ? 'this Wayland session has no XWayland (DISPLAY is unset)' : 'DISPLAY is not set'}, so no window can be shown.`,
      'run nofear from a desktop session, or export DISPLAY=:0',
    );
  }
  return display;
}

export function xpraBinary(env: NodeJS.ProcessEnv): string {
  const xpra = findExecutable(env.NOFEAR_XPRA ?? 'xpra', env);
  if (xpra === undefined) throw unavailable('Xpra is not installed: windows cannot come back from the VM.', 'sudo apt-get install xpra');
  return xpra;
}

/** One line of the wrapper's report (src/gui/xpra-client.py), validated: the client parses guest data. */
export type ClientReport = { kind: 'attached' } | { kind: 'window' | 'unmapped'; xid: number } | { kind: 'invalid' };

export function parseClientReport(untrustedLine: string): ClientReport {
  if (untrustedLine === 'attached') return { kind: 'attached' };
  const match = /^(window|unmapped) 0x([0-9a-f]{1,8})$/.exec(untrustedLine);
  if (match === null) return { kind: 'invalid' };
  return { kind: match[1] as 'window' | 'unmapped', xid: Number.parseInt(match[2] ?? '0', 16) };
}

const MAX_REPORT_LINE = 64;

export class XpraClient implements ClientEvents {
  readonly attached: Promise<void>;
  readonly firstWindow: Promise<HostWindow>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private done = false;

  constructor(options: Omit<ClientOptions, 'xpra'>, env: NodeJS.ProcessEnv, setpriv = '/usr/bin/setpriv') {
    xpraBinary(env); // installed? (the wrapper imports its modules)
    // Xpra's client through NoFear's wrapper, which cleans the guest's window titles (see xpra-client.py).
    const argv = ['/usr/bin/python3', CLIENT_WRAPPER, ...buildClientArgv({ ...options, xpra: 'xpra' }).slice(1)];
    const clientEnv: NodeJS.ProcessEnv = {
      DISPLAY: hostDisplay(env),
      HOME: env.HOME ?? '/',
      PATH: '/usr/bin:/bin', // a Python from PATH (pyenv) breaks the client's helpers
      LANG: env.LANG ?? 'C.UTF-8',
      ...(env.XAUTHORITY ? { XAUTHORITY: env.XAUTHORITY } : {}),
      ...(env.XDG_RUNTIME_DIR ? { XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR } : {}),
      // Without a bus the client would autolaunch a dbus-daemon that outlives it.
      DBUS_SESSION_BUS_ADDRESS: env.DBUS_SESSION_BUS_ADDRESS ?? 'disabled:',
      XPRA_SKIP_UI: '1',
      NOFEAR_REPORT_FD: '3',
    };
    // The client dies with NoFear even when NoFear is SIGKILLed.
    this.child = spawn(setpriv, ['--pdeathsig', 'KILL', '--', ...argv], { detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: clientEnv });
    let attachedResolve: () => void = () => {};
    this.attached = new Promise((resolve) => {
      attachedResolve = resolve;
    });
    let windowResolve: (window: HostWindow) => void = () => {};
    this.firstWindow = new Promise((resolve) => {
      windowResolve = resolve;
    });
    const log = (chunk: Buffer) => {
      if (process.env.NOFEAR_CLIENT_LOG === '1') process.stderr.write(chunk);
    };
    this.child.stdout?.on('data', log);
    this.child.stderr?.on('data', log);
    let pending = '';
    this.child.stdio[3]?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('latin1')).split('\n');
      pending = (lines.pop() ?? '').slice(0, MAX_REPORT_LINE);
      for (const line of lines) {
        const report = parseClientReport(line);
        if (report.kind === 'attached') attachedResolve();
        else if (report.kind === 'window') windowResolve({ xid: report.xid });
      }
    });
    this.child.stdio[3]?.on('error', () => {}); // the client died: `exited` says so
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      });
      this.child.once('error', () => {
        this.done = true;
        resolve({ code: 127, signal: null });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(graceMs = 2000): Promise<void> {
    if (this.done) return;
    killGroup(this.child.pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(this.child.pid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    killGroup(this.child.pid, 'SIGKILL');
  }
}
