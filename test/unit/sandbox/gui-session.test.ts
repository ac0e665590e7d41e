// A VM and its host Xpra client as one session (src/sandbox/gui-session.ts): no VM without a display; each
// step to the first window heard; a VM that fails on the way takes the client with it and names the step;
// a program that ended before its window is no failure of NoFear's; the client refused by the display says
// so; whichever of VM and client ends first takes the other. The VM and the client are stand-ins (a real
// session boots QEMU and attaches Xpra: test/e2e/gui.test.ts runs it), built into a session through its
// constructor, which GuiSession.boot calls once both have started.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isNoFearError } from '../../../src/errors.js';
import type { HostWindow } from '../../../src/gui/client.js';
import { GuiSession, type GuiOptions, type GuiStep } from '../../../src/sandbox/gui-session.js';
import type { SandboxOutcome } from '../../../src/sandbox/sandbox.js';

const EXITED: SandboxOutcome = { kind: 'exited', status: 0, stdoutBytes: 0, stderrBytes: 0 };

/** A promise with its resolve at hand. */
function settable<T>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The stand-in VM and client a session is built around, and what was done to them. */
function parts(env: NodeJS.ProcessEnv) {
  const outcome = settable<SandboxOutcome>();
  const exited = settable<void>();
  const attached = settable<void>();
  const firstWindow = settable<HostWindow>();
  const server = settable<void>();
  const done = { stops: 0, discards: 0, clientStops: 0, runs: 0 };
  const sandbox = {
    accel: { accel: 'tcg' },
    outcome: outcome.promise,
    stop: async () => {
      done.stops++;
      outcome.resolve({ kind: 'stopped' });
    },
    discard: async () => void done.discards++,
    run: async () => void done.runs++,
  };
  const client = {
    attached: attached.promise,
    exited: exited.promise,
    firstWindow: firstWindow.promise,
    displayRefused: false,
    stop: async () => {
      done.clientStops++;
      exited.resolve();
    },
  };
  const steps: GuiStep[] = [];
  // Short deadlines: a step that fails another way leaves its deadline's timer to run out (it then does nothing).
  const gui: GuiOptions = { border: { colour: 'OrangeRed', width: 3 }, clipboard: 'off', sound: false, env, deadlines: { server: 2000, attached: 2000 }, onStep: (step) => steps.push(step) };
  // Its constructor is private: GuiSession.boot is the only caller, once the VM and the client exist.
  const Session = GuiSession as unknown as new (...args: unknown[]) => GuiSession;
  const session = new Session(sandbox, client, server.promise, gui, Date.now() - 1000);
  return { session, outcome, exited, attached, firstWindow, server, done, steps, client };
}

describe('sandbox/gui-session: a VM and its client as one (stand-ins for both)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-gui-session-'));
    env = { HOME: dir, XDG_RUNTIME_DIR: dir, XDG_CACHE_HOME: dir };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('boots no VM without a display to show it on', async () => {
    await assert.rejects(
      GuiSession.boot(
        { shape: { profile: 'temporary', memoryMiB: 512, cpus: 1, net: 'none', stdio: 'none', gui: true, sound: false }, hooks: { hostEnv: env, ownerKind: 'cli', files: [] } },
        { border: { colour: 'OrangeRed', width: 3 }, clipboard: 'off', sound: false, env },
      ),
      (error: unknown) => isNoFearError(error) && error.code === 'Unavailable' && /DISPLAY is not set/.test(error.message),
    );
    assert.deepEqual(readdirSync(dir), [], 'no sandbox directory was made');
  });

  it('is ready once the server is up and the client attached, each step heard; then its window', async () => {
    const s = parts(env);
    s.server.resolve();
    s.attached.resolve();
    await s.session.ready();
    assert.deepEqual(s.steps, ['server', 'attached']);
    s.firstWindow.resolve({ xid: 42 } as HostWindow);
    assert.deepEqual(await s.session.window, { xid: 42 });
    assert.deepEqual(s.steps, ['server', 'attached', 'window']);
    assert.deepEqual(s.done, { stops: 0, discards: 0, clientStops: 0, runs: 0 });
  });

  it('a VM that fails before its server is up stops the client, discards the VM and names the step and why', async () => {
    const s = parts(env);
    s.outcome.resolve({ kind: 'failed', reason: "the VM's Xpra server failed to start three times" });
    await assert.rejects(
      s.session.ready(),
      (error: unknown) => isNoFearError(error) && /stopped at the guest's Xpra server starting: the VM's Xpra server failed to start three times\.$/.test(error.message),
    );
    assert.equal(s.done.discards, 1);
    assert.ok(s.done.clientStops >= 1);
  });

  it('a program that ended before any window is no failure: ready() returns, and finished gives its status', async () => {
    const s = parts(env);
    s.server.resolve();
    s.outcome.resolve({ ...EXITED, status: 3 });
    await s.session.ready();
    assert.equal(s.done.discards, 0);
    assert.deepEqual(await s.session.finished, { ...EXITED, status: 3 });
    assert.equal(await s.session.window, undefined);
  });

  it('says the display refused the client when it did', async () => {
    const s = parts({ ...env, DISPLAY: ':77' });
    s.client.displayRefused = true;
    s.server.resolve();
    void s.client.stop();
    s.outcome.resolve({ kind: 'failed', reason: 'powered off' });
    await assert.rejects(s.session.ready(), (error: unknown) => isNoFearError(error) && /could not open the display :77/.test(error.message) && /DISPLAY=:77 xdpyinfo/.test(error.fix ?? ''));
  });

  it('the VM ending takes the client with it; the client leaving, with the VM reporting at once, does not stop the VM', async () => {
    const first = parts(env);
    first.outcome.resolve(EXITED);
    assert.deepEqual(await first.session.finished, EXITED);
    assert.equal(first.done.clientStops, 1);
    assert.equal(first.done.stops, 0);

    const second = parts(env);
    second.exited.resolve();
    second.outcome.resolve(EXITED);
    assert.deepEqual(await second.session.finished, EXITED);
    assert.equal(second.done.stops, 0, 'the guest reported its exit: nothing to stop');
  });

  it("a warm VM's job restarts the clock, and its steps go to the taker's listener", async () => {
    const s = parts(env);
    const heard: Array<[GuiStep, number]> = [];
    s.session.listen((step, ms) => heard.push([step, ms]));
    await s.session.run({ argv: ['viewer'], env: {}, user: 'user' }, [], true);
    assert.equal(s.done.runs, 1);
    s.firstWindow.resolve({ xid: 1 } as HostWindow);
    await s.session.window;
    assert.equal(heard[0]?.[0], 'window');
    assert.ok((heard[0]?.[1] ?? Infinity) < 1000, `counted from the job, not from the boot (${heard[0]?.[1]} ms)`);
    assert.deepEqual(s.steps, [], "the pool's listener no longer hears it");
  });
});
