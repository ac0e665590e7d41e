// The ready VMs' shapes (one planning function) and which jobs a ready VM may serve, and the plan of how
// many ready VMs of each shape the pool keeps within [pool] memory.
import assert from 'node:assert/strict';
import { defaultConfig, type Config } from '../../../src/config/index.js';
import { converterArgv } from '../../../src/convert/convert-file.js';
import type { ConvertPlan } from '../../../src/convert/convert-plan.js';
import { openRequest, writtenOpenRequest, type WritableCopy } from '../../../src/sandbox/open-file.js';
import type { OpenPlan } from '../../../src/open/open-plan.js';
import {
  conversionMemoryMiB,
  conversionRequest,
  jobShapeOf,
  MAX_POOL_SIZE,
  planPool,
  poolBudgetMiB,
  poolSettings,
  poolShape,
  poolShapeKey,
  servesJob,
  type JobShape,
  type PoolPlan,
  type PoolPlanInput,
} from '../../../src/sandbox/pool-shapes.js';
import { sandboxOptionsFrom } from '../../../src/sandbox/sandbox-options.js';

const noExport = { bytes: 0, fill: async () => {} };
const filePlan = (extra: Partial<OpenPlan> = {}): OpenPlan => ({
  kind: 'file',
  file: '/home/ann/a.pdf',
  source: '/home/ann/a.pdf',
  size: 10,
  checked: undefined,
  stagedName: 'a.pdf',
  mime: 'application/pdf',
  viewer: 'mupdf.desktop',
  viewerName: 'MuPDF',
  argv: ['mupdf', '/staging/a.pdf'],
  notes: [],
  ...extra,
});
const convertPlan = { kind: 'office', dpi: 150, stagedName: 'a.docx' } as ConvertPlan;

