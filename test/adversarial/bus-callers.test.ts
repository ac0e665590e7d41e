// Callers on the session bus, against the real service on a private bus (real dbus-daemon, Xvfb, QEMU,
// a recording stand-in for the notification server, the hostile converter for conversions): an
// xauthority that is a FIFO or /dev/zero fails at once and the service keeps serving; a forged
// ActionInvoked from another connection changes nothing; the converter's CSI, OSC and newline reach the
// notification and the service's log as visible escapes on one line; five opens refused after they took
// a warm VM leave no VM behind.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dbus from 'dbus-next';
import { ROOT } from '../helpers/cli.js';
import { hostileGuestEnv } from '../helpers/hostile.js';
import { pressNotificationButton, startListener, startPrivateBus, type BusRecord, type Listener, type PrivateBus } from '../helpers/private-bus.js';
import { qemuDescendants, startForegroundService, type ForegroundService } from '../helpers/service.js';
import { startXvfb, type Display } from '../helpers/xvfb.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';

const VM_MS = 240_000;
type Proxy = ReturnType<Awaited<ReturnType<ReturnType<typeof dbus.sessionBus>['getProxyObject']>>['getInterface']>;
const refusedAs = (name: string) => (error: Error & { type?: string }) => error.type === `org.nofear.NoFear1.Error.${name}`;

