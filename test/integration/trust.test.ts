// The mark of the outside on real folders: the service's chokidar watcher marks what arrives in an untrusted
// place (and what was there before it started), the mark moves with the file, a browser's mark counts, and
// nofearctl trust / distrust / trust status say and change it. The xattr path; the sidecar path (a filesystem
// without user xattrs) is test/root/trust-sidecar.test.ts. What the watcher marks is thumbnailed in a real VM
// (TCG here) and written into the thumbnail cache by the service, no host program parsing it: before the
// service starts, the host's real thumbnailers (tumbler's tumblerd and GNOME's thumbnail factory, behind
// NoFear's guard entries and tumbler.rc) are asked for the marked PDF and image and put only the placeholder
// in the cache; the VM's thumbnails then replace it, and stay when the factory saves its placeholder after them.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { bin, ROOT } from '../helpers/cli.js';
import { startListener, startPrivateBus, type Listener, type PrivateBus } from '../helpers/private-bus.js';
import { startForegroundService, type ForegroundService } from '../helpers/service.js';
import { pollUntil } from '../../src/util/poll.js';
import { ProcessRecorder } from '../helpers/process-recorder.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { findGuestKernel } from '../../src/vm/kernel.js';
import { PngPageWriter } from '../../src/convert/png-writer.js';
import { fileUri, thumbnailPath } from '../../src/convert/thumb-cache.js';
import { guardEntries } from '../../src/integrate/thumbnailers.js';
import { disableParsingPlugins, userTumblerRc } from '../../src/integrate/tumbler.js';
import { factoryThumbnail, HOST_PARSERS as HOST_THUMBNAILERS, PLACEHOLDER_COLOURS, startTumbler, type Thumbnail, type Trace, type TumblerReply } from '../helpers/host-thumbnailers.js';

/** A thumbnail batch boots a VM under TCG (about 30 s here) after the service's start: generous. */
const THUMB_DEADLINE_MS = 240_000;
/** Host programs that would parse a PDF or an image: none may run for a file from outside. */
const HOST_PARSERS = /(^|\/)(evince-thumbnailer|gdk-pixbuf-thumbnailer|pdftoppm|pdfinfo|mutool|convert|identify|tumblerd|ffmpegthumbnailer|totem-video-thumbnailer)$/;

/** The PNG's tEXt keys and its size (the spec's keys are how a file manager matches a thumbnail to its file). */
function pngKeys(file: string): { width: number; height: number; keys: Record<string, string> } {
  const png = readFileSync(file);
  const keys: Record<string, string> = {};
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'tEXt') {
      const [key = '', value = ''] = png.toString('latin1', at + 8, at + 8 + length).split('\0');
      keys[key] = value;
    }
    at += 12 + length;
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), keys };
}

const MARK_DEADLINE_MS = 20_000;

