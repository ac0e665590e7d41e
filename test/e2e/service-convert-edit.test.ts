// Convert and OpenFiles(edit) through the real service on a private bus, with a recording stand-in for the
// desktop's notification server and file manager: the safe PDF written beside the file with its progress
// and result as notifications (the result's Open and Show in folder work), a failed conversion that writes nothing, refusals before any VM, and an edit saved back
// once the program's window closes and marked as the guest's work (Xvfb, real QEMU).
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import dbus from 'dbus-next';
import { ROOT } from '../helpers/cli.js';
import { pressNotificationButton, startListener, startPrivateBus, type BusRecord, type Listener, type PrivateBus } from '../helpers/private-bus.js';
import { startForegroundService, type ForegroundService } from '../helpers/service.js';
import { EDITED, EDITOR, installTestEditors } from '../helpers/test-editors.js';
import { pressKey, startXvfb, waitForWindow, windowName, type Display } from '../helpers/xvfb.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { readFacts } from '../../src/trust/origin.js';
import { decodeMark, ORIGIN_ATTR } from '../../src/trust/rule.js';

const VM_DEADLINE_MS = 240_000;

/** The host's viewers started for `file` (by the notification's Open): their pids, to end them. */
function viewersOf(file: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv.includes(file) && path.basename(argv[0] ?? '').startsWith('mupdf'); // Debian's mupdf script execs mupdf-x11
      } catch {
        return false;
      }
    })
    .map(Number);
}
type Proxy = ReturnType<Awaited<ReturnType<ReturnType<typeof dbus.sessionBus>['getProxyObject']>>['getInterface']>;