describe('callers on the session bus (private bus, Xvfb, real QEMU)', function () {
  this.timeout(900_000);
  let dir: string;
  let x: Display;
  let bus: PrivateBus;
  let notices: Listener;
  let service: ForegroundService | undefined;
  let client: ReturnType<typeof dbus.sessionBus>;
  let manager: Proxy;
  let hostile: Record<string, string>;
  const runtime = () => path.join(dir, 'run');
  const notified = (summary: string) => (record: BusRecord) => record.method === 'Notify' && record.args?.[3] === summary;

  const startService = async (config: string) => {
    writeFileSync(path.join(dir, 'config', 'nofear', 'config.ini'), config);
    service = startForegroundService({ ...hostile, DBUS_SESSION_BUS_ADDRESS: bus.address, DISPLAY: x.display, XDG_RUNTIME_DIR: runtime(), XDG_CONFIG_HOME: path.join(dir, 'config') });
    await service.waitForLine(/serving org\.nofear\.NoFear/, 60_000);
    manager = (await client.getProxyObject('org.nofear.NoFear', '/org/nofear/NoFear')).getInterface('org.nofear.NoFear1.Manager');
  };
  const sandboxState = async (objectPath: string) => {
    const properties = (await client.getProxyObject('org.nofear.NoFear', objectPath)).getInterface('org.freedesktop.DBus.Properties');
    return ((await properties.Get('org.nofear.NoFear1.Sandbox', 'State')) as { value: string }).value;
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-callers-'));
    mkdirSync(runtime(), { mode: 0o700 });
    mkdirSync(path.join(dir, 'config', 'nofear'), { recursive: true });
    hostile = await hostileGuestEnv({ file: 'convert.sh', by: 'hostile-converter.sh' });
    x = await startXvfb();
    bus = await startPrivateBus(dir, {}, { activation: false });
    notices = await startListener(path.join(ROOT, 'test', 'fixtures', 'nofear-bus-listener.py'), bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications' });
    client = dbus.sessionBus({ busAddress: bus.address });
    client.on('error', () => undefined);
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });
  after(async () => {
    client?.disconnect();
    await notices?.stop();
    await bus?.stop();
    await x?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('xauthority a FIFO or /dev/zero: InvalidArgument at once, and the service keeps serving', async () => {
    await startService('[pool]\nsize = 0\n');
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, samplePdf());
    const fifo = path.join(dir, 'xauth-fifo');
    await execa('mkfifo', [fifo]);
    for (const xauthority of [fifo, '/dev/zero']) {
      const started = Date.now();
      await assert.rejects(manager.OpenFiles([file], { display: new dbus.Variant('s', x.display), xauthority: new dbus.Variant('s', xauthority) }), refusedAs('InvalidArgument'));
      assert.ok(Date.now() - started < 10_000, `${xauthority}: answered after ${Date.now() - started} ms`);
    }
    assert.ok(Array.isArray(await manager.ListViewers(file)), 'the service stopped answering');
    assert.equal(readdirSync(path.join(runtime(), 'nofear')).length, 0, 'a VM was started for a refused request');
  });

  it('a forged ActionInvoked "stop" from another connection changes nothing; guest text reaches the notification and the log on one line', async () => {
    await startService('[pool]\nsize = 0\n');
    const forever = path.join(dir, 'stream-forever.pdf');
    writeFileSync(forever, '%PDF-1.4\nstream-forever\n%%EOF\n');
    const [objectPath = ''] = (await manager.Convert([forever], {})) as string[];
    // The converter runs (its progress notification, with Stop, says so); its page never ends.
    const rendering = await notices.waitFor((record) => record.method === 'Notify' && record.args?.[4] === 'Rendering in the VM…', VM_MS);
    const noticeId = Number(rendering.args?.[1]); // it replaces the conversion's first notification: that one's id
    const owner = (await (await client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus').GetNameOwner('org.nofear.NoFear')) as string;
    for (let id = 1; id <= 20; id++) {
      for (const destination of [undefined, owner]) {
        client.send(
          new dbus.Message({
            type: dbus.MessageType.SIGNAL,
            path: '/org/freedesktop/Notifications',
            interface: 'org.freedesktop.Notifications',
            member: 'ActionInvoked',
            signature: 'us',
            body: [id, 'stop'],
            ...(destination === undefined ? {} : { destination }),
          }),
        );
      }
    }
    await manager.ListViewers(forever); // a round trip after the signals: the service has read them

    // A whole second conversion runs meanwhile: time enough for a Stop the service obeyed to have ended the first.

    const escapes = path.join(dir, 'stderr-escapes.pdf');
    writeFileSync(escapes, '%PDF-1.4\nstderr-escapes\n%%EOF\n');
    await manager.Convert([escapes], {});
    const failed = await notices.waitFor(notified('NoFear could not convert stderr-escapes.pdf'), VM_MS);
    const visible = /render failed \^\[\[31mred\^\[\]0;owned\^G M-\^\["2J\^Jnofear-service: forged line/;
    assert.match(String(failed.args?.[4]), visible);
    assert.doesNotMatch(String(failed.args?.[4]), /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, 'a raw control reached the notification');
    const logged = await service!.waitForLine(/converting .*stderr-escapes\.pdf failed/, 10_000);
    assert.match(logged, visible);
    assert.equal(
      service!.lines.some((line) => line.startsWith('nofear-service: forged line')),
      false,
      'the guest started a log line of its own',
    );
    assert.equal(
      service!.lines.some((line) => /[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(line)),
      false,
      'a raw control reached the log',
    );
    assert.equal(await sandboxState(objectPath), 'running', 'a forged Stop stopped the conversion');
    // The server's own Stop (the fixture emits it from its connection) is obeyed.
    await pressNotificationButton(bus.address, noticeId, 'stop');
    await service!.waitForLine(/converting .*stream-forever\.pdf failed: .*was stopped \(Stopped\)/, VM_MS);
  });

  it('five opens refused after they took a warm VM leave no VM behind (max_sandboxes = 2)', async () => {
    await startService('[pool]\nsize = 1\n[service]\nmax_sandboxes = 2\n');
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, samplePdf());
    const fifo = path.join(dir, 'xauth-fifo');
    if (!existsSync(fifo)) await execa('mkfifo', [fifo]);
    for (let open = 0; open < 5; open++) {
      const after = service!.lines.length;
      const ready = service!.lines.filter((line) => / warm VM [0-9a-f]{8} ready$/.test(line)).length;
      // Each open takes the ready VM (the pool boots the next one after the take).
      if (ready <= open) await service!.waitForLine(/ warm VM [0-9a-f]{8} ready$/, VM_MS, after);
      await assert.rejects(manager.OpenFiles([file], { display: new dbus.Variant('s', x.display), xauthority: new dbus.Variant('s', fifo) }), refusedAs('InvalidArgument'));
    }
    const base = path.join(runtime(), 'nofear');
    const taken = () =>
      readdirSync(base).filter((id) => {
        try {
          return (JSON.parse(readFileSync(path.join(base, id, 'sandbox.json'), 'utf8')) as { state: string }).state !== 'ready';
        } catch {
          return false; // gone meanwhile
        }
      });
    assert.deepEqual(taken(), [], 'a VM taken for a refused request still runs');
    assert.ok(qemuDescendants(service!.pid).length <= 1, `${qemuDescendants(service!.pid).length} QEMUs run for a pool of 1`);
  });
});
