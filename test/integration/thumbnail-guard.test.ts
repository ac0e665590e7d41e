// No host parser before the open (issue 29): GNOME's real thumbnail factory (gnome-desktop 43 through
// gir1.2-gnomedesktop-3.0, its own bubblewrap sandbox and seccomp) and tumbler's real tumblerd (on a private
// bus, with the user tumbler.rc NoFear writes) asked for thumbnails after `nofearctl integrate install` wrote
// NoFear's guard entries into the user's thumbnailers dir. Every program their process trees execute, and
// every file tumblerd's opens, is recorded by strace (test/helpers/host-thumbnailers.ts). The VM's side (the
// real thumbnail replacing the placeholder in the cache) is test/integration/trust.test.ts.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { makeTree, type Tree } from '../helpers/integration-tree.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { PngPageWriter } from '../../src/convert/png-writer.js';
import { factoryThumbnail, HOST_PARSERS, PLACEHOLDER_COLOURS, startTumbler, type Thumbnail, type Tumbler } from '../helpers/host-thumbnailers.js';
import { startPrivateBus, type PrivateBus } from '../helpers/private-bus.js';

const SYSTEM_TUMBLER_RC = '/etc/xdg/tumbler/tumbler.rc';

/** Sets user xattrs with the system Python (Node has no xattr call). */
async function setXattrs(file: string, attrs: Record<string, string>): Promise<void> {
  const script = 'import json, os, sys\nfor k, v in json.loads(sys.argv[2]).items(): os.setxattr(sys.argv[1], k, v.encode())';
  await execa('/usr/bin/python3', ['-I', '-S', '-c', script, file, JSON.stringify(attrs)]);
}

async function writePng(file: string): Promise<void> {
  const writer = await PngPageWriter.create(file, 32, 32, 72);
  await writer.write(Buffer.alloc(32 * 32 * 3, Buffer.from([0xc0, 0x20, 0x40])));
  await writer.finish();
}

