// OpenFiles through the real service: a sandbox object, SandboxStarted, the viewer's window on the
// display, SandboxExited when it closes, and nothing left (private dbus-daemon, Xvfb, mupdf, QEMU); and
// a Stop during the cold boot, which ends the start there and then (issue 30).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dbus from 'dbus-next';
import { execa, type ResultPromise } from 'execa';
import { bin } from '../helpers/cli.js';
import { startPrivateBus, type PrivateBus } from '../helpers/private-bus.js';
import { pressKey, startXvfb, windowName, type Display } from '../helpers/xvfb.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { cacheStagingRoot, readRecord } from '../../src/sandbox/registry.js';
import { isAlive } from '../../src/util/proc.js';

/** A Stop before the window ends the start within this (QEMU killed, the client stopped, everything removed); a boot to the window takes far longer under TCG. */
const STOP_MS = 10_000;

/** The pids of every process whose command line or name carries the sandbox's id (its jail, QEMU, passt, the host Xpra client). */
async function processesOf(id: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name))) {
    const [cmdline, comm] = await Promise.all(['cmdline', 'comm'].map((file) => readFile(`/proc/${entry}/${file}`, 'utf8').catch(() => '')));
    if (Number(entry) !== process.pid && (cmdline?.includes(id) === true || comm?.trim() === `nofear-${id}`)) found.push(Number(entry));
  }
  return found;
}

