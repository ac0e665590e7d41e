// A stop that comes while a sandbox is still starting (issue 30): launch()'s followStart aborts the start
// instead of sitting out the boot, and the sandbox ends as stopped. The start is a stand-in here (what is
// checked is the bookkeeping around it: the abort, running, the end, stop's return); that the signal
// reaches a real VM's start and ends everything of it is e2e/service-open's "Stop during a cold boot".
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { StepTracker } from '../../../src/gui/step-tracker.js';
import { followStart, StoppedBeforeRunning, type LaunchSpec, type Started } from '../../../src/sandbox/follow-start.js';
import { NOFEAR_FAILURE as FAILURE_STATUS, STOPPED_STATUS } from '../../../src/util/exit-status.js';
import type { Sandbox, SandboxOutcome } from '../../../src/sandbox/sandbox.js';

const SPEC: LaunchSpec = { kind: 'run', argv: ['true'], gui: false };
const meta = () => ({ id: 'stop0001', profile: 'temporary', command: ['true'], plan: undefined, spec: SPEC, progress: new StepTracker(new Date()) });

/** Rejects when `promise` has not settled within ms: what the old code did (it waited for the whole boot). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A sandbox that exists (its job runs): stop() ends it as stopped; dispose() is its clean-up. Only what followStart uses of a Sandbox. */
function standInBox() {
  let end: (outcome: SandboxOutcome) => void = () => {};
  const seen = { stops: 0, disposedWith: [] as Array<number | undefined> };
  const box = {
    outcome: new Promise<SandboxOutcome>((resolve) => (end = resolve)),
    qemuPid: 4242,
    stop: async () => {
      seen.stops++;
      end({ kind: 'stopped' });
    },
    dispose: async (status?: number) => void seen.disposedWith.push(status),
  };
  return { sandbox: box as unknown as Sandbox, seen, exit: (status: number) => end({ kind: 'exited', status, stdoutBytes: 0, stderrBytes: 0 }) };
}

/**
 * A start that would boot for ever: it ends only when aborted, rejecting once its clean-up is done (as a
 * real start's failure path removes the VM, its directory and the client before it rejects).
 */
function bootingForEver() {
  const seen = { signal: undefined as AbortSignal | undefined, cleanedUp: false };
  const start = (abort: AbortSignal): Started => {
    seen.signal = abort;
    return new Promise((_, reject) => {
      abort.addEventListener(
        'abort',
        () =>
          void nextTurn().then(() => {
            seen.cleanedUp = true;
            reject(abort.reason);
          }),
        { once: true },
      );
    });
  };
  return { start, seen };
}

describe('launch: a stop before the sandbox runs (followStart)', () => {
  it('aborts the start at once, returns once its clean-up is done, and ends as stopped (143), not failed', async () => {
    const { start, seen } = bootingForEver();
    const box = followStart(start, meta());
    assert.equal(seen.signal?.aborted, false, 'the start is given a live signal');
    await within(box.stop(), 2000, 'stop() during the boot');
    assert.equal(seen.signal?.aborted, true);
    assert.ok(seen.cleanedUp, 'stop() returns only after the start removed what it made');
    assert.deepEqual(await box.ended, { status: STOPPED_STATUS, failed: false });
    await assert.rejects(box.running, (error: unknown) => error instanceof StoppedBeforeRunning);
    assert.equal(box.qemuPid(), undefined);
    assert.equal(await box.launchBeside?.(['x']), false, 'nothing runs beside a sandbox that never ran');
  });

  it('a start that fails by itself still ends as NoFear failing (125), with its own error', async () => {
    const box = followStart(() => Promise.reject(new Error('QEMU died')), meta());
    await assert.rejects(box.running, /QEMU died/);
    assert.deepEqual(await box.ended, { status: FAILURE_STATUS, failed: true });
    await box.stop(); // after the end: nothing to abort, returns at once
  });

  it('a stop after running powers the sandbox off as before: no abort, its own outcome, cleaned up with it', async () => {
    const { sandbox, seen } = standInBox();
    let signal: AbortSignal | undefined;
    const box = followStart((abort) => ((signal = abort), Promise.resolve({ sandbox })), meta());
    await box.running;
    assert.equal(box.qemuPid(), 4242);
    await box.stop();
    assert.equal(signal?.aborted, false, 'a running sandbox is stopped, not aborted');
    assert.equal(seen.stops, 1);
    assert.deepEqual(await box.ended, { status: STOPPED_STATUS, failed: false });
    assert.deepEqual(seen.disposedWith, [STOPPED_STATUS]);
  });

  it('a guest that exits after running keeps its own status', async () => {
    const { sandbox, exit } = standInBox();
    const box = followStart(() => Promise.resolve({ sandbox }), meta());
    await box.running;
    exit(3);
    assert.deepEqual(await box.ended, { status: 3, failed: false });
  });

  it('a stop that comes as the start ends (too late to abort it) stops the sandbox: running rejects as stopped', async () => {
    const { sandbox, seen } = standInBox();
    let finishStart: () => void = () => {};
    const box = followStart(() => new Promise((resolve) => (finishStart = () => resolve({ sandbox }))), meta());
    const stopping = box.stop();
    finishStart(); // this start does not listen to its signal: it ends with its sandbox anyway
    await within(stopping, 2000, 'stop()');
    await assert.rejects(box.running, (error: unknown) => error instanceof StoppedBeforeRunning);
    assert.equal(seen.stops, 1);
    assert.deepEqual(await box.ended, { status: STOPPED_STATUS, failed: false });
  });
});
