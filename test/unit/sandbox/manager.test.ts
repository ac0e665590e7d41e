// The service's admission and sandbox bookkeeping, with a stand-in launcher (no VM, no process).
import assert from 'node:assert/strict';
import { isNoFearError, NoFearError } from '../../../src/errors.js';
import { Admission } from '../../../src/sandbox/admission.js';
import { FAILURE_STATUS, STOPPED_STATUS } from '../../../src/sandbox/launch.js';
import { SandboxManager, type ManagedSandbox } from '../../../src/sandbox/manager.js';
import { standInSandbox } from '../../helpers/stand-in-sandbox.js';

const code = (expected: string) => (error: unknown) => isNoFearError(error) && error.code === expected;

function harness(limits = { maxSandboxes: 2, maxGuestMemoryMiB: 4096, queueTimeoutMs: 60_000 }) {
  const launched: Array<ReturnType<typeof standInSandbox>> = [];
  const log: string[] = [];
  let launchError: Error | undefined;
  const manager = new SandboxManager({
    limits,
    lingerMs: 20,
    launch: async () => {
      if (launchError) throw launchError;
      const sandbox = standInSandbox(String(launched.length).padStart(8, '0'));
      launched.push(sandbox);
      return sandbox.handle;
    },
    events: {
      started: (s) => log.push(`started ${s.id} ${s.state}`),
      changed: (s) => log.push(`changed ${s.id} ${s.state}`),
      ended: (s, status) => log.push(`ended ${s.id} ${status}`),
      failedToStart: (s) => log.push(`failed ${s.id}`),
      stepped: (s, step) => log.push(`step ${s.id} ${step}`),
      removed: (s) => log.push(`removed ${s.id}`),
    },
  });
  return { manager, launched, log, failLaunches: (error: Error) => (launchError = error) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Admission', () => {
  it('grants up to the limit, queues the rest in order, and lets one in per release', async () => {
    const admission = new Admission({ maxSandboxes: 2, maxGuestMemoryMiB: 4096, queueTimeoutMs: 60_000 });
    const first = await admission.acquire(512);
    await admission.acquire(512);
    const order: number[] = [];
    const third = admission.acquire(512).then((release) => (order.push(3), release));
    const fourth = admission.acquire(512).then((release) => (order.push(4), release));
    await tick();
    assert.equal(admission.active, 2);
    assert.equal(admission.waiting, 2);
    first();
    first(); // a second call frees nothing more
    await third;
    assert.deepEqual(order, [3]);
    assert.equal(admission.active, 2);
    (await third)();
    await fourth;
    assert.deepEqual(order, [3, 4]);
  });

  it('lets a waiting request go when its caller aborts (Cancel): it leaves the queue, the one behind it moves up', async () => {
    const admission = new Admission({ maxSandboxes: 1, maxGuestMemoryMiB: 4096, queueTimeoutMs: 60_000 });
    const first = await admission.acquire(512);
    const abort = new AbortController();
    const taken = admission.acquire(512, abort.signal);
    const behind = admission.acquire(512);
    await tick();
    assert.equal(admission.waiting, 2);
    abort.abort(new Error('taken back'));
    await assert.rejects(taken, /taken back/);
    assert.equal(admission.waiting, 1);
    first();
    (await behind)();
    await assert.rejects(admission.acquire(512, abort.signal), /taken back/, 'an aborted caller never gets into the queue');
    assert.equal(admission.waiting, 0);
  });

  it('counts guest memory as well as sandboxes', async () => {
    const admission = new Admission({ maxSandboxes: 10, maxGuestMemoryMiB: 1024, queueTimeoutMs: 60_000, configFile: '/home/u/.config/nofear/config.ini' });
    await admission.acquire(1024);
    const next = admission.acquire(512);
    await tick();
    assert.equal(admission.waiting, 1);
    await assert.rejects(
      admission.acquire(2048),
      (error: unknown) => code('LimitReached')(error) && (error as NoFearError).fix === 'raise [service] max_guest_memory, or lower [vm] memory, in /home/u/.config/nofear/config.ini',
      'a guest larger than the total is refused at once, naming where the limit lives',
    );
    admission.cancelWaiting(new NoFearError('Unavailable', 'stop'));
    await assert.rejects(next, code('Unavailable'));
  });

  it('fails LimitReached after the queue timeout, and a raised limit lets waiters in at once', async () => {
    const admission = new Admission({ maxSandboxes: 1, maxGuestMemoryMiB: 4096, queueTimeoutMs: 30, configFile: '/c/nofear/config.ini' });
    await admission.acquire(512);
    await assert.rejects(
      admission.acquire(512),
      (error: unknown) =>
        code('LimitReached')(error) && /none ended within 0.03 s/.test(String(error)) && /raise \[service\] max_sandboxes in \/c\/nofear\/config\.ini$/.test((error as NoFearError).fix ?? ''),
    );
    admission.update({ maxSandboxes: 1, maxGuestMemoryMiB: 4096, queueTimeoutMs: 60_000 });
    const waiting = admission.acquire(512);
    admission.update({ maxSandboxes: 2, maxGuestMemoryMiB: 4096, queueTimeoutMs: 60_000 });
    await waiting;
    assert.equal(admission.active, 2);
  });
});

