// The service as the desktop meets it, with a session bus whose activation environment has no DISPLAY
// (as under startx, i3 or sway without dbus-update-activation-environment): nofear-open passes its own
// display and the window appears there; `gio open` (which cannot) gets the error naming the fix;
// a viewer that ends before its window is reported as not opened, with the reason; an open's notification
// is updated in place, its Stop action stops that sandbox, and a failure replaces it with the reason.
// Only org.freedesktop.Notifications is a stand-in (test/fixtures/nofear-bus-listener.py). Needs dist/.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { bin, ROOT } from '../helpers/cli.js';
import { makeTree, type Tree } from '../helpers/integration-tree.js';
import { pressNotificationButton, startListener, showBusLogOnFailure, startPrivateBus, type BusRecord, type Listener, type PrivateBus } from '../helpers/private-bus.js';
import { startXvfb, windowName, type Display } from '../helpers/xvfb.js';
import { BusWatcher } from '../helpers/bus-watcher.js';

const VM_MS = 240_000;

describe('the service from the desktop (activation without DISPLAY, notifications; Xvfb, real QEMU)', function () {
  this.timeout(600_000);
  let tree: Tree;
  let bus: PrivateBus;
  let listener: Listener;
  let x: Display;
  let watcher: BusWatcher;
  let files: string;
  const callerEnv = () => ({ ...tree.env, DBUS_SESSION_BUS_ADDRESS: bus.address, DISPLAY: x.display, XDG_RUNTIME_DIR: path.join(tree.top, 'run') });
  const notifies = () => listener.records.filter((r) => r.method === 'Notify');

  before(async () => {
    tree = makeTree();
    const install = await tree.nofearctl('integrate', 'install', '--default-for', 'application/pdf');
    assert.equal(install.exitCode, 0, install.stderr);
    // No warm pool: these opens are about the desktop's side, and each one boots its own VM.
    mkdirSync(path.join(tree.configHome, 'nofear'), { recursive: true });
    writeFileSync(path.join(tree.configHome, 'nofear', 'config.ini'), '[pool]\nsize = 0\n');
    // A viewer that ends at once with status 3, for --wait's status: a graphical entry of the user's.
    mkdirSync(path.join(tree.dataHome, 'applications'), { recursive: true });
    writeFileSync(path.join(tree.dataHome, 'applications', 'exit-three.desktop'), '[Desktop Entry]\nType=Application\nName=Exit Three\nExec=sh -c "exit 3" %f\nMimeType=application/pdf;\n');
    files = path.join(tree.top, 'files');
    mkdirSync(files);
    mkdirSync(path.join(tree.top, 'run'), { mode: 0o700 });
    x = await startXvfb();
    // dbus-daemon reads the installed service file when it starts; activated services get this environment, without DISPLAY.
    bus = await startPrivateBus(tree.top, { ...tree.env, XDG_RUNTIME_DIR: path.join(tree.top, 'run'), DISPLAY: '' });
    listener = await startListener(path.join(ROOT, 'test', 'fixtures', 'nofear-bus-listener.py'), bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications' });
    watcher = await BusWatcher.connect(bus.address);
  });

  showBusLogOnFailure(() => bus);

  after(async () => {
    watcher?.close();
    await execa(process.execPath, [bin('nofearctl'), 'stop', '--all'], { env: callerEnv(), reject: false, timeout: 60_000 });
    const owner = await execa(
      'dbus-send',
      [`--bus=${bus.address}`, '--print-reply=literal', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.nofear.NoFear'],
      { reject: false, timeout: 10_000 },
    );
    const pid = /uint32 (\d+)/.exec(owner.stdout)?.[1];
    if (pid !== undefined) process.kill(Number(pid), 'SIGTERM');
    await listener?.stop();
    await bus?.stop();
    await x?.stop();
    tree?.cleanup();
  });

  it("nofear-open activates the service and its window comes to the caller's display", async () => {
    const file = path.join(files, 'report.pdf');
    writeFileSync(file, samplePdf());
    const open = execa(process.execPath, [bin('nofear-open'), '--wait', file], { env: callerEnv(), extendEnv: false, reject: false, timeout: VM_MS });
    const [objectPath] = await watcher.waitForStarted(VM_MS);
    const xid = await watcher.windowOf(objectPath ?? '', VM_MS);
    assert.match(await windowName(x.display, xid), /^\[NoFear:temporary\] report\.pdf/);
    await execa('xdotool', ['windowfocus', '--sync', xid, 'key', '--window', xid, 'q'], { env: { DISPLAY: x.display }, timeout: 10_000 });
    const result = await open;
    assert.equal(result.exitCode, 0, result.stderr);
  });

  it('gio open on that bus gets the error that names the fix', async () => {
    const file = path.join(files, 'gio.pdf');
    writeFileSync(file, samplePdf());
    const result = await execa('gio', ['open', file], { env: { ...callerEnv(), DISPLAY: '' }, extendEnv: false, reject: false, timeout: 60_000 });
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr, /DISPLAY is not set.*dbus-update-activation-environment --systemd DISPLAY XAUTHORITY/s);
  });

  it('nofear-open through the service: a viewer that ends before its window is "not opened", with the sandbox\'s reason, and exits 125, never with its own status (defect 3)', async () => {
    const file = path.join(files, 'status.pdf');
    writeFileSync(file, samplePdf());
    const result = await execa(process.execPath, [bin('nofear-open'), '--with', 'exit-three.desktop', file], { env: callerEnv(), extendEnv: false, reject: false, timeout: VM_MS });
    assert.equal(result.exitCode, 125, result.stderr);
    assert.match(result.stderr, /status\.pdf was not opened: the sandbox ended before a window appeared \(Exit Three ended with status 3\)\. Fix: /);
    assert.doesNotMatch(result.stderr, /opened safely/);
  });

  it('shows one notification per open, updated in place; its Stop action stops that sandbox; a display with no X server fails at once, alone', async () => {
    const file = path.join(files, 'noticed.pdf');
    writeFileSync(file, samplePdf());
    const [objectPath] = await watcher.openFiles([file], { display: x.display });
    const first = await listener.waitFor((r) => r.method === 'Notify' && /Opening noticed\.pdf safely/.test(String(r.args?.[3])), 30_000);
    assert.deepEqual((first.args?.[5] as string[]).slice(0, 2), ['stop', 'Stop'], 'a Stop action');
    const id = await notificationId(first);
    await listener.waitFor((r) => r.method === 'Notify' && r.args?.[1] === id, VM_MS).catch(() => undefined); // updated in place, if the VM got that far
    assert.ok(
      notifies()
        .filter((r) => /noticed\.pdf/.test(String(r.args?.[3])))
        .every((r, i) => i === 0 || r.args?.[1] === id),
      'never a second notification for the same open',
    );
    // The notification server itself says Stop was pressed: NoFear obeys no other connection's ActionInvoked.
    await pressNotificationButton(bus.address, id, 'stop');
    assert.equal(await watcher.exitOf(objectPath ?? '', VM_MS), 143, 'Stop stops it, as SIGTERM would');
    await listener.waitFor((r) => r.method === 'CloseNotification' && r.args?.[0] === id, 10_000);

    const broken = path.join(files, 'broken.pdf');
    writeFileSync(broken, samplePdf());
    // A display with no X server is refused before any VM boots (issue 25): the failure comes alone, at once.
    const [failing] = await watcher.openFiles([broken], { display: ':99' });
    const failure = await listener.waitFor((r) => r.method === 'Notify' && /NoFear could not open broken\.pdf/.test(String(r.args?.[3])), VM_MS);
    assert.match(String(failure.args?.[4]), /:99/, 'the failure names the display');
    assert.equal(
      notifies().some((r) => /Opening broken\.pdf safely/.test(String(r.args?.[3]))),
      false,
      'no progress was shown for an open that never started',
    );
    assert.equal(await watcher.exitOf(failing ?? '', VM_MS), 125);
  });

  it('nofear-open from the desktop with no service between (--no-service): the same progress notification, its seconds counting on; its Stop stops the open', async () => {
    const file = path.join(files, 'in-process.pdf');
    writeFileSync(file, samplePdf());
    const since = listener.records.length;
    // stderr is a pipe, as under a file manager: no terminal, so the progress goes to the desktop.
    const open = execa(process.execPath, [bin('nofear-open'), '--no-service', file], { env: callerEnv(), extendEnv: false, reject: false, timeout: VM_MS });
    const openEnded = open.then((result) => {
      throw new Error(`nofear-open ended first (status ${result.exitCode}): ${result.stderr}`);
    });
    const ours = (r: BusRecord) => listener.records.indexOf(r) >= since && r.method === 'Notify' && /^Opening in-process\.pdf safely$/.test(String(r.args?.[3]));
    const first = await Promise.race([listener.waitFor(ours, VM_MS), openEnded]);
    assert.match(String(first.args?.[4]), /^Starting a throwaway VM… \d+ s/);
    assert.deepEqual((first.args?.[5] as string[]).slice(0, 2), ['stop', 'Stop'], 'a Stop action');
    const id = await notificationId(first);
    const update = await Promise.race([listener.waitFor((r) => ours(r) && r.args?.[1] === id, VM_MS), openEnded]);
    const seconds = (r: BusRecord) => Number(/ (\d+) s/.exec(String(r.args?.[4]))?.[1]);
    assert.ok(seconds(update) > seconds(first), `the seconds count on in place: ${String(first.args?.[4])} → ${String(update.args?.[4])}`);
    // Pressed through the notification server itself: NoFear obeys no other connection's ActionInvoked (issue 28).
    await pressNotificationButton(bus.address, id, 'stop');
    const result = await open;
    assert.equal(result.exitCode, 125, result.stderr);
    assert.match(result.stderr, /in-process\.pdf.*(stopped before its window, as asked \(Stop, in its notification\)|it was stopped)/);
    assert.ok(
      listener.records.some((r) => r.method === 'CloseNotification' && r.args?.[0] === id),
      'the progress notice is closed before nofear-open exits',
    );
  });

  /** The id the stand-in server gave a Notify call: its replaces_id, or the next of its counter. */
  async function notificationId(call: BusRecord): Promise<number> {
    const replaced = Number(call.args?.[1] ?? 0);
    if (replaced > 0) return replaced;
    return (
      notifies()
        .filter((r) => Number(r.args?.[1] ?? 0) === 0)
        .indexOf(call) + 1
    );
  }
});
