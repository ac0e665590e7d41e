// The warm pool's bookkeeping with stand-in VMs (no QEMU: a fake session the test drives), real
// admission, and short timings: filling, taking once, replacing, giving slots up, emptying.
import assert from 'node:assert/strict';
import { Admission } from '../../../src/sandbox/admission.js';
import type { GuiSession } from '../../../src/sandbox/gui-session.js';
import type { SandboxOutcome } from '../../../src/sandbox/sandbox.js';
import { retryDelayMs, WarmPool, type PoolDeps, type PoolSettings } from '../../../src/sandbox/warm-pool.js';

/** A VM whose life the test drives: ready(), fail(), die(), showWindow(). */
function fakeVm(id: string) {
  let ready: () => void = () => {};
  let fail: (error: Error) => void = () => {};
  let end: (outcome: SandboxOutcome) => void = () => {};
  let showWindow: () => void = () => {};
  const readiness = new Promise<void>((resolve, reject) => {
    ready = resolve;
    fail = reject;
  });
  readiness.catch(() => undefined);
  const finished = new Promise<SandboxOutcome>((resolve) => (end = resolve));
  const window = new Promise<{ xid: number } | undefined>((resolve) => (showWindow = () => resolve({ xid: 1 })));
  const stopped = { value: false };
  const session = {
    sandbox: {
      id,
      dispose: async () => {},
      stop: async () => {
        stopped.value = true;
        end({ kind: 'stopped' });
      },
    },
    client: { stop: async () => {} },
    // As the real session's: a VM that ends while getting ready fails its ready().
    ready: () => Promise.race([readiness, finished.then(() => Promise.reject(new Error('the VM ended first')))]),
    finished,
    window,
  } as unknown as GuiSession;
  return { id, session, ready, fail, die: () => end({ kind: 'failed', reason: 'QEMU killed' }), showWindow, stopped };
}

function harness(overrides: Partial<PoolSettings> = {}, deps: Partial<PoolDeps> = {}) {
  const settings: PoolSettings = { size: 1, memoryMiB: 512, minAvailableMiB: 0, idleTimeoutMs: 0, ...overrides };
  const admission = new Admission({ maxSandboxes: 2, maxGuestMemoryMiB: 4096, queueTimeoutMs: 1000 });
  const vms: Array<ReturnType<typeof fakeVm>> = [];
  const memory = { availableMiB: 100_000 };
  const log: string[] = [];
  const shape = { key: 'clipboard off' };
  const pool = new WarmPool({
    shapeKey: () => shape.key,
    settings: () => settings,
    admission,
    availableMiB: () => memory.availableMiB,
    log: (line) => log.push(line),
    boot: async () => {
      const vm = fakeVm(`0000000${vms.length}`);
      vms.push(vm);
      return vm.session;
    },
    timings: { watchMs: 20, replaceAfterMs: 200, retryBaseMs: 10 },
    ...deps,
  });
  return { pool, vms, settings, admission, memory, log, shape };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
async function until(condition: () => boolean, what: string, deadlineMs = 2000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `${what}: not within ${deadlineMs} ms`);
    await settle();
  }
}