describe('Convert and edit through the service (private bus, Xvfb, real QEMU)', function () {
  let dir: string;
  let files: string;
  let x: Display;
  let bus: PrivateBus;
  let notices: Listener;
  let service: ForegroundService;
  let client: ReturnType<typeof dbus.sessionBus>;
  let manager: Proxy;
  const exits = new Map<string, number>();
  const waiters = new Set<() => void>();

  /** SandboxExited's status for the object, waited for with a deadline. */
  const exitOf = (objectPath: string) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no SandboxExited for ${objectPath}`)), VM_DEADLINE_MS);
      const check = () => {
        const status = exits.get(objectPath);
        if (status === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(status);
      };
      waiters.add(check);
      check();
    });
  const notified = (summary: string) => (record: BusRecord) => record.method === 'Notify' && record.args?.[3] === summary;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-svc-convert-'));
    files = path.join(dir, 'files');
    mkdirSync(files);
    mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
    mkdirSync(path.join(dir, 'config', 'nofear'), { recursive: true });
    writeFileSync(path.join(dir, 'config', 'nofear', 'config.ini'), '[pool]\nsize = 0\n');
    installTestEditors(path.join(dir, 'data'));
    x = await startXvfb();
    bus = await startPrivateBus(dir, {}, { activation: false });
    notices = await startListener(path.join(ROOT, 'test', 'fixtures', 'nofear-bus-listener.py'), bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications,org.freedesktop.FileManager1' });
    service = startForegroundService({
      DBUS_SESSION_BUS_ADDRESS: bus.address,
      XDG_RUNTIME_DIR: path.join(dir, 'run'),
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      XDG_DATA_HOME: path.join(dir, 'data'),
      XDG_STATE_HOME: path.join(dir, 'state'),
      DISPLAY: x.display,
    });
    await service.waitForLine(/serving org\.nofear\.NoFear/, 60_000);
    client = dbus.sessionBus({ busAddress: bus.address });
    client.on('error', () => undefined);
    manager = (await client.getProxyObject('org.nofear.NoFear', '/org/nofear/NoFear')).getInterface('org.nofear.NoFear1.Manager');
    manager.on('SandboxExited', (objectPath: string, status: number) => {
      exits.set(objectPath, status);
      for (const wake of [...waiters]) wake();
    });
    await manager.StopAll(); // a round trip: the signal's match rule is in place
  });

  after(async () => {
    client?.disconnect();
    await service?.stop();
    await notices?.stop();
    await bus?.stop();
    await x?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Convert: one sandbox per file, NAME.safe.pdf beside it, progress and result as notifications', async () => {
    const file = path.join(files, 'sample.pdf');
    writeFileSync(file, samplePdf());
    const [objectPath] = (await manager.Convert([file], {})) as string[];
    assert.match(objectPath ?? '', /^\/org\/nofear\/NoFear\/sandbox\/[0-9a-f]{8}$/);
    assert.equal(await exitOf(objectPath ?? ''), 0);
    const pages = /^Pages:\s+(\d+)$/m.exec((await execa('pdfinfo', [path.join(files, 'sample.safe.pdf')])).stdout)?.[1];
    assert.equal(pages, '1');
    await notices.waitFor(notified('Converting sample.pdf to a safe PDF'), 5000);
    const done = await notices.waitFor(notified('sample.safe.pdf is ready'), 5000);
    assert.match(String(done.args?.[4]), /A safe PDF of sample\.pdf, made from its pixels \(1 page\)/);

    // Its buttons (issue 31): Show in folder asks the file manager (the stand-in owns FileManager1); Open
    // shows the safe PDF natively in the PDF default (mupdf, pinned for the tests), not in a VM or xdg-open.
    assert.deepEqual(done.args?.[5], ['open', 'Open', 'show-in-folder', 'Show in folder']);
    const id = Number(done.args?.[1]);
    assert.ok(id > 0, 'the result replaces the progress notification');
    const safe = path.join(files, 'sample.safe.pdf');
    // Pressed through the stand-in notification server: NoFear obeys no other connection's ActionInvoked (issue 28).
    const press = (action: string) => pressNotificationButton(bus.address, id, action);
    await press('show-in-folder');
    const shown = await notices.waitFor((r) => r.method === 'ShowItems', 10_000);
    assert.deepEqual(shown.args, [[pathToFileURL(safe).href], '']);
    await press('open');
    try {
      const window = await waitForWindow(x.display, 'sample\\.safe\\.pdf', 60_000);
      assert.doesNotMatch(await windowName(x.display, window), /NoFear/, "mupdf's own window, without NoFear's title");
      assert.ok(viewersOf(safe).length > 0, 'mupdf runs on the host with the safe PDF');
    } finally {
      for (const pid of viewersOf(safe)) process.kill(pid, 'SIGTERM');
    }
  });

  it('Convert refuses what has nothing to render, a relative path and an unknown option, before any VM', async () => {
    const zip = path.join(files, 'archive.zip');
    writeFileSync(zip, Buffer.from('504b0506000000000000000000000000000000000000', 'hex'));
    const refused = (call: Promise<unknown>, name: string) => assert.rejects(call, (error: Error & { type?: string }) => error.type === `org.nofear.NoFear1.Error.${name}`);
    await refused(manager.Convert([zip], {}), 'NoViewer');
    await refused(manager.Convert(['sample.pdf'], {}), 'InvalidArgument');
    await refused(manager.Convert([path.join(files, 'sample.pdf')], { viewer: new dbus.Variant('s', 'mupdf.desktop') }), 'InvalidArgument');
  });

  it('Convert of a document the VM cannot render ends with 125, writes nothing, and says so on the desktop', async () => {
    writeFileSync(path.join(files, 'broken.pdf'), '%PDF-1.4\nnot a PDF after all\n');
    const [objectPath] = (await manager.Convert([path.join(files, 'broken.pdf')], {})) as string[];
    assert.equal(await exitOf(objectPath ?? ''), 125);
    assert.deepEqual(
      readdirSync(files).filter((name) => name.startsWith('broken') && name !== 'broken.pdf'),
      [],
    );
    await notices.waitFor(notified('NoFear could not convert broken.pdf'), 5000);
  });

  it('OpenFiles with edit=true: the copy the program changed is saved back when its window closes, marked as from outside', async () => {
    const file = path.join(files, 'notes.txt');
    writeFileSync(file, 'the original notes\n');
    const options = { edit: new dbus.Variant('b', true), save_back: new dbus.Variant('s', 'always'), viewer: new dbus.Variant('s', EDITOR), display: new dbus.Variant('s', x.display) };
    const [objectPath] = (await manager.OpenFiles([file], options)) as string[];
    const window = await waitForWindow(x.display, '^\\[NoFear:temporary\\] nofear-test-editor', VM_DEADLINE_MS);
    await pressKey(x.display, window, 'Return');
    assert.equal(await exitOf(objectPath ?? ''), 0);
    assert.deepEqual(readFileSync(file), Buffer.from(EDITED));
    const told = await notices.waitFor(notified('NoFear: notes.txt'), 5000);
    assert.equal(told.args?.[4], 'notes.txt: the changes were saved back');
    // A user's own file: once a guest wrote it, it is from outside (the new inode carries NoFear's mark).
    const [state] = await readFacts([file], { env: { ...process.env, XDG_STATE_HOME: path.join(dir, 'state') }, places: [], skipped: [] });
    const mark = state?.facts.attrs[ORIGIN_ATTR];
    assert.equal(mark === undefined ? undefined : decodeMark(mark).from, 'made in a NoFear VM (an edit saved back)');
  });
});