describe('thumbnail guard: GNOME thumbnail factory, real thumbnailers, every exec recorded', function () {
  this.timeout(120_000);
  let tree: Tree;
  let dir: string;
  let env: Record<string, string>;

  /** The factory's thumbnail of `file` and the program of every exec in its process tree. */
  async function thumbnail(file: string): Promise<{ thumb: Thumbnail; programs: string[] }> {
    const { thumb, trace } = await factoryThumbnail(file, env, dir);
    return { thumb, programs: trace.programs };
  }

  before(async () => {
    tree = makeTree();
    dir = tree.top;
    mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
    env = { ...tree.env, XDG_RUNTIME_DIR: path.join(dir, 'run'), XDG_CACHE_HOME: path.join(dir, 'cache'), GSETTINGS_BACKEND: 'memory' };
    // The system's tumbler.rc (tumbler 4.18's: its parsing plugins enabled, and ranked above the desktop
    // thumbnailer), or a part of it, in the tree's own system config dir.
    mkdirSync(path.join(dir, 'etc-xdg', 'tumbler'));
    const systemRc = existsSync(SYSTEM_TUMBLER_RC) ? readFileSync(SYSTEM_TUMBLER_RC, 'utf8') : '[PopplerThumbnailer]\nDisabled=false\nPriority=1\n\n[DesktopThumbnailer]\nDisabled=false\nPriority=0\n';
    writeFileSync(path.join(dir, 'etc-xdg', 'tumbler', 'tumbler.rc'), systemRc);
    const installed = await tree.nofearctl('integrate', 'install');
    assert.equal(installed.exitCode, 0, installed.stderr);
    for (const name of ['marked.pdf', 'plain.pdf', 'trusted.pdf']) writeFileSync(path.join(dir, name), samplePdf(name));
    await writePng(path.join(dir, 'downloaded.png'));
    await setXattrs(path.join(dir, 'marked.pdf'), { 'user.nofear.origin': JSON.stringify({ from: 'arrived in ~/Downloads', at: new Date().toISOString() }) });
    await setXattrs(path.join(dir, 'downloaded.png'), { 'user.xdg.origin.url': 'https://example.org/a.png' });
    await setXattrs(path.join(dir, 'trusted.pdf'), { 'user.xdg.origin.url': 'https://example.org/t.pdf', 'user.nofear.trusted': '{}' });
  });

  after(() => tree.cleanup());

  it('installs a guard for each system thumbnailer in the user thumbnailers dir', () => {
    const guard = readFileSync(path.join(tree.dataHome, 'thumbnailers', 'evince.thumbnailer'), 'utf8');
    assert.match(guard, /^Exec=\/usr\/bin\/python3 -I -S -c '.*' %s %i %o -- evince-thumbnailer -s %%s %%u %%o$/m);
    assert.match(guard, /^MimeType=.*application\/pdf;/m);
  });

  it("turns tumbler's in-process parsers off in the user's tumbler.rc, and uninstall takes the rc and the guards away", async () => {
    const rc = readFileSync(path.join(tree.configHome, 'tumbler', 'tumbler.rc'), 'utf8');
    assert.match(rc, /\[PopplerThumbnailer\]\nDisabled=true\n/);
    assert.match(rc, /\[PixbufThumbnailer\]\nDisabled=true\n/);
    assert.match(rc, /\[DesktopThumbnailer\]\nDisabled=false\n/);
    const other = makeTree();
    try {
      mkdirSync(path.join(other.top, 'etc-xdg', 'tumbler'));
      writeFileSync(path.join(other.top, 'etc-xdg', 'tumbler', 'tumbler.rc'), '[PopplerThumbnailer]\nDisabled=false\n');
      assert.equal((await other.nofearctl('integrate', 'install')).exitCode, 0);
      assert.ok(existsSync(path.join(other.dataHome, 'thumbnailers', 'evince.thumbnailer')));
      assert.equal((await other.nofearctl('integrate', 'uninstall')).exitCode, 0);
      assert.ok(!existsSync(path.join(other.configHome, 'tumbler', 'tumbler.rc')), 'the rc NoFear wrote is still there');
      assert.ok(!existsSync(path.join(other.dataHome, 'thumbnailers')), 'the guards or their dir are still there');
    } finally {
      other.cleanup();
    }
  });

  it('a PDF from outside gets the placeholder and evince-thumbnailer never runs', async () => {
    const { thumb, programs } = await thumbnail(path.join(dir, 'marked.pdf'));
    assert.ok(programs.includes('/usr/bin/bwrap'), `the factory ran its sandbox: ${programs.join(' ')}`);
    assert.ok(!programs.some((p) => p.endsWith('evince-thumbnailer')), `evince-thumbnailer ran: ${programs.join(' ')}`);
    assert.deepEqual([thumb.width, thumb.height, thumb.colours], [64, 64, PLACEHOLDER_COLOURS], JSON.stringify(thumb));
  });

  it('an image with only a browser mark gets the placeholder and gdk-pixbuf-thumbnailer never runs', async () => {
    const { thumb, programs } = await thumbnail(path.join(dir, 'downloaded.png'));
    assert.ok(!programs.some((p) => p.endsWith('gdk-pixbuf-thumbnailer')), `gdk-pixbuf-thumbnailer ran: ${programs.join(' ')}`);
    assert.deepEqual(thumb.colours, PLACEHOLDER_COLOURS, JSON.stringify(thumb));
  });

  it('an unmarked PDF, and a trusted one, go to evince-thumbnailer as before', async () => {
    for (const name of ['plain.pdf', 'trusted.pdf']) {
      const { thumb, programs } = await thumbnail(path.join(dir, name));
      assert.ok(programs.includes('/usr/bin/evince-thumbnailer'), `${name}: evince-thumbnailer did not run: ${programs.join(' ')}`);
      assert.equal(thumb.error, undefined, `${name}: ${JSON.stringify(thumb)}`);
      assert.notDeepEqual(thumb.colours, PLACEHOLDER_COLOURS, `${name} got the placeholder`);
    }
  });

  describe("tumbler's D-Bus thumbnailer (real tumblerd on a private bus, its execs and opens traced)", () => {
    let bus: PrivateBus;
    let tumbler: Tumbler;
    const outside = () => [path.join(dir, 'marked.pdf'), path.join(dir, 'downloaded.png')];

    before(async () => {
      bus = await startPrivateBus(dir, {}, { activation: false });
      tumbler = startTumbler({ ...env, DBUS_SESSION_BUS_ADDRESS: bus.address }, dir);
    });

    after(async () => {
      await tumbler?.stop();
      await bus?.stop();
    });

    it('a marked PDF and an image with a browser mark get the placeholder: no thumbnailer runs and tumblerd opens neither', async () => {
      const reply = await tumbler.thumbnail(outside());
      assert.ok(reply.finished, JSON.stringify(reply));
      for (const file of outside()) {
        const one = reply.files[file];
        assert.equal(one?.said, 'ready', `${file}: ${JSON.stringify(one)}`);
        assert.deepEqual(one?.colours, PLACEHOLDER_COLOURS, `${file}: ${JSON.stringify(one)}`);
      }
      const { programs, opened } = tumbler.trace();
      assert.ok(programs.includes('/usr/bin/python3'), `tumbler did not run NoFear's guard: ${programs.join(' ')}`);
      assert.deepEqual(
        programs.filter((p) => HOST_PARSERS.test(p)),
        [],
        'a host thumbnailer ran for a file from outside',
      );
      const touched = opened.filter((one) => outside().includes(one.path));
      assert.deepEqual(touched, [], 'tumblerd or a child opened a file from outside');
    });

    it('an unmarked PDF goes to evince-thumbnailer as before', async () => {
      const plain = path.join(dir, 'plain.pdf');
      const reply = await tumbler.thumbnail([plain]);
      const one = reply.files[plain];
      assert.equal(one?.said, 'ready', JSON.stringify(reply));
      assert.notDeepEqual(one?.colours, PLACEHOLDER_COLOURS, 'the unmarked PDF got the placeholder');
      assert.ok(tumbler.trace().programs.includes('/usr/bin/evince-thumbnailer'), `evince-thumbnailer did not run: ${tumbler.trace().programs.join(' ')}`);
    });
  });
});