/** NoFear's thumbnail guard entries and tumbler.rc in the test's home, as `nofearctl integrate install` writes them. */
async function installThumbnailGuards(env: Record<string, string>): Promise<void> {
  for (const [file, text] of await guardEntries(env)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const systemRc = existsSync('/etc/xdg/tumbler/tumbler.rc') ? readFileSync('/etc/xdg/tumbler/tumbler.rc', 'latin1') : undefined;
  mkdirSync(path.dirname(userTumblerRc(env)), { recursive: true });
  writeFileSync(userTumblerRc(env), disableParsingPlugins(systemRc));
}

/** What the host's thumbnailers did when asked for the marked files before the service ran. */
interface HostAsked {
  tumbler: TumblerReply;
  tumblerTrace: Trace;
  factory: Array<{ file: string; thumb: Thumbnail; trace: Trace }>;
  /** The Software key of each file's normal thumbnail in the cache, before the service started. */
  cachedBefore: Array<string | undefined>;
}

/** The file's user xattrs, read by the system Python (Node has no xattr call). */
async function xattrs(file: string): Promise<Record<string, string>> {
  const script = 'import json, os, sys; p = sys.argv[1]; print(json.dumps({n: os.getxattr(p, n).decode() for n in os.listxattr(p) if n.startswith("user.")}))';
  return JSON.parse((await execa('/usr/bin/python3', ['-I', '-S', '-c', script, file])).stdout) as Record<string, string>;
}

describe('the mark of the outside (real chokidar on real folders, the service on a private bus)', function () {
  this.timeout(120_000);
  let dir: string;
  let home: string;
  let bus: PrivateBus | undefined;
  let service: ForegroundService | undefined;
  let env: Record<string, string>;
  let recorder: ProcessRecorder | undefined;
  let hostAsked: HostAsked | undefined;
  let notices: Listener | undefined;
  const downloads = () => path.join(home, 'Downloads');
  const ctl = (...args: string[]) => execa(process.execPath, [bin('nofearctl'), ...args], { env, extendEnv: false, reject: false });
  /** Polls until NoFear's mark is on the file, or the deadline, or the service's end. */
  const marked = async (file: string) => {
    let gone = false;
    void service?.exited.then(() => (gone = true));
    return pollUntil(async () => gone || (await xattrs(file).catch((): Record<string, string> => ({})))['user.nofear.origin'] !== undefined, MARK_DEADLINE_MS, 50).then(
      async () => (await xattrs(file))['user.nofear.origin'],
    );
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-trust-'));
    home = path.join(dir, 'home');
    mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
    mkdirSync(path.join(home, 'Documents'), { recursive: true });
    mkdirSync(downloads(), { recursive: true });
    mkdirSync(path.join(dir, 'config', 'nofear'), { recursive: true });
    writeFileSync(path.join(dir, 'config', 'nofear', 'config.ini'), '[pool]\nsize = 0\n[service]\nidle_exit = 1\n[trust]\nwatch = on\nplaces = xdg:DOWNLOAD, $HOME/Mail\n');
    writeFileSync(path.join(downloads(), 'before.pdf'), '%PDF-1.4 arrived while the service was down\n');
    // Thumbnailed with before.pdf (which cannot be rendered) in the rescan's one batch: one VM for all three.
    writeFileSync(path.join(downloads(), 'real.pdf'), samplePdf('A thumbnail from a VM'));
    const png = await PngPageWriter.create(path.join(downloads(), 'photo.png'), 300, 200, 72);
    await png.write(Buffer.alloc(300 * 200 * 3, Buffer.from([0xc0, 0x20, 0x40])));
    await png.finish();
    // Marked before the service runs (a browser's mark; NoFear's own from an earlier run): what a file manager
    // showing Downloads asks the host's thumbnailers for first.
    await execa('/usr/bin/python3', ['-I', '-S', '-c', 'import os, sys; os.setxattr(sys.argv[1], "user.xdg.origin.url", b"https://example.org/real.pdf")', path.join(downloads(), 'real.pdf')]);
    const origin = JSON.stringify({ from: `arrived in ${downloads()}`, at: new Date().toISOString() });
    await execa('/usr/bin/python3', ['-I', '-S', '-c', 'import os, sys; os.setxattr(sys.argv[1], "user.nofear.origin", sys.argv[2].encode())', path.join(downloads(), 'photo.png'), origin]);
    const kernel = await findGuestKernel();
    bus = await startPrivateBus(dir, {}, { activation: false });
    env = {
      HOME: home,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      DBUS_SESSION_BUS_ADDRESS: bus.address,
      XDG_RUNTIME_DIR: path.join(dir, 'run'),
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      XDG_DATA_HOME: path.join(dir, 'data'),
      XDG_STATE_HOME: path.join(dir, 'state'),
      DISPLAY: '',
      XDG_CACHE_HOME: path.join(dir, 'cache'),
      NOFEAR_KERNEL: kernel.image,
      NOFEAR_KERNEL_MODULES: kernel.modulesDir,
      NOFEAR_ACCEL: process.env.NOFEAR_ACCEL ?? '',
    };
    hostAsked = await askHostThumbnailers();
    // The desktop's notification server, a recording stand-in: what `trust --notify` shows (Nemo, Thunar, Dolphin).
    notices = await startListener(path.join(ROOT, 'test', 'fixtures', 'nofear-bus-listener.py'), bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications' });
    // Bus-activated with idle_exit = 1: without the watcher it would leave after a second.
    service = startForegroundService(env, ['--activated']);
    recorder = new ProcessRecorder(service.pid);
    await service.waitForLine(/trust: watching .*Downloads/, 30_000);
  });

  /** The environment a file manager's thumbnailers run in: the system's data dirs (the factory's and tumbler's entries). */
  const hostEnvOf = () => ({ ...env, XDG_DATA_DIRS: '/usr/local/share:/usr/share', GSETTINGS_BACKEND: 'memory' });

  /** tumblerd (as Thunar asks it), then GNOME's factory (generating and saving, as Nautilus does), for the two marked files. */
  async function askHostThumbnailers(): Promise<HostAsked> {
    const hostEnv = hostEnvOf();
    await installThumbnailGuards(hostEnv);
    const files = ['real.pdf', 'photo.png'].map((name) => path.join(downloads(), name));
    const tumblerd = startTumbler(hostEnv, dir);
    let tumbler: TumblerReply;
    try {
      tumbler = await tumblerd.thumbnail(files);
    } finally {
      await tumblerd.stop();
    }
    const factory = [];
    for (const file of files) factory.push({ file, ...(await factoryThumbnail(file, hostEnv, dir, { save: true })) });
    const cachedBefore = files.map((file) => (existsSync(thumbnailPath(env, fileUri(file), 'normal')) ? pngKeys(thumbnailPath(env, fileUri(file), 'normal')).keys.Software : undefined));
    return { tumbler, tumblerTrace: tumblerd.trace(), factory, cachedBefore };
  }

  after(async () => {
    recorder?.stop();
    await service?.stop();
    await notices?.stop();
    await bus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("tumbler and GNOME's thumbnail factory, asked for a marked PDF and a marked image, parse neither: the placeholder goes into the cache", () => {
    const asked = hostAsked!;
    const outside = ['real.pdf', 'photo.png'].map((name) => path.join(downloads(), name));
    for (const file of outside) {
      const one = asked.tumbler.files[file];
      assert.equal(one?.said, 'ready', `tumbler: ${JSON.stringify(asked.tumbler)}`);
      assert.deepEqual(one?.colours, PLACEHOLDER_COLOURS, `tumbler: ${JSON.stringify(one)}`);
    }
    assert.deepEqual(
      asked.tumblerTrace.opened.filter((one) => outside.includes(one.path)),
      [],
      'tumblerd or a child opened a file from outside',
    );
    for (const { file, thumb } of asked.factory) assert.deepEqual(thumb.colours, PLACEHOLDER_COLOURS, `factory, ${file}: ${JSON.stringify(thumb)}`);
    const programs = [...asked.tumblerTrace.programs, ...asked.factory.flatMap((one) => one.trace.programs)];
    assert.ok(programs.includes('/usr/bin/bwrap') && programs.includes('/usr/bin/python3'), `the factory's sandbox or NoFear's guard did not run: ${programs.join(' ')}`);
    assert.deepEqual(
      programs.filter((p) => HOST_THUMBNAILERS.test(p)),
      [],
      'a host thumbnailer parsed a file from outside',
    );
    // What the file manager shows until the VM's thumbnail comes: the factory's save of the placeholder.
    assert.deepEqual(asked.cachedBefore, ['GNOME::ThumbnailFactory', 'GNOME::ThumbnailFactory']);
  });

  it('marks what was in the download folder before the service started (the rescan)', async () => {
    assert.match((await marked(path.join(downloads(), 'before.pdf'))) ?? '', /"from":"arrived in .*Downloads"/);
  });

  it('marks a file written into the download folder while it runs; moved to ~/Documents it still is', async () => {
    const file = path.join(downloads(), 'report.pdf');
    writeFileSync(file, '%PDF-1.4 from outside\n');
    assert.match((await marked(file)) ?? '', /arrived in .*Downloads/);
    const moved = path.join(home, 'Documents', 'report.pdf');
    renameSync(file, moved);
    const status = await ctl('trust', 'status', moved);
    assert.equal(status.exitCode, 0, status.stderr);
    assert.match(status.stdout, /^marked \(from outside: arrived in .*Downloads, marked \d{4}-/);
  });

  it('marks a file in a subfolder of a place', async () => {
    mkdirSync(path.join(downloads(), 'unpacked', 'deeper'), { recursive: true });
    const file = path.join(downloads(), 'unpacked', 'deeper', 'inner.docx');
    writeFileSync(file, 'PK');
    assert.match((await marked(file)) ?? '', /arrived in/);
  });

  it('stays up while it watches, although bus-activated with idle_exit = 1', () => {
    assert.equal(
      service?.lines.some((line) => /idle for/.test(line)),
      false,
      service?.lines.join('\n'),
    );
  });

  it("counts a file with only a browser's user.xdg.origin.url as from outside; trust wins over it, with a warning; distrust marks it", async () => {
    const file = path.join(home, 'Documents', 'chromium.pdf');
    writeFileSync(file, '%PDF-1.4\n');
    assert.match((await ctl('trust', 'status', file)).stdout, /^not marked$/m);
    await execa('/usr/bin/python3', ['-I', '-S', '-c', 'import os, sys; os.setxattr(sys.argv[1], "user.xdg.origin.url", b"https://evil.example/chromium.pdf")', file]);
    assert.match((await ctl('trust', 'status', file)).stdout, /^marked \(from outside: downloaded from https:\/\/evil\.example\/chromium\.pdf\)$/m);
    // As Nemo, Thunar and Dolphin run it: the warning is also a notification (they show no stderr).
    const trusted = await ctl('trust', '--notify', file);
    assert.equal(trusted.exitCode, 0, trusted.stderr);
    assert.match(trusted.stderr, /warning: .*came from outside \(downloaded from https:\/\/evil\.example.*nofearctl distrust/);
    const told = await notices!.waitFor((record) => record.method === 'Notify' && record.args?.[3] === 'chromium.pdf is trusted', 10_000);
    assert.match(String(told.args?.[4]), /came from outside \(downloaded from https:\/\/evil\.example\/chromium\.pdf\)\. Trusted now: it opens natively/);
    assert.match((await ctl('trust', 'status', file)).stdout, /^not marked \(trusted by you/m);
    assert.equal((await ctl('distrust', file)).exitCode, 0);
    assert.match((await ctl('trust', 'status', file)).stdout, /^marked \(from outside: distrusted by you/m);
    assert.equal((await xattrs(file))['user.nofear.trusted'], undefined);
  });

  it('refuses a missing file and a folder with a named error and a fix', async () => {
    const missing = await ctl('trust', 'status', path.join(home, 'nope.pdf'));
    assert.equal(missing.exitCode, 125);
    assert.match(missing.stderr, /nope\.pdf does not exist[\s\S]*Fix: /);
    const folder = await ctl('trust', path.join(home, 'Documents'));
    assert.equal(folder.exitCode, 125);
    assert.match(folder.stderr, /not a regular file/);
    // From a file manager's action, the failure is a notification too.
    const unseen = await ctl('trust', '--notify', path.join(home, 'nope.pdf'));
    assert.equal(unseen.exitCode, 125);
    const failed = await notices!.waitFor((record) => record.method === 'Notify' && record.args?.[3] === 'NoFear could not trust nope.pdf', 10_000);
    assert.match(String(failed.args?.[4]), /nope\.pdf does not exist/);
  });

  it('thumbnails a marked PDF and a marked image in a VM into the thumbnail cache; one it cannot render gets none; no host program parses them', async function () {
    this.timeout(THUMB_DEADLINE_MS + 30_000);
    const line = await service!.waitForLine(/thumbnails: \d+ of \d+ in .*Downloads rendered in a VM/, THUMB_DEADLINE_MS);
    for (const name of ['real.pdf', 'photo.png']) {
      const file = path.join(downloads(), name);
      const uri = fileUri(file);
      for (const [size, side] of [
        ['large', 256],
        ['normal', 128],
      ] as const) {
        const thumb = thumbnailPath(env, uri, size);
        assert.ok(existsSync(thumb), `${name}: no ${size} thumbnail (${line})\n${service!.lines.join('\n')}`);
        const { width, height, keys } = pngKeys(thumb);
        assert.equal(keys['Thumb::URI'], uri);
        assert.equal(keys['Thumb::MTime'], String(Math.floor(statSync(file).mtimeMs / 1000)));
        assert.equal(keys.Software, 'NoFear (rendered in a VM)');
        assert.equal(Math.max(width, height), side, `${name} ${size}: ${width} x ${height}`);
      }
    }
    assert.ok(!existsSync(thumbnailPath(env, fileUri(path.join(downloads(), 'before.pdf')), 'large')), 'the unrenderable file got a thumbnail');
    assert.match(service!.lines.join('\n'), /thumbnails: none for .*before\.pdf/);
    const parsers = recorder!.recorded.filter((one) => HOST_PARSERS.test(one.argv[0] ?? ''));
    assert.deepEqual(parsers, [], 'a host program parsed a file from outside');
    assert.ok(
      recorder!.recorded.some((one) => /qemu-system/.test(one.argv[0] ?? '')),
      'no VM was started',
    );
  });

  it("keeps the VM's thumbnail when GNOME's factory saves its placeholder after it (a file manager's late answer)", async () => {
    const file = path.join(downloads(), 'real.pdf');
    const normal = thumbnailPath(env, fileUri(file), 'normal');
    assert.equal(pngKeys(normal).keys.Software, 'NoFear (rendered in a VM)', 'the thumbnail case above left no VM thumbnail');
    // The factory as Nautilus runs it: NoFear's guard gives the placeholder, and its save renames it over the VM's PNG.
    const late = await factoryThumbnail(file, hostEnvOf(), dir, { save: true });
    assert.deepEqual(late.thumb.colours, PLACEHOLDER_COLOURS, JSON.stringify(late.thumb));
    assert.deepEqual(
      late.trace.programs.filter((p) => HOST_THUMBNAILERS.test(p)),
      [],
      'a host thumbnailer parsed a file from outside',
    );
    await service!.waitForLine(/thumbnails: put NoFear's normal thumbnail of .*real\.pdf back over a placeholder/, 30_000);
    const { keys } = pngKeys(normal);
    assert.equal(keys.Software, 'NoFear (rendered in a VM)');
    assert.equal(keys['Thumb::MTime'], String(Math.floor(statSync(file).mtimeMs / 1000)));
  });
});
