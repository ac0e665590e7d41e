// A sandbox whose windows come back through Xpra: the VM and the host client started together, each
// step towards the first window awaited with a deadline, the two ended together. A cold open boots,
// sends its job at once and waits for the window; a warm VM boots, gets ready (server up, client
// attached) and waits in the pool; its job comes later, and only the program's start is left.
import { setTimeout as delay } from 'node:timers/promises';
import { NoFearError } from '../errors.js';
import type { Border, ClipboardPolicy } from '../config/index.js';
import { Sandbox, type BootOptions, type SandboxOutcome } from './sandbox.js';
import type { JobSpec, SandboxOptions } from './sandbox-options.js';
import { guiSocketOf } from '../vm/start-vm.js';
import { XpraClient, type HostWindow } from '../gui/client.js';
import { reachDisplay } from '../gui/display-check.js';
import { hostScreenSize } from '../gui/host-screen.js';
import { recordTiming } from '../vm/timings.js';
import { attachDeadlineMs, DEFAULT_DEADLINES, type GuiStep } from '../gui/step-deadlines.js';

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

export type { GuiStep };

const CLIENT_GONE_GRACE_MS = 3000;

/** `gone` settles with why the step can no longer be reached (the VM or the client ended). */
function withDeadline<T>(promise: Promise<T>, ms: number, step: GuiStep, gone: Promise<string>): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(stepFailed(step, `not reached within ${ms / 1000} s`)), ms);
    void gone.then((why) => {
      clearTimeout(timer); // a failed session keeps no minutes-long timer behind it
      reject(stepFailed(step, why));
    });
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

function displayRefused(display: string): NoFearError {
  return new NoFearError('Unavailable', `The Xpra client could not open the display ${display}, so no window can be shown.`, {
    fix: `check that DISPLAY names your desktop's display and XAUTHORITY its cookie (DISPLAY=${display} xdpyinfo)`,
  });
}

/** A VM with its host client, from boot to its end: what both a cold open and a warm VM are. */
export class GuiSession {
  /** Settles when the VM has ended (by itself, or because the client went away) and the client is gone. */
  readonly finished: Promise<SandboxOutcome>;
  /** The program's first window on the host display, or undefined when the session ended without one. */
  readonly window: Promise<HostWindow | undefined>;
  /** A warm VM's job: its steps count from the job, not from a boot. */
  private restarted = false;
  private constructor(
    readonly sandbox: Sandbox,
    readonly client: XpraClient,
    private readonly server: Promise<void>,
    private readonly gui: GuiOptions,
    /** Steps count from here: the boot's start, or a warm VM's job. */
    private stepStart: number,
  ) {
    this.finished = endTogether(sandbox, client);
    this.window = Promise.race([client.firstWindow, this.finished.then(() => undefined)]);
    void this.window.then((shown) => {
      if (shown !== undefined) this.step('window', shown);
    });
  }

  /** Boots the VM with its client started beside QEMU (it waits for the guest's server). */
  static async boot(options: BootOptions, gui: GuiOptions): Promise<GuiSession> {
    await reachDisplay(gui.env); // no X server: fail before any VM starts
    const bootStart = Date.now();
    const screen = await hostScreenSize(gui.env);
    let client: XpraClient | undefined;
    let serverReady: () => void = () => {};
    const server = new Promise<void>((resolve) => (serverReady = resolve));
    let sandbox: Sandbox;
    try {
      sandbox = await Sandbox.boot({
        ...options,
        shape: { ...options.shape, gui: true, sound: gui.sound, clipboard: gui.clipboard === 'to-guest', ...(screen === undefined ? {} : { screen }) },
        hooks: {
          ...options.hooks,
          onListening: (layout) => {
            // Started with QEMU: the client's own start-up (~1 s) overlaps the boot; it waits for the server.
            // A boot tried again (KVM that showed no life, then TCG) listens again: the first client goes.
            void client?.stop();
            client = new XpraClient({ socket: guiSocketOf(layout), profile: options.shape.profile, border: gui.border, clipboard: gui.clipboard, sound: gui.sound }, gui.env, {
              ...(options.hooks.warn ? { warn: options.hooks.warn } : {}),
              ...(options.hooks.log ? { log: options.hooks.log } : {}),
            });
          },
          onProgress: (progress) => {
            if (progress === 'gui-server') serverReady();
          },
        },
      });
    } catch (error) {
      await client?.stop();
      throw error;
    }
    if (client === undefined) throw new Error('the Xpra client did not start');
    const session = new GuiSession(sandbox, client, server, gui, bootStart);
    session.step('booted');
    return session;
  }

