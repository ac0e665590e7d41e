// A link VM's downloads without a VM: what is offered (pure), the held folder on real files in a temp dir
// (the guest's symlink as mapped-xattr stores it, a host symlink, hidden and unfinished files, an existing
// name in the download folder), and the two ways of asking (a prompt on streams, a notification on a fake
// server). Nothing leaves without "keep".
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { chooseDownloads, keptName, type HeldEntry } from '../../../src/open/download-choice.js';
import { LinkDownloads, type DownloadsQuestion } from '../../../src/edit/link-downloads.js';
import { describeDownloads, keepNothing, notificationDownloadsAsker, terminalDownloadsAsker } from '../../../src/edit/downloads-ask.js';
import { fromOutside } from '../../../src/trust/origin.js';
import type { Notice } from '../../../src/service/bus/notifications.js';

const file = (name: string | undefined, size = 10, guest: HeldEntry['guest'] = 'file'): HeldEntry => ({ name, host: 'file', guest, size });

describe('link downloads: what is offered', () => {
  const limits = { maxFiles: 2, maxBytes: 100 };

  it('offers regular files only, in name order, under safe names; says why the rest stay', () => {
    const choice = chooseDownloads(
      [
        file('b.pdf'),
        file('a\u202etxt.exe'),
        file('link', 10, 'other'),
        { name: 'dir', host: 'other', guest: 'file', size: 0 },
        file(undefined),
        file('huge.iso', 101),
        file('.hidden'),
        file('movie.mp4.part'),
        file('c.zip'),
      ],
      limits,
    );
    assert.deepEqual(
      choice.offered.map((o) => [o.held, o.name]),
      [
        ['a\u202etxt.exe', 'atxt.exe'],
        ['b.pdf', 'b.pdf'],
      ],
    );
    assert.deepEqual(choice.left, [
      'a file with an unreadable name: its name is not text',
      '"c.zip": more than 2 downloads',
      '"dir": not a regular file',
      '"huge.iso": over the 100-byte limit ([open] max_file_size)',
      '"link": not a regular file',
    ]);
  });

  it('names a kept download that meets an existing name NAME (2).EXT, within 255 bytes', () => {
    assert.equal(keptName('report.pdf', 1), 'report.pdf');
    assert.equal(keptName('report.pdf', 2), 'report (2).pdf');
    const long = keptName(`${'é'.repeat(127)}.pdf`, 3);
    assert.ok(Buffer.byteLength(long) <= 255 && long.endsWith(' (3).pdf'), long);
  });
});