describe('OpenFiles through the service (Xvfb, mupdf, real QEMU)', function () {
  let dir: string;
  let runtime: string;
  let x: Display;
  let bus: PrivateBus;
  let service: ResultPromise;
  let client: ReturnType<typeof dbus.sessionBus>;
  let serviceLog = '';

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-svc-open-'));
    runtime = path.join(dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    x = await startXvfb();
    bus = await startPrivateBus(dir, {}, { activation: false });
    // The cold path through the service: no warm pool (test/e2e/warm-pool.test.ts has its own).
    mkdirSync(path.join(dir, 'config', 'nofear'), { recursive: true });
    writeFileSync(path.join(dir, 'config', 'nofear', 'config.ini'), '[pool]\nsize = 0\n');
    service = execa(process.execPath, [bin('nofearctl'), 'service'], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus.address, DISPLAY: x.display, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: path.join(dir, 'config') },
      reject: false,
    });
    service.stderr?.on('data', (chunk: Buffer) => (serviceLog += chunk.toString()));
    client = dbus.sessionBus({ busAddress: bus.address });
  });

  after(async () => {
    client?.disconnect();
    service?.kill('SIGTERM');
    await service;
    await bus?.stop();
    await x?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The service has taken its name on the bus (each case may run alone, with --grep). */
  async function serviceNamed(): Promise<void> {
    const dbusIface = (await client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
    const deadline = Date.now() + 30_000;
    while (!((await dbusIface.NameHasOwner('org.nofear.NoFear')) as boolean)) {
      assert.ok(Date.now() < deadline, 'the service did not take its name');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('opens a PDF in its own VM and reports the sandbox from start to exit', async () => {
    await serviceNamed();
    const manager = (await client.getProxyObject('org.nofear.NoFear', '/org/nofear/NoFear')).getInterface('org.nofear.NoFear1.Manager');
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, samplePdf());
    const before = createHash('sha256').update(readFileSync(file)).digest('hex');
    const started = new Promise<string>((resolve) => manager.once('SandboxStarted', resolve));
    const [objectPath] = (await manager.OpenFiles([file], {})) as string[];
    assert.match(objectPath ?? '', /^\/org\/nofear\/NoFear\/sandbox\/[0-9a-f]{8}$/);
    assert.equal(await started, objectPath);
    const exited = new Promise<number>((resolve) => manager.on('SandboxExited', (p: string, status: number) => p === objectPath && resolve(status)));
    const sandbox = (await client.getProxyObject('org.nofear.NoFear', objectPath ?? '')).getInterface('org.freedesktop.DBus.Properties');
    // NoFear's own report: the Window property is set at the window step (xdotool only checks the title).
    const window = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no window step within 180 s')), 180_000);
      sandbox.on('PropertiesChanged', (iface: string, changed: Record<string, { value: unknown }>) => {
        if (iface !== 'org.nofear.NoFear1.Sandbox' || changed.Step?.value !== 'window') return;
        clearTimeout(timer);
        resolve(String(changed.Window?.value));
      });
      void exited.then(() => reject(new Error('the sandbox ended before its window')));
    });
    assert.match(await windowName(x.display, window), /^\[NoFear:temporary\] report\.pdf/);
    const steps = ((await sandbox.Get('org.nofear.NoFear1.Sandbox', 'Steps')) as { value: Record<string, number> }).value;
    assert.deepEqual(Object.keys(steps), ['booting', 'booted', 'server', 'attached', 'window'], 'each step, in order, with its time');
    assert.deepEqual(((await sandbox.Get('org.nofear.NoFear1.Sandbox', 'Files')) as { value: string[] }).value, [file]);
    assert.equal(((await sandbox.Get('org.nofear.NoFear1.Sandbox', 'State')) as { value: string }).value, 'running');
    await pressKey(x.display, window, 'q');
    assert.equal(await exited, 0);
    const id = objectPath?.split('/').at(-1) ?? '';
    assert.equal(existsSync(path.join(runtime, 'nofear', id)), false, 'the staging directory was left');
    assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), before);
    assert.deepEqual(
      readdirSync(path.join(runtime, 'nofear')).filter((n) => /^[0-9a-f]{8}$/.test(n)),
      [],
    );
  });

  it('Stop during a cold boot ends it within seconds, as stopped (143, exited, no reason), with nothing of its VM left', async () => {
    await serviceNamed();
    const manager = (await client.getProxyObject('org.nofear.NoFear', '/org/nofear/NoFear')).getInterface('org.nofear.NoFear1.Manager');
    const exits = new Map<string, number>();
    const exitWaits = new Map<string, (status: number) => void>();
    manager.on('SandboxExited', (p: string, status: number) => {
      exits.set(p, status);
      exitWaits.get(p)?.(status);
    });
    const exitOf = (objectPath: string) => new Promise<number>((resolve) => (exits.has(objectPath) ? resolve(exits.get(objectPath) ?? -1) : exitWaits.set(objectPath, resolve)));
    const early = path.join(dir, 'stopped-early.pdf');
    const booted = path.join(dir, 'stopped-booted.pdf');
    for (const file of [early, booted]) writeFileSync(file, samplePdf());
    const [earlyPath, bootedPath] = (await manager.OpenFiles([early, booted], {})) as string[];
    const sandboxOf = async (objectPath: string) => (await client.getProxyObject('org.nofear.NoFear', objectPath)).getInterface('org.nofear.NoFear1.Sandbox');
    const propertiesOf = async (objectPath: string) => (await client.getProxyObject('org.nofear.NoFear', objectPath)).getInterface('org.freedesktop.DBus.Properties');
    const property = async (objectPath: string, name: string) => ((await (await propertiesOf(objectPath)).Get('org.nofear.NoFear1.Sandbox', name)) as { value: unknown }).value;
    const idOf = (objectPath: string) => objectPath.split('/').at(-1) ?? '';
    /** Stop, timed (the call replies once the sandbox has ended), then what it left, read at once (its object goes 10 s after its end). */
    const stopAndCheck = async (objectPath: string) => {
      const id = idOf(objectPath);
      const asked = Date.now();
      await (await sandboxOf(objectPath)).Stop();
      const stopMs = Date.now() - asked;
      assert.ok(stopMs < STOP_MS, `Stop of ${id} replied after ${stopMs} ms: it waited for the boot`);
      assert.equal(await exitOf(objectPath), 143, 'stopped, as SIGTERM would');
      assert.equal(await property(objectPath, 'State'), 'exited', 'stopped is no failure');
      assert.equal(await property(objectPath, 'ExitStatus'), 143);
      assert.equal(await property(objectPath, 'Reason'), '', 'nothing failed, so no reason');
      assert.equal(Object.hasOwn((await property(objectPath, 'Steps')) as object, 'attached'), false, 'stopped before its client attached');
      assert.deepEqual(await processesOf(id), [], 'no jail, QEMU, passt or Xpra client of it left');
      assert.equal(existsSync(path.join(runtime, 'nofear', id)), false, 'its sandbox directory (and the copy staged there) was left');
      assert.equal(existsSync(path.join(cacheStagingRoot(process.env), id)), false, 'a staged copy in the cache was left');
      assert.doesNotMatch(serviceLog, new RegExp(`sandbox ${id} failed`), 'not reported as failing');
      assert.match(serviceLog, new RegExp(`sandbox ${id} exited with status 143`));
    };

    // Heard from the start: the second is stopped at its booted step.
    const bootedProps = await propertiesOf(bootedPath ?? '');
    const reachedBooted = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no booted step within 180 s')), 180_000);
      bootedProps.on('PropertiesChanged', (iface: string, changed: Record<string, { value: unknown }>) => {
        if (iface !== 'org.nofear.NoFear1.Sandbox' || changed.Step?.value !== 'booted') return;
        clearTimeout(timer);
        resolve();
      });
      void exitOf(bootedPath ?? '').then(() => reject(new Error('the sandbox ended before it booted')));
      timer.unref();
    });
    reachedBooted.catch(() => undefined); // awaited below, after the first one's Stop
    // The first is stopped the moment it exists: before or as its QEMU starts.
    assert.equal(await property(earlyPath ?? '', 'Step'), 'booting');
    await stopAndCheck(earlyPath ?? '');

    // The second once it has booted: QEMU runs, its host client waits for the guest's Xpra server.
    await reachedBooted;
    const record = await readRecord(path.join(runtime, 'nofear', idOf(bootedPath ?? '')));
    assert.ok(isAlive(record?.qemu) && isAlive(record?.vmm), 'its jail and QEMU run when Stop comes');
    assert.ok((await processesOf(idOf(bootedPath ?? ''))).length > 0, 'processesOf finds a live sandbox');
    await stopAndCheck(bootedPath ?? '');
  });
});
