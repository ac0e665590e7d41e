// Conversions take ready VMs of their own shape (issue 30), through the real service on a private bus
// (Xvfb, real QEMU, [pool] size = auto, NoFear recorded as a default handler): the pool keeps a GUI VM;
// a Convert never takes it; once conversions are used the pool keeps a conversion VM ready, and the next
// Convert is served by that very VM (its id and its QEMU, recorded before the request; no GUI channel, no
// network, the conversion's 512 MiB), which serves that one job and is gone after it. `nofear-open --convert`
// asks the same service, with its own resolution: a ready conversion VM serves it too.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dbus from 'dbus-next';
import { execa } from 'execa';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import type { SandboxRecord } from '../../src/sandbox/registry.js';
import { isAlive } from '../../src/util/proc.js';
import { BusWatcher } from '../helpers/bus-watcher.js';
import { startPrivateBus, type PrivateBus } from '../helpers/private-bus.js';
import { startForegroundService, type ForegroundService } from '../helpers/service.js';
import { startXvfb, type Display } from '../helpers/xvfb.js';
import { bin } from '../helpers/cli.js';

const VM_MS = 240_000;
type Proxy = ReturnType<Awaited<ReturnType<ReturnType<typeof dbus.sessionBus>['getProxyObject']>>['getInterface']>;