describe('link downloads: held, offered, kept', () => {
  let top: string;
  let exportDir: string;
  let env: NodeJS.ProcessEnv;
  let asked: DownloadsQuestion[];
  const keep = async (question: DownloadsQuestion) => (asked.push(question), 'keep' as const);
  const downloads = () => path.join(top, 'home', 'Downloads');

  beforeEach(() => {
    top = mkdtempSync(path.join(tmpdir(), 'nofear-downloads-'));
    env = { HOME: path.join(top, 'home'), XDG_CONFIG_HOME: path.join(top, 'home', '.config'), XDG_CACHE_HOME: path.join(top, 'cache'), XDG_STATE_HOME: path.join(top, 'state') };
    exportDir = path.join(top, 'cache', 'nofear', 'staging', 'abcd1234');
    mkdirSync(exportDir, { recursive: true });
    asked = [];
  });
  afterEach(() => rmSync(top, { recursive: true, force: true }));

  /** What a guest leaves: a download, a symlink as mapped-xattr stores one (a file holding the target, its mode in an attribute), a host symlink, an unfinished file. */
  async function guestLeaves(): Promise<LinkDownloads> {
    const copy = new LinkDownloads(1 << 20, env);
    await copy.exportSpec().fill(exportDir);
    writeFileSync(path.join(exportDir, 'report.txt'), 'from the web\n');
    writeFileSync(path.join(exportDir, 'passwd'), '/etc/passwd');
    const symlinkMode = Buffer.alloc(4);
    symlinkMode.writeUInt32LE(0o120777);
    execFileSync('/usr/bin/python3', [
      '-I',
      '-S',
      '-c',
      'import os, sys; os.setxattr(sys.argv[1], "user.virtfs.mode", bytes.fromhex(sys.argv[2]))',
      path.join(exportDir, 'passwd'),
      symlinkMode.toString('hex'),
    ]);
    symlinkSync('/etc/hostname', path.join(exportDir, 'hostname'));
    writeFileSync(path.join(exportDir, 'big.iso.part'), 'unfinished');
    await copy.hold(exportDir);
    return copy;
  }

  it('keeps the regular file on "keep": marked as from outside, never replacing a file, the held folder gone', async () => {
    mkdirSync(downloads(), { recursive: true });
    writeFileSync(path.join(downloads(), 'report.txt'), 'the user own\n');
    const copy = await guestLeaves();
    assert.deepEqual(readdirSync(exportDir), [], 'the export is emptied the moment it is held');
    const outcome = await copy.settle(keep);
    assert.deepEqual(asked, [{ names: ['report.txt'], folder: downloads() }]);
    assert.deepEqual(outcome, { kind: 'kept', folder: downloads(), paths: [path.join(downloads(), 'report (2).txt')], left: ['"hostname": not a regular file', '"passwd": not a regular file'] });
    assert.equal(readFileSync(path.join(downloads(), 'report.txt'), 'utf8'), 'the user own\n');
    assert.equal(readFileSync(path.join(downloads(), 'report (2).txt'), 'utf8'), 'from the web\n');
    assert.deepEqual(readdirSync(downloads()).sort(), ['report (2).txt', 'report.txt'], 'no temporary file is left');
    const verdict = await fromOutside(path.join(downloads(), 'report (2).txt'), { env, places: [], skipped: [] });
    assert.ok(verdict.outside);
    assert.match(verdict.why, /^made in a NoFear VM \(a download kept from a link\)/);
    assert.deepEqual(readdirSync(path.join(top, 'cache', 'nofear', 'staging')).sort(), ['abcd1234'], 'the held folder is removed');
  });

  it('keeps nothing when told to discard, or when nobody can be asked', async () => {
    for (const ask of [async () => 'discard' as const, keepNothing]) {
      const copy = await guestLeaves();
      const outcome = await copy.settle(ask);
      assert.equal(outcome.kind, 'discarded');
      assert.equal(existsSync(downloads()), false);
      rmSync(exportDir, { recursive: true });
      mkdirSync(exportDir);
    }
  });

  it('asks nothing when the browser downloaded nothing', async () => {
    const copy = new LinkDownloads(1 << 20, env);
    await copy.hold(exportDir);
    assert.deepEqual(await copy.settle(keep), { kind: 'none', left: [] });
    assert.deepEqual(asked, []);
    assert.equal(describeDownloads({ kind: 'none', left: [] }), undefined);
  });

  it("makes the guest's ~/Downloads the export before the browser starts, with its own argv (run in a real shell)", () => {
    const argv = new LinkDownloads(1, env).guestArgv(['sh', '-c', 'readlink "$HOME/Downloads"; cat "$HOME/.config/user-dirs.dirs"; echo "$0"', 'https://example.org/']);
    assert.deepEqual(argv.slice(3, 5), ['nofear-downloads', 'sh']);
    const home = path.join(top, 'guest-home');
    mkdirSync(path.join(home, 'Downloads'), { recursive: true }); // an empty folder there already is replaced
    const said = execFileSync(argv[0] ?? '', argv.slice(1), { env: { HOME: home, PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
    assert.equal(said, '/staging\nXDG_DOWNLOAD_DIR="$HOME/Downloads"\nhttps://example.org/\n');
  });
});

describe('link downloads: asking', () => {
  const question = { names: ['report.pdf'], folder: '/home/u/Downloads' };

  function terminal(lines: string): Promise<string> {
    const input = new PassThrough();
    const output = new PassThrough();
    input.end(lines);
    return terminalDownloadsAsker(input, output)(question);
  }

  it('on the terminal: k keeps; three wrong answers or the end of input keep nothing', async () => {
    assert.equal(await terminal('k\n'), 'keep');
    assert.equal(await terminal('yes\nsure\nok\nk\n'), 'discard');
    assert.equal(await terminal(''), 'discard');
  });

  function board(answer: { action?: string; closed?: boolean; unshown?: boolean }) {
    const shown: Notice[] = [];
    let onAction: (id: number, action: string) => void = () => {};
    let onClosed: (id: number) => void = () => {};
    return {
      shown,
      server: {
        async show(notice: Notice) {
          shown.push(notice);
          if (answer.unshown === true) return undefined;
          setImmediate(() => (answer.action !== undefined ? onAction(1, answer.action) : answer.closed === true ? onClosed(1) : undefined));
          return 1;
        },
        async close() {},
        async onAction(listener: (id: number, action: string) => void) {
          onAction = listener;
        },
        offAction() {},
        async onClosed(listener: (id: number) => void) {
          onClosed = listener;
          return () => {};
        },
      },
    };
  }

  it('by notification: Keep keeps; dismissed, unanswered or unshown keep nothing', async () => {
    const keeping = board({ action: 'keep' });
    assert.equal(await notificationDownloadsAsker(keeping.server)(question), 'keep');
    assert.deepEqual(keeping.shown[0]?.actions, [
      ['keep', 'Keep'],
      ['discard', 'Discard'],
    ]);
    assert.equal(await notificationDownloadsAsker(board({ action: 'constructor' }).server, 50)(question), 'discard');
    assert.equal(await notificationDownloadsAsker(board({ closed: true }).server)(question), 'discard');
    assert.equal(await notificationDownloadsAsker(board({}).server, 50)(question), 'discard');
    assert.equal(await notificationDownloadsAsker(board({ unshown: true }).server)(question), 'discard');
  });
});
