// The D-Bus service on a real private dbus-daemon, started by bus activation from a service file in a
// temporary XDG_DATA_DIRS, running real VMs (compiled code: run `make build` first).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import dbus from 'dbus-next';
import { execa } from 'execa';
import { pollUntil } from '../../src/util/poll.js';
import { bin, ROOT } from '../helpers/cli.js';
import { EventWaits } from '../helpers/event-waits.js';
import { parseIntrospection } from '../helpers/introspection.js';
import { showBusLogOnFailure, startPrivateBus, type PrivateBus } from '../helpers/private-bus.js';
import { qemuDescendants, sampleMax } from '../helpers/service.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { isAlive, type ProcessIdentity } from '../../src/util/proc.js';

const BUS_NAME = 'org.nofear.NoFear';
const ROOT_PATH = '/org/nofear/NoFear';
const MANAGER = 'org.nofear.NoFear1.Manager';
const SANDBOX = 'org.nofear.NoFear1.Sandbox';
const APPLICATION = 'org.freedesktop.Application';
const ERROR = 'org.nofear.NoFear1.Error.';
const CONTRACT = parseIntrospection(readFileSync(path.join(ROOT, 'src', 'service', 'bus', 'org.nofear.NoFear1.xml'), 'utf8'));
/** One VM's boot and end under TCG takes a few seconds; this bounds any wait on one. */
const VM_DEADLINE_MS = 120_000;

type Proxy = ReturnType<Awaited<ReturnType<ReturnType<typeof dbus.sessionBus>['getProxyObject']>>['getInterface']>;
const named = (name: string) => (error: Error & { type?: string }) => {
  assert.equal(error.type, ERROR + name, error.message);
  return true;
};
const wait = (value: boolean) => ({ wait: new dbus.Variant('b', value) });

async function waitUntil(condition: () => boolean | Promise<boolean>, deadlineMs: number, what: string): Promise<void> {
  assert.ok(await pollUntil(condition, deadlineMs), `${what}: not within ${deadlineMs} ms`);
}

/** Every SandboxStarted and SandboxExited from the moment it is made; waits come with a deadline. */
class Signals {
  readonly started: string[] = [];
  readonly exited = new Map<string, number>();
  private readonly waits = new EventWaits();
  constructor(manager: Proxy) {
    manager.on('SandboxStarted', (objectPath: string) => this.note(() => this.started.push(objectPath)));
    manager.on('SandboxExited', (objectPath: string, status: number) => this.note(() => this.exited.set(objectPath, status)));
  }
  private note(change: () => void) {
    change();
    this.waits.wake();
  }
  exitOf(objectPath: string, deadlineMs = VM_DEADLINE_MS): Promise<number> {
    return this.waits.until(() => this.exited.get(objectPath), `no SandboxExited for ${objectPath}`, deadlineMs);
  }
}