describe('conversions in ready VMs of their own shape (private bus, Xvfb, real QEMU)', function () {
  this.timeout(900_000);
  let dir: string;
  let runtime: string;
  let x: Display;
  let bus: PrivateBus;
  let service: ForegroundService;
  let watcher: BusWatcher;
  let client: ReturnType<typeof dbus.sessionBus>;
  let manager: Proxy;
  const base = () => path.join(runtime, 'nofear');
  const sandboxDirs = () => (existsSync(base()) ? readdirSync(base()).filter((n) => /^[0-9a-f]{8}$/.test(n)) : []);
  const record = (id: string) => JSON.parse(readFileSync(path.join(base(), id, 'sandbox.json'), 'utf8')) as SandboxRecord;
  const idOf = (objectPath: string | undefined) => objectPath?.split('/').at(-1) ?? '';
  /** The id of a ready VM the service logs that is not one of `known`. */
  const readyOtherThan = async (...known: string[]) => {
    const pattern = new RegExp(`^nofear-service: warm VM (?!${known.join('|') || '-'})([0-9a-f]{8}) ready$`);
    return /warm VM ([0-9a-f]{8})/.exec(await service.waitForLine(pattern, VM_MS))?.[1] ?? '';
  };
  const convert = async (name: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, samplePdf());
    const [objectPath] = (await manager.Convert([file], { notify: new dbus.Variant('b', false) })) as string[];
    return objectPath ?? '';
  };
  /** The VMs waiting in the pool now, by the service's log: each "ready" with no later taken, stopped or ended line. */
  const readyNow = () => {
    const ready = new Set<string>();
    for (const line of service.lines) {
      const match = /^nofear-service: warm VM ([0-9a-f]{8}) (ready|taken|stopped|ended)\b/.exec(line);
      if (match?.[1] !== undefined && match[2] === 'ready') ready.add(match[1]);
      else if (match?.[1] !== undefined) ready.delete(match[1]);
    }
    return [...ready];
  };
  let serviceEnv: Record<string, string>;
  const pagesOf = async (file: string) => /^Pages:\s+(\d+)$/m.exec((await execa('pdfinfo', [file])).stdout)?.[1];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-warm-convert-'));
    runtime = path.join(dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    mkdirSync(path.join(dir, 'config', 'nofear'), { recursive: true });
    // [pool] size is left to its default (auto); the budget holds three 1 GiB VMs.
    writeFileSync(path.join(dir, 'config', 'nofear', 'config.ini'), '[pool]\nmemory = 3G\n');
    // NoFear is a default handler (what `integrate install` records): auto keeps one GUI VM ready.
    mkdirSync(path.join(dir, 'state', 'nofear'), { recursive: true });
    const state = { version: 1, installedAt: new Date().toISOString(), launchers: {}, files: [], createdDirs: [], types: ['application/pdf'], previousDefaults: {}, mimeapps: null };
    writeFileSync(path.join(dir, 'state', 'nofear', 'integration.json'), JSON.stringify(state));
    x = await startXvfb();
    bus = await startPrivateBus(dir, {}, { activation: false });
    serviceEnv = {
      DBUS_SESSION_BUS_ADDRESS: bus.address,
      DISPLAY: x.display,
      XDG_RUNTIME_DIR: runtime,
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      XDG_STATE_HOME: path.join(dir, 'state'),
      XDG_DATA_HOME: path.join(dir, 'data'),
    };
    service = startForegroundService(serviceEnv);
    await service.waitForLine(/serving org\.nofear\.NoFear/, 60_000);
    watcher = await BusWatcher.connect(bus.address);
    client = dbus.sessionBus({ busAddress: bus.address });
    client.on('error', () => undefined);
    manager = (await client.getProxyObject('org.nofear.NoFear', '/org/nofear/NoFear')).getInterface('org.nofear.NoFear1.Manager');
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(`--- the service's log:\n${service?.lines.join('\n')}\n---\n`);
  });
  after(async () => {
    client?.disconnect();
    watcher?.close();
    await service?.stop();
    await bus?.stop();
    await x?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a Convert never takes the ready GUI VM; the next one is served by the ready conversion VM, which serves it alone', async () => {
    const gui = await readyOtherThan();
    const guiQemu = record(gui).qemu;
    assert.ok(guiQemu !== undefined && isAlive(guiQemu), 'the GUI VM runs');

    // No conversion VM is ready yet (none was asked for): the first conversion boots its own.
    const first = await convert('first.pdf');
    assert.notEqual(idOf(first), gui, 'a conversion was handed the GUI VM');
    assert.equal(await watcher.exitOf(first, VM_MS), 0);
    assert.equal(await pagesOf(path.join(dir, 'first.safe.pdf')), '1');
    assert.equal(record(gui).pooled, true, 'the GUI VM is still waiting in the pool');
    assert.deepEqual(record(gui).qemu, guiQemu);

    // Conversions were used: the pool boots a conversion VM beside the GUI one.
    const ready = await readyOtherThan(gui, idOf(first));
    const readyRecord = record(ready);
    const readyQemu = readyRecord.qemu;
    assert.equal(readyRecord.pooled, true);
    assert.ok(readyQemu !== undefined && isAlive(readyQemu));
    const qemuArgs = readFileSync(`/proc/${(readyRecord.vmm ?? readyQemu).pid}/cmdline`, 'utf8').split('\0');
    assert.ok(!qemuArgs.some((arg) => /gui\.sock/.test(arg)), 'a conversion VM has no GUI channel');
    assert.ok(!qemuArgs.includes('-netdev'), 'nor a network');
    assert.equal(qemuArgs[qemuArgs.indexOf('-m') + 1], '512', "and the conversion's memory (half of [vm] memory), not a GUI VM's");
    const guiArgs = readFileSync(`/proc/${(record(gui).vmm ?? guiQemu).pid}/cmdline`, 'utf8').split('\0');
    assert.equal(guiArgs[guiArgs.indexOf('-m') + 1], '1024', 'the GUI VM: [vm] memory');

    // Every ready conversion VM (pooled, no GUI channel) and its QEMU, before the request.
    const readyConversionVms = sandboxDirs().filter((id) => id !== gui && record(id).pooled === true);
    assert.deepEqual(readyConversionVms, [ready], 'one conversion was asked for lately: one conversion VM is kept');
    const second = await convert('second.pdf');
    assert.equal(idOf(second), ready, 'the Convert was served by the ready conversion VM');
    assert.equal(await watcher.exitOf(second, VM_MS), 0);
    assert.equal(await pagesOf(path.join(dir, 'second.safe.pdf')), '1');
    assert.equal(isAlive(readyQemu), false, 'its QEMU is gone with the job: a ready VM serves one job');
    assert.ok(!sandboxDirs().includes(ready), 'and its sandbox directory');
    assert.equal(record(gui).pooled, true, 'the GUI VM was never taken');
    assert.ok(isAlive(guiQemu));
  });

  it('nofear-open --convert asks the service: a ready conversion VM serves it, never the GUI VM, at the resolution it asked for', async () => {
    const gui = sandboxDirs().find((id) => record(id).pooled === true && readFileSync(`/proc/${(record(id).vmm ?? record(id).qemu)?.pid ?? 0}/cmdline`, 'utf8').includes('gui.sock'));
    assert.ok(gui !== undefined, 'the GUI VM is still waiting');
    // Conversions were used twice: the pool keeps conversion VMs ready beside the GUI one.
    while (!readyNow().some((id) => id !== gui)) await service.waitForLine(/^nofear-service: warm VM [0-9a-f]{8} ready$/, VM_MS, service.lines.length);
    const file = path.join(dir, 'cli.pdf');
    writeFileSync(file, samplePdf());
    const run = await execa(process.execPath, [bin('nofear-open'), '--convert', '--verbose', '--dpi', '100', file], {
      env: { ...serviceEnv, PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' },
      extendEnv: false,
      reject: false,
      timeout: VM_MS,
    });
    assert.equal(run.exitCode, 0, run.stderr);
    const output = path.join(dir, 'cli.safe.pdf');
    assert.equal(run.stdout.trim(), output, 'the safe PDF named on stdout');
    assert.equal(await pagesOf(output), '1');
    const servedBy = /converted by the NoFear service in sandbox ([0-9a-f]{8})/.exec(run.stderr)?.[1] ?? '';
    // Another conversion VM may get ready while nofear-open starts: the one that served it was waiting when it was taken.
    const ready = service.lines.indexOf(`nofear-service: warm VM ${servedBy} ready`);
    const taken = service.lines.indexOf(`nofear-service: warm VM ${servedBy} taken`);
    assert.ok(servedBy !== gui && ready >= 0 && taken > ready, `served by a ready conversion VM:\n${run.stderr}`);
    assert.ok(service.lines.slice(taken).includes(`nofear-service: sandbox ${servedBy} starting: ${file}`), 'for this file');
    assert.doesNotMatch(run.stderr, /VM [0-9a-f]{8} started/, 'no VM of its own');
    const ppi = (await execa('pdfimages', ['-list', output])).stdout
      .split('\n')
      .slice(2)
      .map((line) => line.trim().split(/\s+/)[12]);
    assert.ok(ppi.length > 0 && ppi.every((value) => value === '100'), `rendered at --dpi 100: ${ppi.join(' ')}`);
    assert.equal(record(gui).pooled, true, 'the GUI VM was never taken');
  });
});