describe('pool shapes', () => {
  const config = defaultConfig();

  it('plans a conversion shape of its own: no GUI, no network, the converter, stdout a channel', () => {
    const shape = poolShape('convert', config);
    assert.deepEqual({ gui: shape.gui, net: shape.net, runs: shape.runs, stdio: shape.stdio, window: shape.window }, { gui: false, net: 'none', runs: 'converter', stdio: 'pipe', window: undefined });
    assert.equal(shape.tbSizeMiB, config.vm.tbSizeMiB, 'a conversion VM renders: the configured TCG cache');
    assert.equal(shape.memoryMiB, 512, 'a conversion VM: half of [vm] memory (1 GiB)');
    const open = poolShape('open', config);
    assert.deepEqual({ gui: open.gui, net: open.net, runs: open.runs }, { gui: true, net: 'none', runs: 'viewer' });
    assert.equal(open.tbSizeMiB, 32, 'a GUI VM mostly waits: the small TCG cache');
    assert.equal(open.memoryMiB, 1024, 'a GUI VM: [vm] memory');
    assert.notEqual(poolShapeKey(shape), poolShapeKey(open));
  });

  it('boots a cold conversion from the very request its ready VM is booted from (same VM options)', () => {
    const hooks = { hostEnv: {}, ownerKind: 'service' as const };
    const cold = sandboxOptionsFrom(config, conversionRequest(converterArgv(convertPlan as ConvertPlan), noExport, config), hooks).shape;
    const shape = poolShape('convert', config);
    assert.deepEqual(jobShapeOf(conversionRequest(converterArgv(convertPlan), noExport, config), config), {
      profile: shape.profile,
      net: shape.net,
      memoryMiB: shape.memoryMiB,
      cpus: shape.cpus,
      gui: shape.gui,
      stdio: shape.stdio,
      runs: shape.runs,
      export: { writable: false },
    });
    assert.deepEqual({ gui: cold.gui, net: cold.net, stdio: cold.stdio, memoryMiB: cold.memoryMiB, cpus: cold.cpus }, { gui: false, net: 'none', stdio: 'pipe', memoryMiB: 512, cpus: 2 });
  });

  it('gives a conversion VM half of [vm] memory, at least 512 MiB, never more than [vm] memory', () => {
    const withMemory = (memoryMiB: number) => {
      const next = defaultConfig();
      next.vm.memoryMiB = memoryMiB;
      return conversionMemoryMiB(next);
    };
    assert.deepEqual([256, 512, 768, 1024, 2048, 4096].map(withMemory), [256, 512, 512, 512, 1024, 2048]);
  });

  it('serves a conversion with a conversion VM only, and an open with a GUI VM only', () => {
    const conversion = jobShapeOf(conversionRequest(converterArgv(convertPlan), noExport, config), config);
    const fileOpen = jobShapeOf(openRequest(filePlan(), config), config);
    assert.equal(servesJob(poolShape('convert', config), conversion), true);
    assert.equal(servesJob(poolShape('open', config), conversion), false, 'a GUI VM never takes a conversion');
    assert.equal(servesJob(poolShape('open', config), fileOpen), true);
    assert.equal(servesJob(poolShape('convert', config), fileOpen), false, 'a conversion VM never takes an open');
  });

  it('never hands a ready VM to a job of another network, memory, CPUs or profile', () => {
    const ready = poolShape('open', config);
    const fileOpen = jobShapeOf(openRequest(filePlan(), config), config);
    const others: Array<[string, JobShape]> = [
      ['network', jobShapeOf(openRequest(filePlan({ net: 'user' }), config), config)],
      ['network (a web page)', jobShapeOf(openRequest(filePlan({ kind: 'url' }), config), config)],
      ['memory', { ...fileOpen, memoryMiB: 2048 }],
      ['cpus', { ...fileOpen, cpus: 4 }],
      ['profile', { ...fileOpen, profile: 'work' }],
      ['stdio (the message view)', jobShapeOf(openRequest(filePlan({ view: 'mail' }), config), config)],
    ];
    for (const [what, job] of others) assert.equal(servesJob(ready, job), false, what);
    const conversion = jobShapeOf(conversionRequest(['x'], noExport, config), config);
    assert.equal(servesJob(poolShape('convert', config), { ...conversion, memoryMiB: 4096 }), false, 'a conversion of another memory');
  });

  it('plans an edit shape: the GUI VM with a writable export capped as a cold edit’s, never interchangeable with an open’s', () => {
    const env = {};
    const edit = poolShape('edit', config, env);
    const open = poolShape('open', config, env);
    assert.deepEqual(edit.export, { writable: true, capBytes: 1024 ** 3 }, 'the cap of a cold edit of a small file (exportCapBytes)');
    assert.deepEqual(open.export, { writable: false });
    assert.deepEqual({ gui: edit.gui, net: edit.net, runs: edit.runs, tbSizeMiB: edit.tbSizeMiB }, { gui: true, net: 'none', runs: 'viewer', tbSizeMiB: open.tbSizeMiB });
    assert.notEqual(poolShapeKey(edit), poolShapeKey(open));
    const copyOf = (bytes: number): WritableCopy => ({ exportSpec: () => ({ bytes, writable: true, fill: async () => {} }), hold: async () => {} });
    const editJob = (bytes: number) => jobShapeOf(writtenOpenRequest(filePlan({ size: bytes }), config, copyOf(bytes)), config, env);
    const openJob = jobShapeOf(openRequest(filePlan(), config), config, env);
    assert.equal(servesJob(edit, editJob(10)), true, 'an edit of a small file takes an edit VM');
    assert.equal(servesJob(open, editJob(10)), false, 'an edit never takes a VM whose export is read-only');
    assert.equal(servesJob(edit, openJob), false, 'an open never takes a VM whose export the guest may write');
    assert.equal(servesJob(edit, editJob(400 * 1024 ** 2)), false, 'an edit whose cap is larger (3x its file) boots its own');
    assert.equal(servesJob(poolShape('convert', config, env), editJob(10)), false);
    const lowered = { NOFEAR_TEST_EXPORT_CAP_BYTES: String(64 * 1024 ** 2) };
    assert.deepEqual(poolShape('edit', config, lowered).export, { writable: true, capBytes: 64 * 1024 ** 2 }, 'the cap QEMU is started with, from the same environment');
  });

  it('makes a ready VM stale when a setting of its shape changes, and only then', () => {
    const changed = (edit: (c: Config) => void) => {
      const next = defaultConfig();
      edit(next);
      return (['open', 'convert'] as const).map((purpose) => poolShapeKey(poolShape(purpose, next)) !== poolShapeKey(poolShape(purpose, config)));
    };
    assert.deepEqual(
      changed((c) => (c.vm.memoryMiB = 2048)),
      [true, true],
    );
    assert.deepEqual(
      changed((c) => (c.gui.clipboard = 'to-guest')),
      [true, false],
      'the clipboard is the GUI client’s',
    );
    assert.deepEqual(
      changed((c) => (c.vm.net = 'user')),
      [false, false],
      'pool VMs have no network whatever [vm] net says',
    );
    assert.deepEqual(
      changed((c) => (c.pool.idleTimeoutSeconds = 5)),
      [false, false],
    );
  });
});