describe('the D-Bus service (private dbus-daemon, bus activation, real QEMU)', function () {
  this.timeout(240_000);
  let dir: string;
  let runtime: string;
  let configHome: string;
  let bus: PrivateBus;
  let client: ReturnType<typeof dbus.sessionBus>;
  let busIface: Proxy;
  let manager: Proxy;
  let signals: Signals;
  const servicePids = new Set<number>();
  const env = () => ({ ...process.env, DBUS_SESSION_BUS_ADDRESS: bus.address });
  const base = () => path.join(runtime, 'nofear');
  const sandboxDirs = () => (existsSync(base()) ? readdirSync(base()).filter((n) => /^[0-9a-f]{8}$/.test(n)) : []);
  const props = async (objectPath: string) => (await client.getProxyObject(BUS_NAME, objectPath)).getInterface('org.freedesktop.DBus.Properties');
  const servicePid = async () => {
    const pid = (await busIface.GetConnectionUnixProcessID(BUS_NAME)) as number;
    servicePids.add(pid);
    return pid;
  };
  const connectManager = async () => {
    manager = (await client.getProxyObject(BUS_NAME, ROOT_PATH)).getInterface(MANAGER);
    signals = new Signals(manager);
    // The match rules are added by calls already sent on this connection: a round trip makes them active.
    await busIface.GetId();
  };

  /** A sandbox that runs until stopped, once its QEMU is recorded in the registry. */
  const runLongSandbox = async () => {
    const objectPath = (await manager.Run(['sh', '-c', 'exec sleep 600'], {})) as string;
    const id = objectPath.split('/').at(-1) ?? '';
    const recordFile = path.join(base(), id, 'sandbox.json');
    let vmm: ProcessIdentity | undefined;
    await waitUntil(
      () => {
        if (existsSync(recordFile)) vmm = (JSON.parse(readFileSync(recordFile, 'utf8')) as { vmm?: ProcessIdentity }).vmm;
        return vmm !== undefined && isAlive(vmm);
      },
      VM_DEADLINE_MS,
      'the VM never ran',
    );
    // QEMU's pid comes at its start; "running" once the guest has started the command (later, under load).
    const state = async () => ((await (await props(objectPath)).Get(SANDBOX, 'State')) as { value: string }).value;
    await waitUntil(async () => signals.exited.has(objectPath) || (await state()) === 'running', VM_DEADLINE_MS, 'the sandbox never ran');
    assert.equal(await state(), 'running', `it ended first, with status ${signals.exited.get(objectPath)}`);
    return { objectPath, id, vmm: vmm as ProcessIdentity };
  };

  before(async () => {
    assert.ok(existsSync(bin('nofearctl')), 'dist/ is missing: run make build first');
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-svc-'));
    runtime = path.join(dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    configHome = path.join(dir, 'config');
    mkdirSync(path.join(configHome, 'nofear'), { recursive: true });
    writeFileSync(path.join(configHome, 'nofear', 'config.ini'), '[service]\nmax_sandboxes = 2\nqueue_timeout = 600\n[vm]\nmemory = 512\n[pool]\nsize = 0\n[open]\nmax_file_size = 64K\n');
    // The shipped template, rendered as `integrate install` does: Exec names a launcher by absolute path.
    const launcher = path.join(dir, 'bin', 'nofearctl');
    mkdirSync(path.dirname(launcher));
    writeFileSync(launcher, `#!/bin/sh\nexec ${process.execPath} ${bin('nofearctl')} "$@"\n`, { mode: 0o755 });
    const services = path.join(dir, 'share', 'dbus-1', 'services');
    mkdirSync(services, { recursive: true });
    const template = readFileSync(path.join(ROOT, 'desktop-entries', 'org.nofear.NoFear.service'), 'utf8');
    writeFileSync(path.join(services, 'org.nofear.NoFear.service'), template.replaceAll('@NOFEARCTL@', launcher));
    // The daemon reads activation directories when it starts, and the service inherits its environment.
    bus = await startPrivateBus(dir, {
      XDG_DATA_DIRS: `${path.join(dir, 'share')}:/usr/local/share:/usr/share`,
      XDG_DATA_HOME: path.join(dir, 'data'),
      XDG_STATE_HOME: path.join(dir, 'state'),
      XDG_RUNTIME_DIR: runtime,
      XDG_CONFIG_HOME: configHome,
      DISPLAY: '',
    });
    client = dbus.sessionBus({ busAddress: bus.address });
    client.on('error', () => undefined); // the bus going away in after() is expected
    busIface = (await client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
  });

  showBusLogOnFailure(() => bus);

  after(async () => {
    await Promise.race([manager?.StopAll().catch(() => undefined), delay(60_000)]);
    if (bus !== undefined) await servicePid().catch(() => undefined);
    for (const pid of servicePids) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await waitUntil(() => [...servicePids].every((pid) => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z')), 30_000, 'the service did not exit').catch(
      () => undefined,
    );
    client?.disconnect();
    await bus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is started by bus activation from a service file in XDG_DATA_DIRS', async () => {
    assert.equal(await busIface.NameHasOwner(BUS_NAME), false, 'nothing runs before the first call');
    const activatable = (await busIface.ListActivatableNames()) as string[];
    assert.ok(activatable.includes(BUS_NAME));
    await connectManager(); // introspection is the first call: it activates the service
    const cmdline = readFileSync(`/proc/${await servicePid()}/cmdline`, 'utf8')
      .split('\0')
      .filter(Boolean);
    assert.deepEqual(cmdline.slice(-3), [bin('nofearctl'), 'service', '--activated']);
  });

  it('introspects as the contract says: Manager and org.freedesktop.Application on /org/nofear/NoFear', async () => {
    const result = await execa('gdbus', ['introspect', '--session', '--xml', '-d', BUS_NAME, '-o', ROOT_PATH], { env: env() });
    const live = parseIntrospection(result.stdout);
    assert.deepEqual(live.get(MANAGER), CONTRACT.get(MANAGER));
    assert.deepEqual(live.get(APPLICATION), CONTRACT.get(APPLICATION));
    const busctl = await execa('dbus-send', [`--bus=${bus.address}`, '--print-reply', `--dest=${BUS_NAME}`, ROOT_PATH, 'org.freedesktop.DBus.Introspectable.Introspect']);
    assert.match(busctl.stdout, /interface name="org\.nofear\.NoFear1\.Manager"/);
  });

  it('answers every bad call with a named error and keeps serving', async function () {
    const pid = await servicePid();
    const files = path.join(dir, 'files');
    mkdirSync(files, { recursive: true });
    const fifo = path.join(files, 'pipe.pdf');
    await execa('mkfifo', [fifo]);
    const big = path.join(files, 'big.pdf');
    writeFileSync(big, Buffer.alloc(65 * 1024, 1));
    const secret = path.join(files, 'secret.pdf');
    writeFileSync(secret, samplePdf());
    chmodSync(secret, 0o000);

    await assert.rejects(manager.OpenFiles(['/nonexistent/report.pdf'], {}), named('NotFound'));
    await assert.rejects(manager.OpenFiles(['relative.pdf'], {}), named('InvalidArgument'));
    await assert.rejects(manager.OpenFiles([files], {}), named('InvalidArgument'));
    await assert.rejects(manager.OpenFiles([fifo], {}), named('InvalidArgument'));
    await assert.rejects(manager.OpenFiles(['/dev/null'], {}), named('InvalidArgument'));
    await assert.rejects(manager.OpenFiles([big], {}), named('LimitReached'));
    // Root reads any file: the unreadable case holds for the unprivileged user CI runs these suites as.
    if (process.getuid?.() !== 0) await assert.rejects(manager.OpenFiles([secret], {}), named('AccessDenied'));
    await assert.rejects(
      manager.OpenFiles([secret, '/nonexistent/b.pdf'], {}),
      (e: Error & { type?: string }) => /\.(AccessDenied|NotFound)$/.test(e.type ?? ''),
      'when no file can open, the call is refused',
    );
    await assert.rejects(manager.OpenFiles([big], { profile: new dbus.Variant('s', 'default') }), named('InvalidArgument'));
    await assert.rejects(manager.OpenUris(['ftp://example.org/x.pdf'], {}), named('InvalidArgument'));
    await assert.rejects(manager.OpenUris(['file:///nonexistent/x.pdf'], {}), named('NotFound'));
    await assert.rejects(manager.OpenUris(['file:///tmp/%FF.pdf'], {}), named('InvalidArgument'));
    await assert.rejects(manager.Run(['true'], { wait: new dbus.Variant('s', 'yes') }), named('InvalidArgument'));
    await assert.rejects(manager.Run(['true'], { bogus: new dbus.Variant('b', true) }), named('InvalidArgument'));
    await assert.rejects(manager.Run(['true'], { net: new dbus.Variant('s', 'host') }), named('InvalidArgument'));
    await assert.rejects(manager.Run(['true'], { profile: new dbus.Variant('s', 'default') }), named('InvalidArgument'));
    await assert.rejects(manager.Run(['true'], { shared_folder: new dbus.Variant('s', 'rel/dir') }), named('InvalidArgument'));
    // launch()'s own refusals come through named too: this service was given no display.
    await assert.rejects(manager.Run(['xclock'], { gui: new dbus.Variant('b', true) }), (e: Error & { type?: string }) => named('Unavailable')(e) && /Can't open display/.test(e.message));
    await assert.rejects(manager.Run([], {}), named('InvalidArgument'));
    await assert.rejects(
      manager.Run(
        Array.from({ length: 65 }, () => 'x'),
        {},
      ),
      named('InvalidArgument'),
    );
    await assert.rejects(manager.ListViewers('/nonexistent.pdf'), named('NotFound'));
    await assert.rejects(manager.ListViewers('relative.pdf'), named('InvalidArgument'));
    const app = (await client.getProxyObject(BUS_NAME, ROOT_PATH)).getInterface(APPLICATION);
    await assert.rejects(app.ActivateAction('format-disk', [], {}), named('InvalidArgument'));
    await assert.rejects(app.Open(['/nonexistent/x.pdf'], {}), named('NotFound'));
    // A call with the wrong signature is an InvalidArgument too, not UnknownMethod.
    const wrong = await execa('dbus-send', [`--bus=${bus.address}`, '--print-reply', `--dest=${BUS_NAME}`, ROOT_PATH, `${MANAGER}.OpenFiles`, 'string:/x'], { reject: false });
    assert.match(wrong.stderr, /org\.nofear\.NoFear1\.Error\.InvalidArgument/);
    assert.equal(await servicePid(), pid, 'the same service still answers');
    assert.deepEqual(sandboxDirs(), [], 'no refused call started a VM');
  });

  let firstSandbox = '';
  it('runs a sandbox: object at once (starting), SandboxStarted, running, exited with the guest status', async () => {
    const objectPath = (await manager.Run(['sh', '-c', 'exit 3'], {})) as string;
    firstSandbox = objectPath;
    assert.match(objectPath, /^\/org\/nofear\/NoFear\/sandbox\/[0-9a-f]{8}$/);
    const sandbox = await props(objectPath);
    const states: string[] = [];
    sandbox.on('PropertiesChanged', (iface: string, changed: Record<string, { value: unknown }>) => {
      if (iface === SANDBOX && changed.State) states.push(String(changed.State.value));
    });
    const all = (await sandbox.GetAll(SANDBOX)) as Record<string, { value: unknown }>;
    assert.equal(objectPath.endsWith(`/${String(all.Id?.value)}`), true);
    assert.equal(all.State?.value, 'starting', 'the reply comes before the VM boots');
    assert.deepEqual(all.Command?.value, ['sh', '-c', 'exit 3']);
    assert.deepEqual(all.Files?.value, []);
    assert.equal(all.Profile?.value, 'temporary');
    assert.equal(all.ExitStatus?.value, -1);
    const startedAt = all.StartedAt?.value as bigint;
    assert.equal(typeof startedAt, 'bigint');
    assert.ok(Math.abs(Number(startedAt / 1000n) - Date.now()) < 60_000, 'StartedAt is microseconds since the epoch');
    assert.ok(signals.started.includes(objectPath));
    const listed = (await (await props(ROOT_PATH)).Get(MANAGER, 'Sandboxes')) as { value: string[] };
    assert.ok(listed.value.includes(objectPath));
    const introspected = await execa('gdbus', ['introspect', '--session', '--xml', '-d', BUS_NAME, '-o', objectPath], { env: env() });
    assert.deepEqual(parseIntrospection(introspected.stdout).get(SANDBOX), CONTRACT.get(SANDBOX));

    assert.equal(await signals.exitOf(objectPath), 3);
    await waitUntil(() => states.includes('exited'), 5000, `PropertiesChanged State=exited (seen: ${states.join(',')})`);
    assert.deepEqual(states, ['running', 'exited']);
    assert.equal(((await sandbox.Get(SANDBOX, 'ExitStatus')) as { value: number }).value, 3);
    assert.deepEqual(sandboxDirs(), [], 'its runtime directory is gone');
  });

  it("reports a guest command's own 125 as its status and state exited, not as NoFear failing", async () => {
    const objectPath = (await manager.Run(['sh', '-c', 'exit 125'], {})) as string;
    assert.equal(await signals.exitOf(objectPath), 125);
    const sandbox = await props(objectPath);
    assert.equal(((await sandbox.Get(SANDBOX, 'State')) as { value: string }).value, 'exited');
    assert.equal(((await sandbox.Get(SANDBOX, 'ExitStatus')) as { value: number }).value, 125);
  });

  it('runs ten calls at once with max_sandboxes = 2: never more than two QEMU, all ten answered with their statuses', async () => {
    const pid = await servicePid();
    const qemus = sampleMax(() => qemuDescendants(pid).length);
    const dirs = sampleMax(() => sandboxDirs().length);
    const paths = (await Promise.all(Array.from({ length: 10 }, (_, i) => manager.Run(['sh', '-c', `exit ${i}`], {})))) as string[];
    assert.equal(new Set(paths).size, 10);
    const statuses = await Promise.all(paths.map((p) => signals.exitOf(p, 5 * VM_DEADLINE_MS)));
    const mostQemu = qemus.stop();
    const mostDirs = dirs.stop();
    assert.deepEqual(
      statuses,
      Array.from({ length: 10 }, (_, i) => i),
      'each sandbox reports its own status',
    );
    assert.ok(mostQemu <= 2, `${mostQemu} QEMU processes at once`);
    assert.ok(mostQemu >= 1, 'the sampler saw the VMs');
    assert.ok(mostDirs <= 2, `${mostDirs} sandbox directories at once`);
    // Ended sandboxes leave the bus a short while after their end (the first one above ended long ago).
    const listed = (await (await props(ROOT_PATH)).Get(MANAGER, 'Sandboxes')) as { value: string[] };
    assert.equal(listed.value.includes(firstSandbox), false);
  });

  it('reports a VM whose QEMU is killed with a failure status, leaves nothing, and serves the next call', async () => {
    const { objectPath, id, vmm } = await runLongSandbox();
    process.kill(vmm.pid, 'SIGKILL');
    assert.equal(await signals.exitOf(objectPath), 125);
    assert.equal(((await (await props(objectPath)).Get(SANDBOX, 'State')) as { value: string }).value, 'failed');
    assert.equal(existsSync(path.join(base(), id)), false, 'the runtime dir was left');
    // With wait, the reply comes once the sandbox has ended: its SandboxExited came first.
    const next = (await manager.Run(['true'], wait(true))) as string;
    assert.equal(signals.exited.get(next), 0);
  });

  it('is what nofear-open asks when a session bus exists, but a display with no X server is refused before it asks', async () => {
    const file = path.join(dir, 'via service #1.pdf');
    writeFileSync(file, samplePdf());
    const before = signals.started.length;
    // :99 has no X server: nofear-open checks the display before any VM starts (issue 25), so the service is
    // never asked and nothing boots; the open is not "opened" and the reason names the display.
    const result = await execa(process.execPath, [bin('nofear-open'), file], { env: { ...env(), DISPLAY: ':99', XDG_RUNTIME_DIR: runtime }, reject: false });
    assert.equal(result.exitCode, 125, result.stderr);
    assert.match(result.stderr, /via service #1\.pdf.*:99/);
    assert.doesNotMatch(result.stderr, /opened safely/);
    assert.equal(signals.started.length, before, 'a sandbox was started for a display with no X server');
    const inProcess = await execa(process.execPath, [bin('nofear-open'), '--no-service', '--dry-run', file], { env: env(), reject: false });
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
      const { objectPath, id } = await runLongSandbox();
      const app = (await client.getProxyObject(BUS_NAME, ROOT_PATH)).getInterface(APPLICATION);
      await app.Activate({});
      assert.equal(notes.length, 1);
      assert.match(notes[0] ?? '', /^NoFear: 1 sandbox running\|/);
      assert.match(notes[0] ?? '', new RegExp(`${id}  running  sh -c exec sleep 600`));
      // The desktop entry's action: every sandbox stopped, 143 as for SIGTERM.
      await app.ActivateAction('stop-all', [], {});
      assert.equal(signals.exited.get(objectPath), 143);
    } finally {
      server.disconnect();
    }
  });

  it('follows a change of the default viewer in mimeapps.list without a restart', async () => {
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, samplePdf());
    const first = (await manager.ListViewers(file)) as Array<[string, string, string]>;
    const other = first.find(([id]) => id !== first[0]?.[0])?.[0];
    assert.ok(other, 'needs two PDF-capable viewers installed');
    writeFileSync(path.join(configHome, 'mimeapps.list'), `[Default Applications]\napplication/pdf=${other}\n`);
    const second = (await manager.ListViewers(file)) as Array<[string, string, string]>;
    assert.equal(second[0]?.[0], other);
  });

  it('takes its VMs with it when killed with SIGKILL, and the next instance removes what was left', async () => {
    const { id, vmm } = await runLongSandbox();
    process.kill(await servicePid(), 'SIGKILL');
    await waitUntil(() => !isAlive(vmm), 2000, 'QEMU outlived the service by more than 2 s');
    // Once the bus has seen the dead instance go, the next call activates a new one, which removes its leftovers on start.
    await waitUntil(async () => !((await busIface.NameHasOwner(BUS_NAME)) as boolean), 10_000, 'the bus still names the killed service');
    await connectManager();
    await manager.Run(['true'], wait(true));
    assert.equal(existsSync(path.join(base(), id)), false, 'the killed service left its sandbox directory');
  });
});
