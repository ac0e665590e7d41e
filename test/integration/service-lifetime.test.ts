// `nofearctl service` in the foreground on a private dbus-daemon: one instance per bus, config.ini followed
// live, idle exit when bus-activated, SIGTERM stops its VMs, the end of the bus ends it (compiled code).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import dbus from 'dbus-next';
import { execa } from 'execa';
import { bin } from '../helpers/cli.js';
import { startPrivateBus, type PrivateBus } from '../helpers/private-bus.js';
import { qemuDescendants, startForegroundService, type ForegroundService } from '../helpers/service.js';

const BUS_NAME = 'org.nofear.NoFear';
const SERVING = /serving org\.nofear\.NoFear/;
const VM_DEADLINE_MS = 120_000;

type Proxy = ReturnType<Awaited<ReturnType<ReturnType<typeof dbus.sessionBus>['getProxyObject']>>['getInterface']>;

describe('the service in the foreground (private dbus-daemon)', function () {
  this.timeout(180_000);
  let dir: string;
  let bus: PrivateBus | undefined;
  let env: Record<string, string>;
  const services: ForegroundService[] = [];
  const clients: Array<ReturnType<typeof dbus.sessionBus>> = [];
  const configFile = () => path.join(dir, 'config', 'nofear', 'config.ini');
  const start = (args: string[] = [], extra: Record<string, string> = {}) => {
    const service = startForegroundService({ ...env, ...extra }, args);
    services.push(service);
    return service;
  };
  const managerOn = async (address: string): Promise<Proxy> => {
    const client = dbus.sessionBus({ busAddress: address });
    client.on('error', () => undefined);
    clients.push(client);
    return (await client.getProxyObject(BUS_NAME, '/org/nofear/NoFear')).getInterface('org.nofear.NoFear1.Manager');
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-svc-life-'));
    mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
    mkdirSync(path.dirname(configFile()), { recursive: true });
    writeFileSync(configFile(), '[pool]\nsize = 0\n[vm]\nmemory = 512\n');
    // No activation: only the services these tests start themselves serve on this bus.
    bus = await startPrivateBus(dir, {}, { activation: false });
    env = {
      DBUS_SESSION_BUS_ADDRESS: bus.address,
      XDG_RUNTIME_DIR: path.join(dir, 'run'),
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      XDG_DATA_HOME: path.join(dir, 'data'),
      XDG_STATE_HOME: path.join(dir, 'state'),
      DISPLAY: '',
    };
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await Promise.all(services.splice(0).map((s) => s.stop()));
    await bus?.stop();
    bus = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second instance finds the name taken, says so and exits 0; the first keeps serving', async () => {
    const first = start();
    await first.waitForLine(SERVING, 30_000);
    const second = start();
    assert.equal(await second.exited, 0);
    assert.ok(
      second.lines.some((line) => /already owns org\.nofear\.NoFear/.test(line)),
      second.lines.join('\n'),
    );
    const manager = await managerOn(env.DBUS_SESSION_BUS_ADDRESS ?? '');
    await manager.StopAll(); // answered by the first
    assert.equal(first.lines.filter((line) => SERVING.test(line)).length, 1);
  });

  it('follows config.ini: new limits apply to the next call, a broken file keeps them and says why', async () => {
    const service = start();
    await service.waitForLine(SERVING, 30_000);
    const manager = await managerOn(env.DBUS_SESSION_BUS_ADDRESS ?? '');
    // 512 MiB guests over a 256 MiB total: refused at once, no VM started.
    writeFileSync(configFile(), '[pool]\nsize = 0\n[vm]\nmemory = 512\n[service]\nmax_guest_memory = 256\n');
    await service.waitForLine(/config\.ini reloaded: .*max_guest_memory 256 MiB/, 10_000);
    await assert.rejects(manager.Run(['true'], {}), (e: Error & { type?: string }) => e.type === 'org.nofear.NoFear1.Error.LimitReached' && /512 MiB guest/.test(e.message));
    writeFileSync(configFile(), '[pool]\nsize = 0\n[service]\nmax_guest_memory = 8192\nmax_sandboxes = lots\n');
    await service.waitForLine(/config\.ini: .*max_sandboxes.*\(keeping the previous settings\)/, 10_000);
    await assert.rejects(manager.Run(['true'], {}), (e: Error & { type?: string }) => e.type === 'org.nofear.NoFear1.Error.LimitReached', 'the broken file changed nothing');
    assert.deepEqual(readdirSync(path.join(dir, 'run', 'nofear')), []);
  });

  it('when bus-activated, exits 0 after idle_exit seconds with no sandbox', async () => {
    writeFileSync(configFile(), '[pool]\nsize = 0\n[service]\nidle_exit = 1\n');
    const service = start(['--activated']);
    await service.waitForLine(SERVING, 30_000);
    const exited = await Promise.race([service.exited, delay(20_000).then(() => 'still running')]);
    assert.equal(exited, 0);
    assert.ok(
      service.lines.some((line) => /idle for 1 s with no sandbox: exiting/.test(line)),
      service.lines.join('\n'),
    );
  });

  it('SIGTERM stops every sandbox: no QEMU and no runtime directory survive it', async () => {
    const service = start();
    await service.waitForLine(SERVING, 30_000);
    const manager = await managerOn(env.DBUS_SESSION_BUS_ADDRESS ?? '');
    const objectPath = (await manager.Run(['sh', '-c', 'exec sleep 600'], {})) as string;
    const id = objectPath.split('/').at(-1) ?? '';
    await service.waitForLine(new RegExp(`sandbox ${id} running`), VM_DEADLINE_MS);
    assert.equal(qemuDescendants(service.pid).length, 1);
    process.kill(service.pid, 'SIGTERM');
    assert.equal(await service.exited, 0);
    assert.ok(
      service.lines.some((line) => line.includes(`sandbox ${id} exited with status 143`)),
      service.lines.join('\n'),
    );
    assert.equal(existsSync(path.join(dir, 'run', 'nofear', id)), false);
    const orphans = execa('pgrep', ['-f', path.join(dir, 'run')], { reject: false });
    assert.equal((await orphans).stdout, '', 'a process still uses the runtime dir');
  });

  it('exits non-zero with a log line when the session bus goes away', async () => {
    const service = start();
    await service.waitForLine(SERVING, 30_000);
    await bus?.stop();
    bus = undefined;
    assert.equal(await service.exited, 1);
    assert.ok(
      service.lines.some((line) => /session bus: .*; stopping every sandbox and exiting/.test(line)),
      service.lines.join('\n'),
    );
  });

  it('refuses what it cannot serve with a clear message: unknown options, no bus, an abstract socket', async () => {
    const run = (args: string[], extra: Record<string, string>) => execa(process.execPath, [bin('nofearctl'), 'service', ...args], { env: { ...env, ...extra }, reject: false, timeout: 30_000 });
    const bogus = await run(['--bogus'], {});
    assert.equal(bogus.exitCode, 125);
    assert.match(bogus.stderr, /unknown option --bogus/);
    const nowhere = await run([], { DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(dir, 'no-bus')}` });
    assert.equal(nowhere.exitCode, 125);
    assert.match(nowhere.stderr, /session bus cannot be reached .*no-bus/);
    const abstract = await run([], { DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/dbus-nofear-test' });
    assert.equal(abstract.exitCode, 125);
    assert.match(abstract.stderr, /abstract socket/);
  });
});