  /**
   * The guest's server up and the host client attached, each within its deadline; else everything
   * stops. A program that already ended (before any window) is no failure of NoFear's: its status is
   * the outcome, which `finished` gives.
   */
  async ready(): Promise<void> {
    const serverDeadline = this.gui.deadlines?.server ?? DEFAULT_DEADLINES.server;
    const endedFirst = 'the VM or the Xpra client ended first';
    const gone = Promise.race([this.sandbox.outcome.then((outcome) => (outcome.kind === 'failed' ? outcome.reason : endedFirst)), this.client.exited.then(() => endedFirst)]);
    try {
      const serverWait = Date.now();
      await withDeadline(this.server, serverDeadline, 'server', gone);
      this.step('server');
      const attachDeadline = attachDeadlineMs(Date.now() - serverWait, this.gui.sound, this.gui.deadlines?.attached);
      await withDeadline(this.client.attached, attachDeadline, 'attached', gone);
      this.step('attached');
    } catch (error) {
      // The client leaves when the VM powers off: give the guest's report a moment to arrive.
      const outcome = await Promise.race([this.sandbox.outcome, delay(CLIENT_GONE_GRACE_MS).then(() => undefined)]);
      if (outcome?.kind === 'exited') return;
      await this.client.stop();
      await this.sandbox.discard();
      // Read once the client is gone: its report comes on a pipe that may be read after its exit is seen.
      throw this.client.displayRefused ? displayRefused(this.gui.env.DISPLAY ?? '') : error;
    }
  }

  /** The job: the program starts on the guest's display; times from here on count from now. */
  async run(job: JobSpec, files?: readonly string[], restartClock = false): Promise<void> {
    if (restartClock) {
      this.stepStart = Date.now();
      this.restarted = true;
    }
    await this.sandbox.run(job, files);
  }

  /** Hears the steps from now on (a warm VM's taker). */
  listen(onStep: GuiOptions['onStep']): void {
    this.gui.onStep = onStep;
  }

  private step(name: GuiStep, window?: HostWindow): void {
    const ms = Date.now() - this.stepStart;
    // What "usually" means on this machine: a cold boot, and a cold open's window (a warm VM's is no guide).
    if (name === 'booted' || (name === 'window' && !this.restarted)) void recordTiming(this.gui.env, this.sandbox.accel.accel, name === 'booted' ? 'boot' : 'window', ms);
    this.gui.onStep?.(name, ms, window);
  }
}

/** Whichever ends first takes the other with it: closing the client stops the VM. */
async function endTogether(sandbox: Sandbox, client: XpraClient): Promise<SandboxOutcome> {
  const first = await Promise.race([sandbox.outcome.then(() => 'vm' as const), client.exited.then(() => 'client' as const)]);
  if (first === 'client') {
    // The client also leaves when the guest's server exits with the program: give the guest a
    // moment to report its exit status before treating this as "closed by the user".
    const reported = await Promise.race([sandbox.outcome.then(() => true), delay(CLIENT_GONE_GRACE_MS).then(() => false)]);
    if (!reported) await sandbox.stop();
  }
  const outcome = await sandbox.outcome;
  await client.stop();
  return outcome;
}

/** A cold start: boot, the job at once (the program starts beside the GUI server), then ready. */
export async function startGuiSession(options: SandboxOptions, gui: GuiOptions): Promise<GuiSession> {
  const session = await GuiSession.boot(options, gui);
  await session.run(options.job, options.hooks.files);
  await session.ready();
  return session;
}
