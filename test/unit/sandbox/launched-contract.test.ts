// The launched-sandbox contract (issue 26): what the service's manager reads of a sandbox, kept by every
// producer alike (an open or a run through launch(), a conversion through launchConversion, and a fake
// producer built on the same launched() adapter). A real VM is not needed for what is checked here: the
// steps, the window, the end after a refusal and stop; the VM suites (e2e/service-open, integration/service,
// e2e/warm-convert) run the same producers with real QEMU.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../../../src/config/index.js';
import { launchConversion } from '../../../src/convert/launch-convert.js';
import type { ConvertPlan } from '../../../src/convert/convert-plan.js';
import { isNoFearError } from '../../../src/errors.js';
import { FAILURE_STATUS, launch, launched, StepTracker, type LaunchedSandbox, type SandboxEnd } from '../../../src/sandbox/launch.js';

/** What every launched sandbox shows before it runs. */
function assertFresh(box: LaunchedSandbox): void {
  assert.match(box.id, /\S/);
  assert.ok(box.startedAt instanceof Date);
  assert.equal(box.step, 'booting');
  assert.equal(box.steps.booting, 0);
  assert.equal(box.windowId, 0, 'no window before the window step');
}

/** A producer refused before its VM: running rejects, ended says NoFear failed, stop() returns after the end, no QEMU. */
async function assertRefused(box: LaunchedSandbox): Promise<void> {
  await assert.rejects(box.running);
  const end: SandboxEnd = await box.ended;
  assert.deepEqual(end, { status: FAILURE_STATUS, failed: true });
  await box.stop();
  assert.equal(box.qemuPid(), undefined);
  assert.equal(box.step, 'booting', 'a refused sandbox reached no step');
}

describe('the launched-sandbox contract', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'nofear-contract-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the adapter (a fake producer on launched()): steps with their times, the window, listeners, stop and the end', async () => {
    const progress = new StepTracker(new Date());
    let end: (value: SandboxEnd) => void = () => {};
    const ended = new Promise<SandboxEnd>((resolve) => (end = resolve));
    const box = launched({
      id: 'fake1',
      profile: 'temporary',
      command: ['viewer'],
      files: ['/f.pdf'],
      notifies: true,
      progress,
      running: Promise.resolve(),
      ended,
      stop: async () => {
        end({ status: 143, failed: false });
        await ended;
      },
      qemuPid: () => 1234,
    });
    assertFresh(box);
    const heard: string[] = [];
    box.onStep((step) => heard.push(step));
    progress.reach('booted');
    progress.reach('booted'); // a step is reached once
    progress.reach('window', { xid: 0x2a });
    assert.deepEqual(heard, ['booted', 'window']);
    assert.equal(box.step, 'window');
    assert.ok((box.steps.booted ?? -1) >= 0 && (box.steps.window ?? -1) >= (box.steps.booted ?? 0));
    assert.equal(box.windowId, 0x2a);
    assert.equal(box.startedAt, progress.startedAt);
    await box.stop();
    assert.deepEqual(await box.ended, { status: 143, failed: false });
    assert.equal(box.qemuPid(), 1234);
  });

  it('a conversion (launchConversion) refused before its VM keeps the contract, and shows no window or notification', async () => {
    const plan = {
      file: path.join(dir, 'a.pdf'),
      size: 10,
      kind: 'pdf',
      dpi: 150,
      stagedName: 'a.pdf',
      outputDir: path.join(dir, 'missing', 'out'),
      outputName: () => 'a.safe.pdf',
      ocr: false,
    } as unknown as ConvertPlan;
    const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') };
    const box = launchConversion({ kind: 'convert', plan }, { env, config: defaultConfig(), ownerKind: 'service' });
    assertFresh(box);
    assert.equal(box.notifies, false);
    assert.deepEqual(box.files, [plan.file]);
    await assertRefused(box);
    assert.equal(box.windowId, 0);
    // What it left, complete once it has ended (the service's Output, Pages, Failure and Reason): no PDF, and why.
    assert.equal(box.converted?.output, '');
    assert.equal(box.converted?.pages, 0);
    assert.match(box.converted?.reason ?? '', /\S/);
  });

  it('a run or an open (launch()) refuses a bad request with a named error before any sandbox exists', async () => {
    await assert.rejects(
      launch({ kind: 'run', argv: [], gui: false }, { env: { ...process.env, XDG_RUNTIME_DIR: dir }, config: defaultConfig() }),
      (error: unknown) => isNoFearError(error) && error.code === 'InvalidArgument',
    );
    await assert.rejects(
      launch({ kind: 'run', argv: ['true'], gui: false, profile: 'work' }, { env: { ...process.env, XDG_RUNTIME_DIR: dir }, config: defaultConfig() }),
      (error: unknown) => isNoFearError(error) && error.code === 'InvalidArgument',
    );
  });
});
