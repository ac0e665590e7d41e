// A sandbox whose windows come back through Xpra: the VM and the host client started together, each
// step towards the first window awaited with a deadline, the two ended together.
import { setTimeout as delay } from 'node:timers/promises';
import { NoFearError } from '../errors.js';
import type { Border, ClipboardPolicy } from '../config/index.js';
import { Sandbox, type SandboxOptions, type SandboxOutcome } from '../sandbox/sandbox.js';
import { hostDisplay, XpraClient, type HostWindow } from './client.js';

export interface GuiOptions {
  border: Border;
  clipboard: ClipboardPolicy;
  sound: boolean;
  env: NodeJS.ProcessEnv;
  /** Deadlines per step, ms (TCG is slow: generous by default). */
  deadlines?: Partial<Record<GuiStep, number>>;
  /** Each step as it is reached; `window` comes with the window's id on the host display. */
  onStep?: (step: GuiStep, atMs: number, window?: HostWindow) => void;
}

export type GuiStep = 'booted' | 'server' | 'attached' | 'window';

const CLIENT_GONE_GRACE_MS = 3000;
const DEFAULT_DEADLINES: Record<Exclude<GuiStep, 'window'>, number> = { booted: 120_000, server: 120_000, attached: 60_000 };

export interface GuiSession {
  sandbox: Sandbox;
  client: XpraClient;
  /** Settles when the VM has ended (by itself, or because the client went away) and the client is gone. */
  finished: Promise<SandboxOutcome>;
  /** The program's first window on the host display, or undefined when the session ended without one. */
  window: Promise<HostWindow | undefined>;
}

function withDeadline<T>(promise: Promise<T>, ms: number, step: GuiStep, gone: Promise<unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(stepFailed(step, `not reached within ${ms / 1000} s`)), ms);
    void gone.then(() => reject(stepFailed(step, 'the VM or the Xpra client ended first')));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function stepFailed(step: GuiStep, why: string): NoFearError {
  const what = { booted: 'the VM booting', server: "the guest's Xpra server starting", attached: 'the host Xpra client attaching', window: 'the first window' }[step];
  return new NoFearError('Unavailable', `The GUI launch stopped at ${what}: ${why}.`, { fix: 'nofearctl doctor; run with --verbose (NOFEAR_CLIENT_LOG=1 shows the Xpra client)' });
}

export async function startGuiSession(options: SandboxOptions, gui: GuiOptions): Promise<GuiSession> {
  hostDisplay(gui.env); // no display: fail before any VM starts
  const started = Date.now();
  let client: XpraClient | undefined;
  let serverReady: () => void = () => {};
  const server = new Promise<void>((resolve) => {
    serverReady = resolve;
  });
  const step = (name: GuiStep, window?: HostWindow) => gui.onStep?.(name, Date.now() - started, window);
  let sandbox: Sandbox;
  try {
    sandbox = await Sandbox.start({
      ...options,
      gui: true,
      sound: gui.sound,
      onListening: (sockets) => {
        // Started with QEMU: the client's own start-up (~1 s) overlaps the boot; it waits for the server.
        client = new XpraClient({ socket: sockets.gui, profile: options.profile, border: gui.border, clipboard: gui.clipboard, sound: gui.sound }, gui.env, {
          ...(options.warn ? { warn: options.warn } : {}),
          ...(options.log ? { log: options.log } : {}),
        });
      },
      onProgress: (progress) => {
        if (progress === 'gui-server') serverReady();
      },
    });
  } catch (error) {
    await client?.stop();
    throw error;
  }
  step('booted');
  const running = client;
  if (running === undefined) throw new Error('the Xpra client did not start');
  const deadlines = { ...DEFAULT_DEADLINES, ...gui.deadlines };
  const gone = Promise.race([sandbox.outcome, running.exited]);
  try {
    await withDeadline(server, deadlines.server, 'server', gone);
    step('server');
    await withDeadline(running.attached, deadlines.attached, 'attached', gone);
    step('attached');
  } catch (error) {
    await running.stop();
    await sandbox.stop();
    await sandbox.dispose();
    throw error;
  }
  const finished = (async () => {
    // Whichever ends first takes the other with it: closing the client stops the VM.
    const first = await Promise.race([sandbox.outcome.then(() => 'vm' as const), running.exited.then(() => 'client' as const)]);
    if (first === 'client') {
      // The client also leaves when the guest's server exits with the program: give the guest a
      // moment to report its exit status before treating this as "closed by the user".
      const reported = await Promise.race([sandbox.outcome.then(() => true), delay(CLIENT_GONE_GRACE_MS).then(() => false)]);
      if (!reported) await sandbox.stop();
    }
    const outcome = await sandbox.outcome;
    await running.stop();
    return outcome;
  })();
  // No deadline here: a program may take its time (or never map a window); callers race `finished`.
  const window = Promise.race([running.firstWindow, finished.then(() => undefined)]);
  void window.then((shown) => {
    if (shown !== undefined) step('window', shown);
  });
  return { sandbox, client: running, finished, window };
}