describe('WarmPool', () => {
  let pools: WarmPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.close()));
    pools = [];
  });
  const make = (overrides: Partial<PoolSettings> = {}, deps: Partial<PoolDeps> = {}) => {
    const h = harness(overrides, deps);
    pools.push(h.pool);
    return h;
  };
  /** A started pool on display :5 whose first VM is ready. */
  const withOneReady = async (overrides: Partial<PoolSettings> = {}) => {
    const h = make(overrides);
    h.pool.start();
    h.pool.useDisplay(':5');
    await until(() => h.vms.length === 1, 'a boot');
    h.vms[0]?.ready();
    await until(() => h.pool.counts.ready === 1, 'ready');
    return h;
  };

  it('never holds more guest memory than its budget allows, two pools sharing one budget', async () => {
    const budgetMiB = 1536;
    const pools: WarmPool[] = [];
    const held = () => pools.reduce((sum, p) => sum + p.memoryHeldMiB, 0);
    const roomFor = (memoryMiB: number) => held() + memoryMiB <= budgetMiB;
    const a = make({ size: 3 }, { roomFor });
    const b = make({ size: 3 }, { roomFor });
    pools.push(a.pool, b.pool);
    let most = 0;
    for (const p of pools) p.onChange(() => (most = Math.max(most, held())));
    a.pool.start();
    b.pool.start();
    a.pool.useDisplay(':5');
    b.pool.useDisplay(':5');
    await until(() => a.vms.length + b.vms.length === 3, `three boots (${a.vms.length}+${b.vms.length}, ${held()} MiB)`);
    [...a.vms, ...b.vms].forEach((vm) => vm.ready());
    await until(() => a.pool.counts.ready + b.pool.counts.ready === 3, 'three ready');
    await new Promise((resolve) => setTimeout(resolve, 100)); // several watch rounds (20 ms): none boots a fourth
    assert.equal(a.vms.length + b.vms.length, 3, 'a fourth 512 MiB VM would pass 1536 MiB');
    const taken = a.pool.take(':5') ?? b.pool.take(':5');
    assert.ok(taken !== undefined);
    await until(() => a.vms.length + b.vms.length === 4, 'the taken one replaced (it left the pool with its memory)');
    assert.ok(most <= budgetMiB, `held ${most} MiB at most`);
    assert.equal(held(), budgetMiB);
  });

  it('boots nothing while a request that found no ready VM boots its own, until its window', async () => {
    const { pool, vms } = make();
    pool.start();
    assert.equal(pool.take(':5'), undefined, 'nothing ready');
    let shown: () => void = () => {};
    pool.holdOff(new Promise<void>((resolve) => (shown = resolve)), 60_000);
    pool.useDisplay(':5');
    await new Promise((resolve) => setTimeout(resolve, 400)); // past replaceAfterMs (200) and many watch rounds (20)
    assert.equal(vms.length, 0, 'the pool booted beside the cold VM');
    shown();
    await until(() => vms.length === 1, 'the pool fills once the window is up');
  });

  it('replaces a ready VM booted with other [vm] or [gui] settings, and keeps one booted with the same', async () => {
    const { pool, vms, shape, log } = await withOneReady();
    pool.settingsChanged();
    await settle();
    assert.equal(vms[0]?.stopped.value, false, 'stopped though nothing changed');
    shape.key = 'clipboard to-guest';
    pool.settingsChanged();
    await until(() => vms[0]?.stopped.value === true, 'the stale VM stopped');
    await until(() => vms.length === 2, 'a replacement booting');
    assert.ok(
      log.some((line) => /no longer the configured ones/.test(line)),
      log.join('\n'),
    );
    vms[1]?.ready();
    await until(() => pool.counts.ready === 1, 'the replacement ready');
    assert.equal(pool.take(':5')?.session, vms[1]?.session, 'the stale VM was handed out');
  });

  it('boots nothing without a display or before start, then fills to its size, holding a slot each', async () => {
    const { pool, vms, admission } = make({ size: 2 });
    pool.start();
    await settle();
    assert.equal(vms.length, 0, 'no display: nothing to attach a client to');
    pool.useDisplay(':5');
    await until(() => vms.length === 2, 'two boots');
    assert.equal(admission.active, 2, 'warm VMs count against max_sandboxes');
    assert.deepEqual(pool.counts, { ready: 0, booting: 2 });
    vms.forEach((vm) => vm.ready());
    await until(() => pool.counts.ready === 2, 'both ready');
  });

  it('hands a ready VM out once, on its own display only; the replacement waits for the taken window', async () => {
    const { pool, vms } = make();
    pool.start();
    pool.useDisplay(':5');
    await until(() => vms.length === 1, 'a boot');
    assert.equal(pool.take(':5'), undefined, 'booting is not ready');
    vms[0]?.ready();
    await until(() => pool.counts.ready === 1, 'ready');
    assert.equal(pool.take(':6'), undefined, 'another display');
    const taken = pool.take(':5');
    assert.equal(taken?.session, vms[0]?.session);
    assert.equal(pool.take(':5'), undefined, 'never handed out twice');
    await settle();
    assert.equal(vms.length, 1, 'no replacement while the taken viewer starts');
    vms[0]?.showWindow();
    await until(() => vms.length === 2, 'the replacement boots after the window');
    assert.notEqual(vms[1]?.session, taken?.session);
    taken?.release();
  });

  it('replaces a ready VM that dies, and backs off when boots keep failing', async () => {
    const { vms, log } = await withOneReady();
    vms[0]?.die();
    await until(() => vms.length === 2, 'a replacement');
    assert.ok(
      log.some((line) => /ended while waiting \(failed\); replacing it/.test(line)),
      log.join('\n'),
    );
    vms[1]?.fail(new Error('no display'));
    await until(() => vms.length === 3, 'a retry');
    assert.deepEqual([retryDelayMs(0), retryDelayMs(1), retryDelayMs(9)], [1000, 2000, 64_000]);
  });

  it('gives a slot up to a user, and stops everything on drain, staying empty until the next take', async () => {
    const { pool, vms, admission } = await withOneReady();
    assert.equal(await pool.evictOne(), true);
    assert.equal(vms[0]?.stopped.value, true);
    assert.equal(admission.active, 0, 'its slot is free');
    await until(() => vms.length === 2, 'refilled');
    await pool.drain(true);
    assert.ok(pool.empty);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(vms.length, 2, 'paused after StopAll');
    pool.take(':5');
    await until(() => vms.length === 3, 'an open wakes it up');
  });

  it('empties when the host runs short of memory and refills when it is back', async () => {
    const { pool, vms, memory, settings } = await withOneReady({ minAvailableMiB: 1000 });
    memory.availableMiB = settings.minAvailableMiB - 1;
    await until(() => pool.empty, 'emptied');
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(vms.length, 1, 'no boot while memory is short');
    memory.availableMiB = 100_000;
    await until(() => vms.length === 2, 'refilled');
  });

  it('empties after idle_timeout without an open', async () => {
    const { pool, vms } = make({ idleTimeoutMs: 50 });
    pool.start();
    pool.useDisplay(':5');
    await until(() => vms.length === 1, 'a boot');
    vms[0]?.ready();
    await until(() => pool.empty && vms[0]?.stopped.value === true, 'emptied when idle');
  });
});
