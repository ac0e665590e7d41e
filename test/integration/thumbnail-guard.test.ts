// No host parser before the open (issue 29): GNOME's real thumbnail factory (gnome-desktop 43 through
// gir1.2-gnomedesktop-3.0, its own bubblewrap sandbox and seccomp) asked for thumbnails after
// `nofearctl integrate install` wrote NoFear's guard entries into the user's thumbnailers dir. Every program
// the factory's process tree executes is recorded by `strace -f -e trace=execve`: it follows each fork, so a
// short-lived thumbnailer cannot slip past it (inside bwrap too: the tracer is outside every namespace).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { makeTree, type Tree } from '../helpers/integration-tree.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { PngPageWriter } from '../../src/convert/png-writer.js';

const FACTORY = fileURLToPath(new URL('../helpers/thumbnail-factory.py', import.meta.url));
/** The guard's placeholder: light grey inside a darker frame (src/integrate/thumbnail-guard.py). */
const PLACEHOLDER_COLOURS = ['9a9a9a', 'dcdcdc'];

interface Thumbnail {
  mime: string;
  width?: number;
  height?: number;
  colours?: string[];
  error?: string;
}

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

  /** The factory's thumbnail of `file` and the argv[0] of every program its process tree executed. */
  async function thumbnail(file: string): Promise<{ thumb: Thumbnail; programs: string[] }> {
    const log = path.join(dir, `${path.basename(file)}.execve`);
    const traced = await execa('strace', ['-f', '-qq', '-e', 'trace=execve', '-e', 'signal=none', '-o', log, '/usr/bin/python3', FACTORY, file], { env, extendEnv: false, timeout: 60_000 });
    // A successful execve line: PID execve("/path", [...], ...) = 0
    const programs = readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => / = 0$/.test(line))
      .map((line) => /execve\("([^"]+)"/.exec(line)?.[1] ?? '');
    return { thumb: JSON.parse(traced.stdout) as Thumbnail, programs };
  }

  before(async () => {
    tree = makeTree();
    dir = tree.top;
    mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
    env = { ...tree.env, XDG_RUNTIME_DIR: path.join(dir, 'run'), XDG_CACHE_HOME: path.join(dir, 'cache'), GSETTINGS_BACKEND: 'memory' };
    // The system tumbler.rc as tumbler 4.18 ships it, in part, in the tree's own system config dir.
    mkdirSync(path.join(dir, 'etc-xdg', 'tumbler'));
    writeFileSync(path.join(dir, 'etc-xdg', 'tumbler', 'tumbler.rc'), '[PopplerThumbnailer]\nDisabled=false\nPriority=2\n\n[DesktopThumbnailer]\nDisabled=false\nPriority=2\n');
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
});