describe('SandboxManager', () => {
  it('follows a sandbox from starting to exited, then forgets it after the linger time', async () => {
    const { manager, launched, log } = harness();
    const sandbox = await manager.start({ kind: 'run', argv: ['true'], gui: false }, 512);
    assert.equal(sandbox.state, 'starting');
    assert.equal(sandbox.exitStatus, -1);
    assert.equal(sandbox.startedAtMicros, 1_700_000_000_123_000n);
    launched[0]?.run();
    await tick();
    assert.equal(sandbox.state, 'running');
    launched[0]?.end(3);
    assert.deepEqual(await sandbox.ended, { status: 3, failed: false });
    await tick();
    assert.equal(sandbox.state, 'exited');
    assert.equal(sandbox.exitStatus, 3);
    assert.deepEqual(manager.live(), []);
    assert.equal(manager.list().length, 1, 'still listed while it lingers');
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.deepEqual(manager.list(), []);
    assert.deepEqual(log, ['started 00000000 starting', 'changed 00000000 running', 'changed 00000000 exited', 'ended 00000000 3', 'removed 00000000']);
  });

  it('marks a start that fails as failed with 125 and frees its slot', async () => {
    const { manager, launched, log } = harness({ maxSandboxes: 1, maxGuestMemoryMiB: 4096, queueTimeoutMs: 60_000 });
    const sandbox = await manager.start({ kind: 'run', argv: ['true'], gui: false }, 512);
    launched[0]?.fail(new Error('QEMU died'));
    assert.deepEqual(await sandbox.ended, { status: FAILURE_STATUS, failed: true });
    await tick();
    assert.equal(sandbox.state, 'failed');
    assert.ok(log.includes('failed 00000000'));
    await manager.start({ kind: 'run', argv: ['true'], gui: false }, 512); // the slot is free again
  });

  it('a sandbox stopped before its job ran (mid-boot) ends exited with 143: no failure, no failedToStart, its slot free', async () => {
    const { manager, launched, log } = harness({ maxSandboxes: 1, maxGuestMemoryMiB: 4096, queueTimeoutMs: 60_000 });
    const sandbox = await manager.start({ kind: 'run', argv: ['true'], gui: false }, 512);
    launched[0]?.stopBeforeRunning();
    assert.deepEqual(await sandbox.ended, { status: STOPPED_STATUS, failed: false });
    await tick();
    assert.equal(sandbox.state, 'exited');
    assert.equal(sandbox.exitStatus, STOPPED_STATUS);
    assert.equal(sandbox.failure, '', 'no reason: nothing failed');
    assert.deepEqual(log, ['started 00000000 starting', 'changed 00000000 exited', `ended 00000000 ${STOPPED_STATUS}`], 'never running, never failed to start');
    await manager.start({ kind: 'run', argv: ['true'], gui: false }, 512); // the slot is free again
  });

  it('reports a guest command that exits 125 as exited with status 125, not as NoFear failing', async () => {
    const { manager, launched, log } = harness();
    const sandbox = await manager.start({ kind: 'run', argv: ['sh', '-c', 'exit 125'], gui: false }, 512);
    launched[0]?.run();
    launched[0]?.end(125);
    assert.deepEqual(await sandbox.ended, { status: 125, failed: false });
    await tick();
    assert.equal(sandbox.state, 'exited');
    assert.equal(sandbox.exitStatus, 125);
    assert.ok(log.includes('ended 00000000 125'));
  });

  it('never runs more than the limit; StopAll cancels the waiting calls and stops the running', async () => {
    const { manager, launched } = harness();
    const starts: Array<Promise<ManagedSandbox>> = Array.from({ length: 5 }, () => manager.start({ kind: 'run', argv: ['true'], gui: false }, 512));
    await tick();
    assert.equal(launched.length, 2);
    assert.equal(manager.waiting, 3);
    launched[0]?.end(0);
    await tick();
    await tick();
    assert.equal(launched.length, 3, 'one ended, one more started');
    await manager.stopAll();
    const results = await Promise.allSettled(starts);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
    assert.ok(results.filter((r) => r.status === 'rejected').every((r) => code('Unavailable')((r as PromiseRejectedResult).reason)));
    assert.deepEqual(manager.live(), []);
  });

  it('frees the slot when launch() refuses, and refuses everything once closed', async () => {
    const { manager, failLaunches } = harness({ maxSandboxes: 1, maxGuestMemoryMiB: 4096, queueTimeoutMs: 50 });
    failLaunches(new NoFearError('NoViewer', 'none'));
    await assert.rejects(manager.start({ kind: 'run', argv: ['true'], gui: false }, 512), code('NoViewer'));
    await assert.rejects(manager.start({ kind: 'run', argv: ['true'], gui: false }, 512), code('NoViewer'), 'not LimitReached: the slot was freed');
    await manager.close();
    await assert.rejects(manager.start({ kind: 'run', argv: ['true'], gui: false }, 512), code('Unavailable'));
  });
});
