// [trust] policy = marked, as the desktop meets it: `gio open` (org.freedesktop.Application.Open through D-Bus
// activation) of a file from outside (here a browser's download: only Chromium's user.xdg.origin.url) shows a
// NoFear window; once the user trusts it (`nofearctl trust`), and for any other file, the previous default
// viewer's window on the host (mupdf, from Debian) and no VM; stopping the service leaves that window open. A
// file in the download folder is from outside by its place alone (the watcher is off here, so nothing marks it).
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { pollUntil } from '../../src/util/poll.js';
import { bin } from '../helpers/cli.js';
import { makeTree, type Tree } from '../helpers/integration-tree.js';
import { showBusLogOnFailure, startPrivateBus, type PrivateBus } from '../helpers/private-bus.js';
import { startXvfb, waitForWindow, windowName, type Display } from '../helpers/xvfb.js';
import { BusWatcher } from '../helpers/bus-watcher.js';

const VM_MS = 240_000;
const NATIVE_MS = 60_000;

/** Our processes whose command line names `file` (mupdf sets no _NET_WM_PID on its window). */
function pidsOpening(file: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(file);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('routing by the mark: [trust] policy = marked (gio open, Xvfb, real QEMU, mupdf on the host)', function () {
  this.timeout(600_000);
  let tree: Tree;
  let bus: PrivateBus;
  let x: Display;
  let watcher: BusWatcher;
  const nativePids: number[] = [];
  // The user's own cache: the guest kernel and image are reused, not fetched again for this throwaway HOME.
  const runEnv = () => ({ ...tree.env, XDG_RUNTIME_DIR: path.join(tree.top, 'run'), XDG_CACHE_HOME: path.join(os.homedir(), '.cache'), DISPLAY: x.display });
  const callerEnv = () => ({ ...runEnv(), DBUS_SESSION_BUS_ADDRESS: bus.address });
  const gioOpen = (file: string) => execa('gio', ['open', file], { env: callerEnv(), extendEnv: false, reject: false, timeout: 60_000 });
  const servicePid = async () => {
    const owner = await execa(
      'dbus-send',
      [`--bus=${bus.address}`, '--print-reply=literal', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.nofear.NoFear'],
      { reject: false, timeout: 10_000 },
    );
    const pid = /uint32 (\d+)/.exec(owner.stdout)?.[1];
    return pid === undefined ? undefined : Number(pid);
  };

  /** A PDF a browser saved, moved out of Downloads: only Chromium's mark says it came from outside. */
  const chromiumDownload = () => path.join(tree.home, 'Documents', 'chromium.pdf');

  before(async () => {
    tree = makeTree();
    // mupdf is the user's PDF viewer: recorded at install as the previous default, used natively and in the VM.
    mkdirSync(tree.configHome, { recursive: true });
    writeFileSync(path.join(tree.configHome, 'mimeapps.list'), '[Default Applications]\napplication/pdf=mupdf.desktop;\n');
    const install = await tree.nofearctl('integrate', 'install', '--default-for', 'application/pdf', '--by-origin');
    assert.equal(install.exitCode, 0, install.stderr);
    const configFile = path.join(tree.configHome, 'nofear', 'config.ini');
    assert.match(readFileSync(configFile, 'utf8'), /^\[trust\]\nwatch = on\npolicy = marked$/m);
    // The watcher off: a file in the download folder stays unmarked, so only its place can send it to a VM.
    writeFileSync(configFile, '[pool]\nsize = 0\n[trust]\npolicy = marked\nwatch = off\n');
    for (const dir of ['Downloads', 'Documents']) mkdirSync(path.join(tree.home, dir), { recursive: true });
    writeFileSync(chromiumDownload(), samplePdf());
    await execa('/usr/bin/python3', ['-I', '-S', '-c', 'import os, sys; os.setxattr(sys.argv[1], "user.xdg.origin.url", b"https://example.org/chromium.pdf")', chromiumDownload()]);
    mkdirSync(path.join(tree.top, 'run'), { mode: 0o700 });
    x = await startXvfb();
    bus = await startPrivateBus(tree.top, runEnv());
    watcher = await BusWatcher.connect(bus.address);
  });

  showBusLogOnFailure(() => bus);

  after(async () => {
    watcher?.close();
    await execa(process.execPath, [bin('nofearctl'), 'stop', '--all'], { env: callerEnv(), reject: false, timeout: 60_000 });
    const pid = await servicePid();
    if (pid !== undefined) process.kill(pid, 'SIGTERM');
    for (const native of nativePids) if (alive(native)) process.kill(native, 'SIGKILL');
    await bus?.stop();
    await x?.stop();
    tree?.cleanup();
  });

  it("opens a marked PDF (only Chromium's user.xdg.origin.url) and an unmarked one in the download folder in a VM (a NoFear window)", async () => {
    // A browser's download, moved out of Downloads: only Chromium's mark says it came from outside.
    const marked = chromiumDownload();
    const arrived = path.join(tree.home, 'Downloads', 'arrived.pdf');
    writeFileSync(arrived, samplePdf());
    // The marked file: its NoFear window.
    const openedMarked = await gioOpen(marked);
    assert.equal(openedMarked.exitCode, 0, openedMarked.stderr);
    const [markedPath = ''] = await watcher.waitForStarted(VM_MS);
    // The wait ends with the window, or with the sandbox if it ends first.
    const shown = await Promise.race([
      watcher.windowOf(markedPath, VM_MS),
      watcher.exitOf(markedPath, VM_MS).then((status) => Promise.reject(new Error(`the sandbox ended (${status}) before a window`))),
    ]);
    assert.match(await windowName(x.display, shown), /^\[NoFear:temporary\] chromium\.pdf/);
    await watcher.stop(markedPath);
    await watcher.exitOf(markedPath, VM_MS);
    // The file in the download folder, unmarked: its sandbox starts (the same path as above from there on).
    const openedArrived = await gioOpen(arrived);
    assert.equal(openedArrived.exitCode, 0, openedArrived.stderr);
    const [arrivedPath = ''] = await watcher.waitForStarted(VM_MS);
    await watcher.stop(arrivedPath);
    await watcher.exitOf(arrivedPath, VM_MS);
    assert.equal((await execa('/usr/bin/python3', ['-I', '-S', '-c', 'import os, sys; print(os.listxattr(sys.argv[1]))', arrived])).stdout, '[]', 'nothing marked it');
  });

  /** `gio open FILE` shows mupdf's own window on the host (one process, not NoFear's) and starts no VM; the viewer's pid and its window. */
  async function opensNatively(file: string, title: string, noVm: string): Promise<{ pid: number; xid: string }> {
    const before = watcher.startedCount;
    const opened = await gioOpen(file);
    assert.equal(opened.exitCode, 0, opened.stderr);
    const xid = await waitForWindow(x.display, title, NATIVE_MS);
    assert.doesNotMatch(await windowName(x.display, xid), /NoFear/);
    const [pid = 0, ...more] = pidsOpening(file);
    nativePids.push(pid, ...more);
    assert.equal(more.length, 0);
    assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /mupdf/);
    assert.equal(watcher.startedCount, before, noVm);
    return { pid, xid };
  }

  it("`nofearctl trust FILE` makes a file with Chromium's user.xdg.origin.url open in the previous default viewer, with no VM", async () => {
    // The first case opened it in a VM (its window), by the browser's mark alone.
    const downloaded = chromiumDownload();
    // The user's word wins over the browser's, with a warning that names where it came from.
    const trusted = await tree.nofearctl('trust', downloaded);
    assert.equal(trusted.exitCode, 0, trusted.stderr);
    assert.match(trusted.stderr, /warning: .*chromium\.pdf came from outside \(downloaded from https:\/\/example\.org\/chromium\.pdf\)/);
    await opensNatively(downloaded, 'chromium\\.pdf', 'a VM was started for a file the user trusts');
  });

  it('opens an unmarked PDF in the previous default viewer on the host, with no VM; stopping the service leaves its window', async () => {
    const plain = path.join(tree.home, 'Documents', 'plain.pdf');
    writeFileSync(plain, samplePdf());
    const { pid, xid } = await opensNatively(plain, 'plain\\.pdf', 'a VM was started for an unmarked file');
    const service = await servicePid();
    assert.ok(service !== undefined);
    // Not NoFear's child any more: its own session, so a signal to the service's group does not reach it.
    assert.notEqual(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[3], readFileSync(`/proc/${service}/stat`, 'utf8').split(') ')[1]?.split(' ')[3]);
    process.kill(service, 'SIGTERM');
    assert.ok(await pollUntil(() => !alive(service), 30_000), 'the service did not stop');
    assert.ok(alive(pid), 'the viewer went with the service');
    const still = await execa('xdotool', ['search', '--name', 'plain\\.pdf'], { env: { DISPLAY: x.display }, reject: false });
    assert.ok(still.stdout.split('\n').includes(xid), 'the window is gone');
  });
});
