// The service's warm pool with real VMs (private dbus-daemon, Xvfb, mupdf, QEMU): a warm open takes the
// ready VM, gets the same staged copy a cold open gets, and leaves nothing; a taken VM is never handed
// out twice; an open that does not fit goes cold; a ready VM whose QEMU dies is replaced; the service's
// end takes every ready VM with it; short of memory, the pool stays empty and opens still work; an edit,
// once edits were asked for, takes a ready VM of the edit shape (its export writable), never an open's.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { startPrivateBus, type PrivateBus } from '../helpers/private-bus.js';
import { startForegroundService, type ForegroundService } from '../helpers/service.js';
import { startXvfb, windowName, type Display } from '../helpers/xvfb.js';
import { BusWatcher } from '../helpers/bus-watcher.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import type { SandboxRecord } from '../../src/sandbox/registry.js';
import { isAlive } from '../../src/util/proc.js';
import { bin } from '../helpers/cli.js';
import { EDITED, EDITOR, installTestEditors } from '../helpers/test-editors.js';

const VM_MS = 240_000;
const digest = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('the warm pool (private bus, Xvfb, real QEMU)', function () {
  this.timeout(600_000);
  let dir: string;
  let runtime: string;
  let x: Display;
  let bus: PrivateBus;
  let service: ForegroundService | undefined;
  let watcher: BusWatcher;
  const base = () => path.join(runtime, 'nofear');
  const sandboxDirs = () => (existsSync(base()) ? readdirSync(base()).filter((n) => /^[0-9a-f]{8}$/.test(n)) : []);
  const record = (id: string) => JSON.parse(readFileSync(path.join(base(), id, 'sandbox.json'), 'utf8')) as SandboxRecord;

  /** The service's environment (the edit case adds its editors' XDG_DATA_HOME and its own cache). */
  const serviceEnv = () => ({ DBUS_SESSION_BUS_ADDRESS: bus.address, DISPLAY: x.display, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: path.join(dir, 'config') });
  const startService = async (config: string, env: Record<string, string> = serviceEnv()) => {
    writeFileSync(path.join(dir, 'config', 'nofear', 'config.ini'), config);
    service = startForegroundService(env);
    await service.waitForLine(/serving org\.nofear\.NoFear/, 30_000);
    watcher = await BusWatcher.connect(bus.address);
  };
  const stopService = async () => {
    watcher?.close();
    await service?.stop();
    service = undefined;
  };
  /** The id of the next ready VM the service logs (counting from `after` lines). */
  const nextReady = async (after = 0) => {
    const line = await service!.waitForLine(new RegExp(`^nofear-service: warm VM ([0-9a-f]{8}) ready$`), VM_MS, after);
    return /warm VM ([0-9a-f]{8})/.exec(line)?.[1] ?? '';
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-pool-'));
    runtime = path.join(dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    mkdirSync(path.join(dir, 'config', 'nofear'), { recursive: true });
    x = await startXvfb();
    bus = await startPrivateBus(dir, {}, { activation: false });
  });
  afterEach(stopService);
  after(async () => {
    await bus?.stop();
    await x?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens a file in the ready VM: the same checked copy, the window, and nothing left when it closes', async () => {
    await startService('[pool]\nsize = 1\n');
    const warm = await nextReady();
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, samplePdf());
    const [objectPath] = await watcher.openFiles([file]);
    assert.equal(objectPath?.split('/').at(-1), warm, 'the open took the ready VM');
    const xid = await watcher.windowOf(objectPath ?? '', VM_MS);
    // The reply comes once the sandbox exists; by the window the copy was staged (before the job went).
    const staged = path.join(base(), warm, 'vm', 'export', 'report.pdf');
    assert.equal(digest(readFileSync(staged)), digest(readFileSync(file)), 'the staged copy is the file, byte for byte');
    assert.equal(statSync(staged).mode & 0o777, 0o444, 'read-only, as a cold open stages it');
    assert.match(await windowName(x.display, xid), /^\[NoFear:temporary\] report\.pdf/);
    await execa('xdotool', ['windowfocus', '--sync', xid, 'key', '--window', xid, 'q'], { env: { DISPLAY: x.display }, timeout: 10_000 });
    assert.equal(await watcher.exitOf(objectPath ?? '', VM_MS), 0);
    assert.equal(existsSync(path.join(base(), warm)), false, 'the warm VM left its staged copy');
    const replacement = await nextReady(service!.lines.length);
    assert.notEqual(replacement, warm, 'a VM is never reused');
  });

  it('never hands one VM out twice: two quick opens get two different VMs', async () => {
    await startService('[pool]\nsize = 1\n');
    const warm = await nextReady();
    const files = ['one.pdf', 'two.pdf'].map((name) => path.join(dir, name));
    for (const file of files) writeFileSync(file, samplePdf());
    const paths = (await Promise.all(files.map((file) => watcher.openFiles([file])))).flat();
    const ids = paths.map((p) => p.split('/').at(-1));
    assert.equal(new Set(ids).size, 2, `two opens, two VMs: ${ids.join(' ')}`);
    assert.ok(ids.includes(warm), 'one of them took the ready VM');
    for (const p of paths) await watcher.windowOf(p, VM_MS);
    await watcher.stopAll();
    assert.deepEqual(sandboxDirs(), [], 'StopAll stops the opens and the pool');
  });

  it('never gives a ready VM to an open that does not fit (another display), and replaces one whose QEMU dies', async () => {
    await startService('[pool]\nsize = 1\n');
    const warm = await nextReady();
    const other = await startXvfb();
    try {
      const file = path.join(dir, 'elsewhere.pdf');
      writeFileSync(file, samplePdf());
      const [objectPath] = await watcher.openFiles([file], { display: other.display });
      assert.notEqual(objectPath?.split('/').at(-1), warm, 'an open for another display went cold');
      await watcher.windowOf(objectPath ?? '', VM_MS);
      assert.equal(record(warm).state, 'ready', 'the ready VM is still waiting');
      await watcher.stop(objectPath ?? '');
    } finally {
      await other.stop();
    }
    const vmm = record(warm).vmm;
    assert.ok(vmm !== undefined && isAlive(vmm));
    const seen = service!.lines.length;
    process.kill(vmm.pid, 'SIGKILL');
    await service!.waitForLine(new RegExp(`warm VM ${warm} ended while waiting`), 60_000, seen);
    const replacement = await nextReady(seen);
    assert.notEqual(replacement, warm);
  });

  it('takes every ready VM with it when it stops, and leaves nothing', async () => {
    await startService('[pool]\nsize = 2\n');
    await nextReady();
    const pids = sandboxDirs()
      .map((id) => record(id).qemu)
      .filter((p) => p !== undefined);
    assert.ok(pids.length >= 1);
    await stopService();
    assert.deepEqual(sandboxDirs(), [], 'runtime directories left');
    assert.deepEqual(
      pids.filter((p) => isAlive(p)),
      [],
      'QEMU left running',
    );
  });

  it('keeps the pool empty while the host is short of memory, and opens still work (cold)', async () => {
    await startService(`[pool]\nsize = 1\nmin_available_memory = 1T\n`);
    const file = path.join(dir, 'cold.pdf');
    writeFileSync(file, samplePdf());
    const [objectPath] = await watcher.openFiles([file]);
    await watcher.windowOf(objectPath ?? '', VM_MS);
    assert.equal(
      service!.lines.some((line) => /warm VM/.test(line)),
      false,
      'no warm VM was booted',
    );
    assert.deepEqual(sandboxDirs(), [objectPath?.split('/').at(-1)], 'only the open runs');
    await watcher.stop(objectPath ?? '');
  });

  // The edit shape (issue 30). The first edit boots cold: it teaches the pool that edits are used, and the
  // pool boots a VM of the edit shape. The second, asked by nofear-open --edit as a file manager starts it
  // (no terminal), takes that VM.
  it('edits in a ready VM of the edit shape once edits were used: its copy writable, saved back, nothing left', async () => {
    const dataHome = path.join(dir, 'data');
    const cache = path.join(dir, 'cache');
    installTestEditors(dataHome);
    const env = { ...serviceEnv(), XDG_DATA_HOME: dataHome, XDG_CACHE_HOME: cache };
    // auto, not a default handler: no ready VM of any shape until one is used.
    await startService('[pool]\nsize = auto\n', env);
    const editOptions = { edit: true, saveBack: 'always' as const, viewer: EDITOR, display: x.display };
    const first = path.join(dir, 'first.txt');
    writeFileSync(first, 'the first notes\n');
    const [cold] = await watcher.openFiles([first], editOptions);
    assert.deepEqual(await watcher.waitForStarted(VM_MS), [cold]);
    assert.equal(
      service!.lines.some((line) => /warm VM/.test(line)),
      false,
      'nothing was ready: the first edit booted its own VM',
    );
    const coldWindow = await watcher.windowOf(cold ?? '', VM_MS);
    await execa('xdotool', ['windowfocus', '--sync', coldWindow, 'key', '--window', coldWindow, 'Return'], { env: { DISPLAY: x.display }, timeout: 10_000 });
    assert.equal(await watcher.exitOf(cold ?? '', VM_MS), 0);
    await service!.waitForLine(/edit of .*first\.txt: saved-back$/, 30_000);
    assert.deepEqual(readFileSync(first), Buffer.from(EDITED), 'the cold edit was saved back');

    const warm = await nextReady();
    assert.equal(record(warm).state, 'ready');
    const second = path.join(dir, 'second.txt');
    writeFileSync(second, 'the second notes\n');
    const cli = execa(process.execPath, [bin('nofear-open'), '--edit', '--save-back=always', `--with=${EDITOR}`, second], {
      env: { ...env, HOME: dir },
      extendEnv: true,
      reject: false,
      stdin: 'ignore',
    });
    const [objectPath] = await Promise.race([watcher.waitForStarted(VM_MS), cli.then((r) => assert.fail(`nofear-open ended first: ${r.exitCode} ${r.stderr}`))]);
    assert.equal(objectPath?.split('/').at(-1), warm, 'the edit took the ready edit VM');
    const xid = await watcher.windowOf(objectPath ?? '', VM_MS);
    const staged = path.join(cache, 'nofear', 'staging', warm, 'second.txt');
    assert.equal(statSync(staged).mode & 0o777, 0o600, 'staged writable in the cache, as a cold edit stages it');
    assert.match(await windowName(x.display, xid), /^\[NoFear:temporary\] nofear-test-editor/);
    const opened = await cli;
    assert.equal(opened.exitCode, 0, opened.stderr);
    await execa('xdotool', ['windowfocus', '--sync', xid, 'key', '--window', xid, 'Return'], { env: { DISPLAY: x.display }, timeout: 10_000 });
    assert.equal(await watcher.exitOf(objectPath ?? '', VM_MS), 0);
    await service!.waitForLine(/edit of .*second\.txt: saved-back$/, 30_000);
    assert.deepEqual(readFileSync(second), Buffer.from(EDITED), 'what the program wrote in the warm VM was saved back');
    assert.equal(existsSync(path.join(cache, 'nofear', 'staging', warm)), false, 'its staged copy is gone');
  });
});
