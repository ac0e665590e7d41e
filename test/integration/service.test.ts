// The D-Bus service on a real private dbus-daemon, started by bus activation, running real VMs.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dbus from 'dbus-next';
import { execa } from 'execa';
import { bin } from '../helpers/cli.js';
import { startPrivateBus, type PrivateBus } from '../helpers/private-bus.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { isAlive, type ProcessIdentity } from '../../src/sandbox/proc.js';

type ClientInterface = ReturnType<Awaited<ReturnType<ReturnType<typeof dbus.sessionBus>['getProxyObject']>>['getInterface']>;

describe('the D-Bus service (private dbus-daemon, bus activation, real QEMU)', function () {
  let dir: string;
  let runtime: string;
  let config: string;
  let bus: PrivateBus;
  let client: ReturnType<typeof dbus.sessionBus>;
  let manager: ClientInterface;
  const env = () => ({ DBUS_SESSION_BUS_ADDRESS: bus.address });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-svc-'));
    runtime = path.join(dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    config = path.join(dir, 'config');
    mkdirSync(path.join(config, 'nofear'), { recursive: true });
    writeFileSync(path.join(config, 'nofear', 'config.ini'), '[service]\nmax_sandboxes = 2\nqueue_timeout = 600\n[vm]\nmemory = 512\n');
    const services = path.join(dir, 'data', 'dbus-1', 'services');
    mkdirSync(services, { recursive: true });
    writeFileSync(path.join(services, 'org.nofear.NoFear.service'), `[D-BUS Service]\nName=org.nofear.NoFear\nExec=${process.execPath} ${bin('nofearctl')} service --activated\n`);
    // The daemon reads its activation files when it starts, and the service inherits its environment.
    bus = await startPrivateBus(dir, { XDG_DATA_HOME: path.join(dir, 'data'), XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: config, DISPLAY: '' });
    client = dbus.sessionBus({ busAddress: bus.address });
    const proxy = await client.getProxyObject('org.nofear.NoFear', '/org/nofear/NoFear');
    manager = proxy.getInterface('org.nofear.NoFear1.Manager');
  });

  after(async () => {
    await manager?.StopAll().catch(() => undefined);
    const pid = await execa('pgrep', ['-f', `${bin('nofearctl')} service --activated`], { reject: false });
    for (const p of pid.stdout.split('\n').filter(Boolean)) process.kill(Number(p), 'SIGTERM');
    client?.disconnect();
    await bus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const sandboxDirs = () => (existsSync(path.join(runtime, 'nofear')) ? readdirSync(path.join(runtime, 'nofear')).filter((n) => /^[0-9a-f]{8}$/.test(n)) : []);
  const exited = (objectPath: string) =>
    new Promise<number>((resolve) => {
      const listener = (p: string, status: number) => {
        if (p === objectPath) {
          manager.off('SandboxExited', listener);
          resolve(status);
        }
      };
      manager.on('SandboxExited', listener);
    });

  /** A sandbox that runs until stopped, once its QEMU is recorded (waited for with a deadline). */
  const runLongSandbox = async () => {
    const objectPath = (await manager.Run(['sh', '-c', 'exec sleep 600'], {})) as string;
    const id = objectPath.split('/').at(-1) ?? '';
    const recordFile = path.join(runtime, 'nofear', id, 'sandbox.json');
    const deadline = Date.now() + 120_000;
    let vmm: ProcessIdentity | undefined;
    while (Date.now() < deadline && vmm === undefined) {
      if (existsSync(recordFile)) vmm = (JSON.parse(readFileSync(recordFile, 'utf8')) as { vmm?: ProcessIdentity }).vmm;
      if (vmm === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(vmm && isAlive(vmm), 'the VM never ran');
    return { objectPath, id, vmm };
  };

  it('is started by bus activation and shows its interfaces', async () => {
    const result = await execa('gdbus', ['introspect', '--session', '-d', 'org.nofear.NoFear', '-o', '/org/nofear/NoFear'], { env: env() });
    for (const expected of ['interface org.nofear.NoFear1.Manager', 'interface org.freedesktop.Application', 'OpenFiles(', 'OpenUris(', 'Run(', 'ListViewers(', 'StopAll(', 'SandboxStarted(', 'SandboxExited(', 'Sandboxes', 'Open(', 'Activate(']) {
      assert.ok(result.stdout.includes(expected), `missing ${expected}`);
    }
  });

  it('answers bad calls with named errors and keeps serving', async () => {
    await assert.rejects(manager.OpenFiles(['/nonexistent/report.pdf'], {}), (error: Error & { type?: string }) => error.type === 'org.nofear.NoFear1.Error.NotFound');
    await assert.rejects(manager.OpenFiles(['relative.pdf'], {}), (error: Error & { type?: string }) => error.type === 'org.nofear.NoFear1.Error.InvalidArgument');
    await assert.rejects(manager.Run(['true'], { wait: new dbus.Variant('s', 'yes') }), (error: Error & { type?: string }) => error.type === 'org.nofear.NoFear1.Error.InvalidArgument');
    await assert.rejects(manager.Run(Array.from({ length: 10_000 }, () => 'x'), {}), (error: Error & { type?: string }) => error.type === 'org.nofear.NoFear1.Error.InvalidArgument');
    await assert.rejects(manager.Run(['true'], { bogus: new dbus.Variant('b', true) }), (error: Error & { type?: string }) => error.type === 'org.nofear.NoFear1.Error.InvalidArgument');
    const viewers = (await manager.ListViewers('/nonexistent.pdf').catch((error: Error & { type?: string }) => error.type)) as string;
    assert.equal(viewers, 'org.nofear.NoFear1.Error.NotFound');
  });

  it('runs a sandbox object through starting, running and exited, with SandboxStarted and SandboxExited', async () => {
    const started = new Promise<string>((resolve) => manager.once('SandboxStarted', resolve));
    const objectPath = (await manager.Run(['sh', '-c', 'exit 3'], {})) as string;
    assert.match(objectPath, /^\/org\/nofear\/NoFear\/sandbox\/[0-9a-f]{8}$/);
    assert.equal(await started, objectPath);
    const proxy = await client.getProxyObject('org.nofear.NoFear', objectPath);
    const props = proxy.getInterface('org.freedesktop.DBus.Properties');
    const id = (await props.Get('org.nofear.NoFear1.Sandbox', 'Id')) as { value: string };
    assert.equal(objectPath.endsWith(id.value), true);
    const states: string[] = [];
    props.on('PropertiesChanged', (_iface: string, changed: Record<string, { value: unknown }>) => {
      if (changed.State) states.push(String(changed.State.value));
    });
    assert.equal(await exited(objectPath), 3);
    assert.ok(states.includes('exited'), `states seen: ${states.join(',')}`);
    const sandboxes = (await client.getProxyObject('org.nofear.NoFear', '/org/nofear/NoFear')).getInterface('org.freedesktop.DBus.Properties');
    const list = (await sandboxes.Get('org.nofear.NoFear1.Manager', 'Sandboxes')) as { value: string[] };
    assert.ok(Array.isArray(list.value));
  });

  it('runs ten requests with a limit of two: never more than two VMs, all ten answered', async () => {
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, sandboxDirs().length);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) => manager.Run(['sh', '-c', `exit ${i}`], { wait: new dbus.Variant('b', true) }).then((p: string) => p)));
    sampling = false;
    await sampler;
    assert.equal(statuses.length, 10);
    assert.ok(most <= 2, `${most} sandboxes at once`);
    assert.ok(most >= 1);
  });

  it('reports a VM whose QEMU is killed with a failure status, leaves nothing, and serves the next call', async () => {
    const { objectPath, id, vmm } = await runLongSandbox();
    const status = exited(objectPath);
    process.kill(vmm.pid, 'SIGKILL');
    assert.equal(await status, 125);
    assert.equal(existsSync(path.join(runtime, 'nofear', id)), false, 'the runtime dir was left');
    const next = (await manager.Run(['true'], { wait: new dbus.Variant('b', true) })) as string;
    assert.match(next, /sandbox/);
  });

  it('is what nofear-open asks when a session bus exists', async () => {
    const file = path.join(dir, 'via service #1.pdf');
    writeFileSync(file, samplePdf());
    // This service has no display (its bus gave it none): its refusal proves the request went through it.
    const result = await execa(process.execPath, [bin('nofear-open'), file], { env: { ...process.env, ...env(), DISPLAY: ':99', XDG_RUNTIME_DIR: runtime }, reject: false });
    assert.equal(result.exitCode, 125);
    assert.match(result.stderr, /Can't open display/);
    const inProcess = await execa(process.execPath, [bin('nofear-open'), '--no-service', '--dry-run', file], { env: { ...process.env, ...env() }, reject: false });
    assert.equal(inProcess.exitCode, 0, inProcess.stderr);
  });

  it('answers org.freedesktop.Application.Activate with a notification listing the sandboxes', async () => {
    // A stand-in notification server on the private bus (no desktop here): it records what it is asked to show.
    const notes: string[] = [];
    class Notifications extends dbus.interface.Interface {
      Notify(_app: string, _id: number, _icon: string, summary: string, body: string) {
        notes.push(`${summary}|${body}`);
        return 1;
      }
    }
    Notifications.configureMembers({ methods: { Notify: { inSignature: 'susssasa{sv}i', outSignature: 'u' } } });
    const server = dbus.sessionBus({ busAddress: bus.address });
    server.export('/org/freedesktop/Notifications', new Notifications('org.freedesktop.Notifications'));
    await server.requestName('org.freedesktop.Notifications', 0);
    try {
      const app = (await client.getProxyObject('org.nofear.NoFear', '/org/nofear/NoFear')).getInterface('org.freedesktop.Application');
      await app.Activate({});
      assert.equal(notes.length, 1);
      assert.match(notes[0] ?? '', /^NoFear: \d+ sandbox/);
    } finally {
      server.disconnect();
    }
  });

  it('follows a change of the default viewer in mimeapps.list without a restart', async () => {
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, samplePdf());
    const first = (await manager.ListViewers(file)) as [string, string, string][];
    const other = first.find(([id]) => id !== first[0]?.[0])?.[0];
    assert.ok(other, 'needs two PDF-capable viewers installed');
    writeFileSync(path.join(config, 'mimeapps.list'), `[Default Applications]\napplication/pdf=${other}\n`);
    const second = (await manager.ListViewers(file)) as [string, string, string][];
    assert.equal(second[0]?.[0], other);
  });

  it('takes its VMs with it when killed with SIGKILL, and the next instance removes what was left', async () => {
    const { objectPath, id, vmm } = await runLongSandbox();
    const dbusProxy = (await client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
    const servicePid = (await dbusProxy.GetConnectionUnixProcessID('org.nofear.NoFear')) as number;
    process.kill(servicePid, 'SIGKILL');
    const gone = Date.now() + 2000;
    while (isAlive(vmm) && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(isAlive(vmm), false, 'QEMU outlived the service by more than 2 s');
    // Once the bus has seen the dead instance go, the next call activates a new one, which removes its leftovers on start.
    const released = Date.now() + 10_000;
    while ((await dbusProxy.NameHasOwner('org.nofear.NoFear')) as boolean) {
      assert.ok(Date.now() < released, 'the bus still names the killed service');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const proxy = await client.getProxyObject('org.nofear.NoFear', '/org/nofear/NoFear');
    manager = proxy.getInterface('org.nofear.NoFear1.Manager');
    await manager.Run(['true'], { wait: new dbus.Variant('b', true) });
    assert.equal(existsSync(path.join(runtime, 'nofear', id)), false, 'the killed service left its sandbox directory');
  });
});
