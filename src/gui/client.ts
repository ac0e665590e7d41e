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

export interface ClientEvents {
  /** The client says it attached to the guest's server. */
  attached: Promise<void>;
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

export class XpraClient implements ClientEvents {
  readonly attached: Promise<void>;
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
    };
    // The client dies with NoFear even when NoFear is SIGKILLed.
    this.child = spawn(setpriv, ['--pdeathsig', 'KILL', '--', ...argv], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: clientEnv });
    let attachedResolve: () => void = () => {};
    this.attached = new Promise((resolve) => {
      attachedResolve = resolve;
    });
    let tail = '';
    const watch = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-4096);
      if (/Attached to /.test(tail)) attachedResolve();
      if (process.env.NOFEAR_CLIENT_LOG === '1') process.stderr.write(chunk);
    };
    this.child.stdout?.on('data', watch);
    this.child.stderr?.on('data', watch);
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
