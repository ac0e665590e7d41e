// OpenFiles through the real service: a sandbox object, SandboxStarted, the viewer's window on the
// display, SandboxExited when it closes, and nothing left (private dbus-daemon, Xvfb, mupdf, QEMU).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dbus from 'dbus-next';
import { execa, type ResultPromise } from 'execa';
import { bin } from '../helpers/cli.js';
import { startPrivateBus, type PrivateBus } from '../helpers/private-bus.js';
import { pressKey, startXvfb, windowName, type Display } from '../helpers/xvfb.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';

describe('OpenFiles through the service (Xvfb, mupdf, real QEMU)', function () {
  let dir: string;
  let runtime: string;
  let x: Display;
  let bus: PrivateBus;
  let service: ResultPromise;
  let client: ReturnType<typeof dbus.sessionBus>;

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

  it('opens a PDF in its own VM and reports the sandbox from start to exit', async () => {
    const dbusIface = (await client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
    const deadline = Date.now() + 30_000;
    while (!((await dbusIface.NameHasOwner('org.nofear.NoFear')) as boolean)) {
      assert.ok(Date.now() < deadline, 'the service did not take its name');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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
});
