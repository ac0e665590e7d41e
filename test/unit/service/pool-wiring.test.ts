// The service's pools wired (src/service/daemon/pool-wiring.ts): the host memory the pools watch, read from
// /proc/meminfo's form; [pool] memory resolved against the machine; the two pools held as one (a slot
// freed from the conversion pool first), with real WarmPools and admission around stand-in ready VMs (a
// real one boots QEMU: the VM suites run the service's pool); and a service with [pool] size = 0, which
// hands out no ready VM.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type Config } from '../../../src/config/index.js';
import { Admission } from '../../../src/sandbox/admission.js';
import { WarmPool } from '../../../src/sandbox/warm-pool.js';
import type { PoolSession } from '../../../src/sandbox/warm-pool-types.js';
import { availableMemoryMiB, poolBudgetOf, Pools, servicePool } from '../../../src/service/daemon/pool-wiring.js';

/** A ready VM that stays up until stopped; `stopped` names the ones that were. */
function standInSession(id: string, stopped: string[]): PoolSession {
  let end: (outcome: { kind: string }) => void = () => {};
  const finished = new Promise<{ kind: string }>((resolve) => (end = resolve));
  return {
    sandbox: {
      id,
      stop: async () => {
        stopped.push(id);
        end({ kind: 'stopped' });
      },
      dispose: async () => {},
    },
    ready: async () => {},
    finished,
  };
}

function standInPool(purpose: string, admission: Admission, stopped: string[], log: (line: string) => void): WarmPool<PoolSession> {
  let booted = 0;
  return new WarmPool<PoolSession>({
    settings: () => ({ size: 1, memoryMiB: 512, minAvailableMiB: 0, idleTimeoutMs: 0 }),
    admission,
    availableMiB: () => 100_000,
    log,
    boot: async () => standInSession(`${purpose}-${booted++}`, stopped),
    // No watch round within the test: a freed slot is not refilled behind its back.
    timings: { watchMs: 600_000, replaceAfterMs: 600_000, retryBaseMs: 10 },
  });
}

/** The pools' log, and a wait for a line in it (the pool says when a warm VM is ready; the test's timeout is the deadline). */
function poolLog() {
  const lines: string[] = [];
  const waits: Array<() => void> = [];
  return {
    log: (line: string) => {
      lines.push(line);
      for (const wake of waits) wake();
    },
    until: (wanted: (lines: string[]) => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => wanted(lines) && resolve();
        waits.push(check);
        check();
      }),
  };
}

describe('service/daemon/pool-wiring', () => {
  it('reads MemAvailable in MiB, and does not hold the pool back when it cannot be read', () => {
    assert.equal(availableMemoryMiB('MemTotal:       16303428 kB\nMemFree:         1015184 kB\nMemAvailable:    2098176 kB\n'), 2049);
    assert.equal(availableMemoryMiB('MemTotal:       16303428 kB\n'), Number.POSITIVE_INFINITY);
    assert.equal(availableMemoryMiB('MemAvailable: lots\n'), Number.POSITIVE_INFINITY);
  });

  it('resolves [pool] memory against the machine: a quarter of its RAM when auto, the configured MiB otherwise, within the limits', () => {
    const config = (change: (c: Config) => void) => {
      const c = defaultConfig();
      c.service.maxGuestMemoryMiB = 8192;
      c.pool.minAvailableMemoryMiB = 1024;
      change(c);
      return c;
    };
    assert.equal(
      poolBudgetOf(
        config((c) => (c.pool.memoryMiB = 'auto')),
        16_384,
      ),
      4096,
    );
    assert.equal(
      poolBudgetOf(
        config((c) => (c.pool.memoryMiB = 3000)),
        16_384,
      ),
      3000,
    );
    assert.equal(
      poolBudgetOf(
        config((c) => (c.pool.memoryMiB = 12_000)),
        16_384,
      ),
      8192,
      'never more than [service] max_guest_memory',
    );
  });

  it('holds both pools as one, and frees a slot from the conversion pool first', async function () {
    this.timeout(10_000);
    const stopped: string[] = [];
    const admission = new Admission({ maxSandboxes: 4, maxGuestMemoryMiB: 4096, queueTimeoutMs: 1000 });
    const heard = poolLog();
    const open = standInPool('open', admission, stopped, heard.log);
    const convert = standInPool('convert', admission, stopped, heard.log);
    let closed = 0;
    const edit = standInPool('edit', admission, stopped, heard.log);
    const pools = new Pools(open as unknown as WarmPool, convert as unknown as WarmPool<never>, edit as unknown as WarmPool, () => void closed++);
    try {
      assert.equal(pools.empty, true);
      open.useDisplay(':9');
      convert.useDisplay('headless');
      pools.start();
      await heard.until((lines) => lines.includes('warm VM open-0 ready') && lines.includes('warm VM convert-0 ready'));
      assert.equal(pools.empty, false);
      assert.equal(pools.memoryHeldMiB, 1024);
      assert.equal(await pools.evictOne(), true);
      assert.deepEqual(stopped, ['convert-0'], 'the conversion VM goes first');
      assert.equal(pools.empty, false, 'one pool still holds a VM');
      assert.equal(await pools.evictOne(), true);
      assert.deepEqual(stopped, ['convert-0', 'open-0']);
      assert.equal(await pools.evictOne(), false, 'nothing left to free');
    } finally {
      await pools.close();
    }
    assert.equal(closed, 1);
  });

  it('with [pool] size = 0 hands out no ready VM, to an open, a run or a conversion', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nofear-pool-wiring-'));
    const config = defaultConfig();
    config.pool.size = 0;
    const env = { HOME: dir, XDG_RUNTIME_DIR: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, XDG_CACHE_HOME: dir };
    const service = servicePool({ env, config: () => config, admission: new Admission({ maxSandboxes: 2, maxGuestMemoryMiB: 4096, queueTimeoutMs: 1000 }), log: () => {} });
    try {
      service.pool.start();
      assert.equal(service.pool.empty, true);
      const cold = service.coldConversionReady();
      assert.equal(cold(1024), undefined);
      assert.equal(cold(1024), undefined);
      assert.equal(service.takeWarm({ kind: 'run', argv: ['true'], gui: false }), undefined);
      assert.equal(await service.evictWarm(), false);
    } finally {
      await service.pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
