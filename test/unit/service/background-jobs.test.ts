// Background work (thumbnail batches) within the service's limits, giving way to a user's open: the real
// Admission and SandboxManager, with a stand-in launcher and stand-in jobs (no VM: the VM side of a batch is
// test/integration/trust). The service wires them the same way (src/service/daemon/service.ts).
import assert from 'node:assert/strict';
import { Admission } from '../../../src/sandbox/admission.js';
import { BackgroundJobs, type MemoryFloor } from '../../../src/service/daemon/background-jobs.js';
import type { LaunchedSandbox } from '../../../src/sandbox/launch.js';
import { SandboxManager } from '../../../src/sandbox/manager.js';
import { standInSandbox } from '../../helpers/stand-in-sandbox.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A launched sandbox that runs until stopped. */
function userSandbox(id: string): LaunchedSandbox {
  const sandbox = standInSandbox(id);
  sandbox.run();
  return sandbox.handle;
}

/** A background job standing in for a thumbnail batch: runs until its signal aborts, then "stops its VM" (a few ticks). */
function untilAborted(log: string[], name: string) {
  return async (abort: AbortSignal) => {
    log.push(`${name} runs`);
    await new Promise<void>((resolve) => abort.addEventListener('abort', () => resolve(), { once: true }));
    await tick();
    await tick();
    log.push(`${name} stopped`);
    return name;
  };
}

/** The host's memory, as the test sets it (the service reads /proc/meminfo). */
const plentyOfMemory = { availableMiB: () => 64 * 1024, minAvailableMiB: () => 2048 };

function service(maxSandboxes: number, maxGuestMemoryMiB = 8192, memory: MemoryFloor = plentyOfMemory) {
  const limits = { maxSandboxes, maxGuestMemoryMiB, queueTimeoutMs: 60_000 };
  const admission = new Admission(limits);
  const background = new BackgroundJobs(admission, memory);
  let launched = 0;
  const manager = new SandboxManager<{ kind: string }>({
    limits,
    admission,
    // As the service: a thumbnail batch gives way first (then the warm pool, absent here).
    evictWarm: () => background.giveWay(),
    lingerMs: 10,
    launch: async () => userSandbox(String(launched++).padStart(8, '0')),
    events: { started: () => {}, changed: () => {}, ended: () => {}, failedToStart: () => {}, stepped: () => {}, removed: () => {} },
  });
  return { admission, background, manager };
}

describe('BackgroundJobs (thumbnail batches give way to a user)', () => {
  it("admits a user's open at once while max_sandboxes is taken by thumbnailing: the batch stops and its slot goes to the open", async () => {
    const { admission, background, manager } = service(1);
    const log: string[] = [];
    const stop = new AbortController();
    const batch = background.run(1024, stop.signal, untilAborted(log, 'batch'));
    await tick();
    assert.deepEqual([admission.active, background.active], [1, 1], 'the batch holds the one slot');
    const open = await manager.start({ kind: 'open' }, 1024);
    assert.deepEqual(log, ['batch runs', 'batch stopped']);
    assert.deepEqual(await batch, { gaveWay: true });
    assert.equal(admission.active, 1, 'the open holds the slot, nothing else');
    assert.equal(admission.waiting, 0, 'the open never queued');
    // The next batch waits, without a deadline, until the open has ended.
    const next = background.run(1024, stop.signal, async () => 'next');
    await tick();
    assert.equal(background.active, 0);
    await open.stop();
    assert.deepEqual(await next, { value: 'next' });
    assert.equal(admission.active, 0);
    await manager.close();
  });

  it('counts a batch in the guest memory limit, and gives way there too', async () => {
    const { admission, background, manager } = service(4, 2048);
    const log: string[] = [];
    const stop = new AbortController();
    const batch = background.run(1536, stop.signal, untilAborted(log, 'batch'));
    await tick();
    assert.equal(admission.tryAcquire(1024), undefined, 'the batch counts in max_guest_memory');
    await manager.start({ kind: 'open' }, 1024);
    assert.deepEqual(await batch, { gaveWay: true });
    await assert.rejects(
      background.run(4096, stop.signal, async () => 'huge'),
      /over the service's 2048 MiB/,
    );
    await manager.close();
  });

  it('never goes before a waiting user: a freed slot goes to the user in line', async () => {
    const { admission, background } = service(1);
    const first = await admission.acquire(512);
    const user = admission.acquire(512);
    const stop = new AbortController();
    const order: string[] = [];
    const batch = background.run(512, stop.signal, async () => order.push('batch'));
    void user.then((release) => {
      order.push('user');
      release();
    });
    await tick();
    first();
    await batch;
    assert.deepEqual(order, ['user', 'batch']);
  });

  it('a stop (the service closing) ends a waiting batch with its reason and a running one as it is, not as giving way', async () => {
    const { background, admission } = service(1);
    const held = await admission.acquire(512);
    const stop = new AbortController();
    const waiting = background.run(512, stop.signal, async () => 'never');
    stop.abort(new Error('closing'));
    await assert.rejects(waiting, /closing/);
    held();
    const again = new AbortController();
    const running = background.run(512, again.signal, async (abort) => {
      await new Promise((resolve) => abort.addEventListener('abort', resolve, { once: true }));
      throw new Error('stopped by the close');
    });
    await tick();
    again.abort(new Error('closing'));
    await assert.rejects(running, /stopped by the close/);
    assert.equal(admission.active, 0);
    assert.equal(await background.giveWay(), false, 'nothing runs: nothing to give');
  });

  it('leaves [pool] min_available_memory to the host: a batch short of memory takes no slot and starts once the memory is there', async () => {
    let availableMiB = 2048 + 1023; // one MiB short of the floor with the batch's 1024 MiB VM running
    // Each look at the memory is counted: the test waits for three rechecks, not for a time.
    let looks = 0;
    let onLook: () => void = () => {};
    const lines: string[] = [];
    const memory: MemoryFloor = {
      availableMiB: () => {
        looks++;
        onLook();
        return availableMiB;
      },
      minAvailableMiB: () => 2048,
      recheckMs: 5,
      log: (line) => lines.push(line),
    };
    const { admission, background } = service(2, 8192, memory);
    const stop = new AbortController();
    let started = false;
    const batch = background.run(1024, stop.signal, async () => {
      started = true;
      return 'rendered';
    });
    const rechecked = looks + 3;
    await new Promise<void>((resolve) => {
      onLook = () => looks >= rechecked && resolve();
      onLook();
    });
    assert.equal(started, false, 'the batch started although the host is short of memory');
    assert.deepEqual([admission.active, background.active], [0, 0], 'a batch waiting for memory holds a slot');
    assert.equal(lines.length, 1, 'the wait is told once');
    assert.match(lines[0] ?? '', /3071 MiB available, it needs 1024 MiB and leaves \[pool\] min_available_memory \(2048 MiB\)/);
    availableMiB = 2048 + 1024;
    assert.deepEqual(await batch, { value: 'rendered' });
    // The service closing ends a batch that waits for memory, with its reason.
    availableMiB = 100;
    const waiting = background.run(1024, stop.signal, async () => 'never');
    stop.abort(new Error('closing'));
    await assert.rejects(waiting, /closing/);
    assert.equal(admission.active, 0);
  });
});