describe('pool plan', () => {
  const input = (extra: Partial<PoolPlanInput> = {}): PoolPlanInput => ({
    size: 'auto',
    budgetMiB: 4096,
    memoryMiB: { open: 1024, convert: 1024, edit: 1024 },
    recentUses: { open: 0, convert: 0, edit: 0 },
    defaultHandler: false,
    ...extra,
  });
  const memoryOf = (plan: PoolPlan, per: PoolPlan) => plan.open * per.open + plan.convert * per.convert + plan.edit * per.edit;

  it('auto: one GUI VM while NoFear is a default handler, none otherwise until something is opened', () => {
    assert.deepEqual(planPool(input()), { open: 0, convert: 0, edit: 0 });
    assert.deepEqual(planPool(input({ defaultHandler: true })), { open: 1, convert: 0, edit: 0 });
    assert.deepEqual(planPool(input({ recentUses: { open: 2, convert: 0, edit: 0 } })), { open: 2, convert: 0, edit: 0 });
    assert.deepEqual(planPool(input({ recentUses: { open: 0, convert: 3, edit: 0 } })), { open: 0, convert: 3, edit: 0 });
  });

  it('auto: as many as the recent use asks for, within the budget, one of each shape first', () => {
    assert.deepEqual(planPool(input({ defaultHandler: true, recentUses: { open: 9, convert: 9, edit: 0 } })), { open: 3, convert: 1, edit: 0 });
    assert.deepEqual(planPool(input({ budgetMiB: 2047, defaultHandler: true, recentUses: { open: 0, convert: 5, edit: 0 } })), { open: 1, convert: 0, edit: 0 });
    assert.deepEqual(planPool(input({ budgetMiB: 100_000, recentUses: { open: 20, convert: 20, edit: 0 } })), { open: 7, convert: 1, edit: 0 }, `at most ${MAX_POOL_SIZE}`);
  });

  it('auto: an edit VM only once edits were asked for lately, after the first open and conversion VMs', () => {
    assert.deepEqual(planPool(input({ defaultHandler: true, recentUses: { open: 0, convert: 0, edit: 1 } })), { open: 1, convert: 0, edit: 1 });
    assert.deepEqual(
      planPool(input({ budgetMiB: 2048, defaultHandler: true, recentUses: { open: 0, convert: 1, edit: 1 } })),
      { open: 1, convert: 1, edit: 0 },
      'the budget keeps the first open and conversion VMs first',
    );
    assert.deepEqual(planPool(input({ size: 2, recentUses: { open: 0, convert: 0, edit: 1 } })), { open: 1, convert: 0, edit: 1 });
  });

  it('a number: that many in all, GUI VMs first, a conversion VM beside them once conversions are used; 0: none', () => {
    assert.deepEqual(planPool(input({ size: 1 })), { open: 1, convert: 0, edit: 0 });
    assert.deepEqual(planPool(input({ size: 1, recentUses: { open: 0, convert: 4, edit: 0 } })), { open: 1, convert: 0, edit: 0 });
    assert.deepEqual(planPool(input({ size: 2, recentUses: { open: 0, convert: 1, edit: 0 } })), { open: 1, convert: 1, edit: 0 });
    assert.deepEqual(planPool(input({ size: 3 })), { open: 3, convert: 0, edit: 0 });
    assert.deepEqual(planPool(input({ size: 8, budgetMiB: 2048 })), { open: 2, convert: 0, edit: 0 }, 'the budget caps a number too');
    assert.deepEqual(planPool(input({ size: 0, defaultHandler: true, recentUses: { open: 5, convert: 5, edit: 0 } })), { open: 0, convert: 0, edit: 0 });
  });

  it('never plans more guest memory than the budget, whatever the use and size', () => {
    for (const size of ['auto', 0, 1, 2, 5, 8] as const)
      for (const budgetMiB of [0, 512, 1024, 3000, 8192, 65_536])
        for (const uses of [0, 1, 4, 12]) {
          for (const memoryMiB of [
            { open: 1024, convert: 1024, edit: 1024 },
            { open: 1024, convert: 512, edit: 1024 },
            { open: 700, convert: 300, edit: 700 },
            { open: 300, convert: 700, edit: 300 },
          ]) {
            const plan = planPool(input({ size, budgetMiB, memoryMiB, recentUses: { open: uses, convert: uses, edit: uses }, defaultHandler: uses % 2 === 0 }));
            assert.ok(memoryOf(plan, memoryMiB) <= budgetMiB, `${JSON.stringify({ size, budgetMiB, uses, memoryMiB, plan })}`);
            assert.ok(plan.open + plan.convert + plan.edit <= MAX_POOL_SIZE);
          }
        }
  });

  it('auto: no idle drain (the plan follows the use and keeps a default handler’s GUI VM all day); a number: emptied after idle_timeout', () => {
    const config = defaultConfig();
    config.pool.idleTimeoutSeconds = 900;
    assert.deepEqual(poolSettings('open', config, 1), { size: 1, memoryMiB: 1024, minAvailableMiB: 2048, idleTimeoutMs: 0 });
    assert.deepEqual(poolSettings('convert', config, 2), { size: 2, memoryMiB: 512, minAvailableMiB: 2048, idleTimeoutMs: 0 });
    // After idle_timeout without a use, auto plans what a default handler needs, and nothing else.
    assert.deepEqual(planPool(input({ defaultHandler: true })), { open: 1, convert: 0, edit: 0 });
    config.pool.size = 2;
    assert.equal(poolSettings('open', config, 2).idleTimeoutMs, 900_000);
  });

  it('[pool] memory: a quarter of the RAM by default, within max_guest_memory, leaving min_available_memory', () => {
    const base = { configuredMiB: undefined, totalRamMiB: 16_384, maxGuestMemoryMiB: 8192, minAvailableMiB: 2048 };
    assert.equal(poolBudgetMiB(base), 4096);
    assert.equal(poolBudgetMiB({ ...base, configuredMiB: 6000 }), 6000);
    assert.equal(poolBudgetMiB({ ...base, configuredMiB: 10_000 }), 8192, 'max_guest_memory bounds it');
    assert.equal(poolBudgetMiB({ ...base, configuredMiB: 16_000 }), 8192);
    assert.equal(poolBudgetMiB({ ...base, configuredMiB: 16_000, maxGuestMemoryMiB: 100_000 }), 14_336, 'min_available_memory is left to the rest');
    assert.equal(poolBudgetMiB({ ...base, totalRamMiB: 1024 }), 0, 'a small machine: no pool');
  });
});
