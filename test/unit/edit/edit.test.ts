// The parts of --edit that need no VM: the type rule, the names of copies, saving back and beside on real
// files in a temp dir (no-follow reads, atomic replacement, nothing replaced that exists), and the two
// ways of asking (a terminal prompt on streams, a notification on a fake server).
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { notificationAsker, terminalAsker } from '../../../src/edit/ask.js';
import { copyChecked, factsOf, sameKind } from '../../../src/edit/edit-files.js';
import { editedName, saveBack, saveCopy, type SaveTarget } from '../../../src/edit/save-edit.js';
import { notCarriedOver } from '../../../src/edit/exchange.js';
import { fitName, tempPathFor } from '../../../src/util/publish.js';
import { fromOutside } from '../../../src/trust/origin.js';
import { describeEditOutcome } from '../../../src/edit/describe.js';
import { parseMimeTree } from '../../../src/desktop/mime-tree.js';
import type { Notice, Notifications } from '../../../src/service/bus/notifications.js';

describe('edit: the type rule', () => {
  const tree = parseMimeTree([
    {
      subclasses: 'text/x-csrc text/plain\napplication/x-shellscript text/plain\napplication/vnd.oasis.opendocument.text application/zip\n',
      aliases: 'text/x-c text/x-csrc\n',
      types: 'text/plain\ntext/x-csrc\napplication/x-shellscript\napplication/zip\napplication/vnd.oasis.opendocument.text\napplication/pdf\nimage/png\napplication/octet-stream\n',
    },
  ]);
  const cases: ReadonlyArray<[string, string, boolean]> = [
    ['application/pdf', 'application/pdf', true],
    ['text/plain', 'text/x-c', true], // libmagic's word for text that now looks like C
    ['text/x-c', 'application/x-shellscript', true],
    ['application/vnd.oasis.opendocument.text', 'application/zip', true],
    ['application/pdf', 'image/png', false],
    ['application/pdf', 'application/octet-stream', false], // unidentifiable bytes are not the type that was opened
    ['text/plain', 'application/pdf', false],
    ['application/zip', 'application/pdf', false],
  ];
  for (const [opened, edited, same] of cases) {
    it(`${opened} edited into ${edited}: ${same ? 'kept' : 'refused'}`, () => assert.equal(sameKind(tree, opened, edited), same));
  }
});

describe('edit: saving', () => {
  let dir: string;
  let original: string;
  let held: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-save-'));
    original = path.join(dir, 'report.txt');
    writeFileSync(original, 'original\n');
    chmodSync(original, 0o640);
    held = path.join(mkdtempSync(path.join(tmpdir(), 'nofear-held-')), 'held');
    writeFileSync(held, 'edited \u2713\n');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(path.dirname(held), { recursive: true, force: true });
  });
  const target = async (): Promise<SaveTarget> => ({ held, edited: (await factsOf(held, 1 << 20))!, file: original, source: original, maxBytes: 1 << 20, env: { HOME: dir } });

  it('names copies "NAME (edited in NoFear).EXT", then with a number', () => {
    assert.deepEqual(
      [1, 2].map((n) => editedName('report.final.odt', n)),
      ['report.final (edited in NoFear).odt', 'report.final (edited in NoFear 2).odt'],
    );
    assert.equal(editedName('Makefile', 1), 'Makefile (edited in NoFear)');
  });

  it('shortens long names by bytes, never inside a character (CJK takes three bytes each)', () => {
    const cjk = `${'文'.repeat(83)}.txt`; // 253 bytes: a name the filesystem takes
    const copy = editedName(cjk, 1);
    assert.ok(Buffer.byteLength(copy) <= 255, `${Buffer.byteLength(copy)} bytes`);
    assert.match(copy, /^文+ \(edited in NoFear\)\.txt$/);
    assert.equal(Buffer.byteLength(path.basename(tempPathFor(path.join('/d', cjk)))) <= 255, true);
    assert.equal(fitName('aé文', 3), 'aé');
    assert.equal(fitName('aé文', 5), 'aé');
    assert.equal(fitName('aé文', 6), 'aé文');
  });

  it('says what a rename over the original does not keep', () => {
    assert.deepEqual(notCarriedOver(1, []), []);
    assert.deepEqual(notCarriedOver(1, ['user.nofear.origin']), [], "NoFear's own mark: the saved edit gets its own");
    assert.deepEqual(notCarriedOver(3, ['system.posix_acl_access', 'user.note', 'user.nofear.trusted']), [
      'its 2 other hard links (they keep the old content)',
      'its ACL',
      'its extended attributes (user.note)',
    ]);
    assert.equal(describeEditOutcome('/d/r.txt', { kind: 'saved-back', path: '/d/r.txt', notKept: ['its ACL'] }), 'r.txt: the changes were saved back as a new file, which does not keep its ACL');
    assert.equal(
      describeEditOutcome('/d/r.txt', { kind: 'saved-copy', path: '/h/.local/share/nofear/edited/r (edited in NoFear).txt', why: 'save-failed', problem: 'ENOENT' }),
      'r.txt: the changes were saved as /h/.local/share/nofear/edited/r (edited in NoFear).txt (it could not be saved beside the original: ENOENT)',
    );
  });

  it('saves back by renaming a synced copy over the original: byte for byte, its mode kept, nothing left beside it', async () => {
    const before = statSync(original);
    assert.deepEqual(await saveBack(await target(), (await factsOf(original, 1 << 20))!), { kind: 'saved-back', path: original });
    assert.equal(readFileSync(original, 'utf8'), 'edited \u2713\n');
    assert.notEqual(statSync(original).ino, before.ino);
    assert.equal(statSync(original).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(dir), ['report.txt']);
    // A new inode without the original's xattrs: the guest's work carries the mark of the outside.
    const verdict = await fromOutside(original, { env: process.env, places: [], skipped: [] });
    assert.ok(verdict.outside && verdict.why.startsWith('made in a NoFear VM (an edit saved back)'), verdict.why);
  });

  it('saves beside the original instead when it changed since it was staged', async () => {
    const staged = (await factsOf(original, 1 << 20))!;
    writeFileSync(original, 'changed\n');
    const outcome = await saveBack(await target(), staged);
    assert.deepEqual(outcome, { kind: 'saved-copy', path: path.join(dir, 'report (edited in NoFear).txt'), why: 'original-changed' });
    assert.equal(readFileSync(original, 'utf8'), 'changed\n');
    assert.deepEqual(readdirSync(dir).sort(), ['report (edited in NoFear).txt', 'report.txt']);
    const verdict = await fromOutside(path.join(dir, 'report (edited in NoFear).txt'), { env: process.env, places: [], skipped: [] });
    assert.ok(verdict.outside && verdict.why.startsWith('made in a NoFear VM (an edited copy)'), verdict.why);
  });

  it('never replaces an existing copy', async () => {
    writeFileSync(path.join(dir, 'report (edited in NoFear).txt'), 'an earlier edit\n');
    const outcome = await saveCopy(await target(), 'chosen');
    assert.equal(outcome.kind === 'saved-copy' ? outcome.path : '', path.join(dir, 'report (edited in NoFear 2).txt'));
    assert.equal(readFileSync(path.join(dir, 'report (edited in NoFear).txt'), 'utf8'), 'an earlier edit\n');
    assert.equal(describeEditOutcome(original, outcome), `report.txt: the changes were saved as ${path.join(dir, 'report (edited in NoFear 2).txt')}`);
  });

  it('reads the guest-written file without following a link, and writes exactly the bytes it checked', async () => {
    const link = path.join(path.dirname(held), 'link');
    symlinkSync('/etc/passwd', link);
    assert.equal(await factsOf(link, 1 << 20), undefined);
    const facts = (await factsOf(held, 1 << 20))!;
    await assert.rejects(copyChecked(link, path.join(dir, 'x'), { maxBytes: 1 << 20, sha256: facts.sha256, mode: 0o600 }), /no longer a regular file/);
    await assert.rejects(copyChecked(held, path.join(dir, 'y'), { maxBytes: 1 << 20, sha256: '0'.repeat(64), mode: 0o600 }), /changed while it was saved/);
    await assert.rejects(copyChecked(held, path.join(dir, 'z'), { maxBytes: 4, sha256: facts.sha256, mode: 0o600 }), /over the 4-byte limit/);
    assert.deepEqual(readdirSync(dir), ['report.txt'], 'a refused copy leaves nothing');
    assert.ok(lstatSync(link).isSymbolicLink());
  });
});

describe('edit: asking', () => {
  it('asks on the terminal until it gets an answer; an end of input keeps a copy', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
    const ask = terminalAsker(input, output);
    const first = ask({ file: '/x/report.odt', originalChanged: false });
    input.write('maybe\nB\n');
    assert.equal(await first, 'back');
    assert.equal(shown.split('report.odt was changed in the VM. Save it [b]ack').length, 3, 'asked again after a wrong answer');
    const second = ask({ file: '/x/report.odt', originalChanged: true });
    input.write('b\n');
    input.end();
    assert.equal(await second, 'copy', '"back" is not offered when the original changed; then the input ended');
    assert.match(shown, /and the original changed meanwhile\. Save the edit beside it as a \[c\]opy, or \[d\]iscard it\?/);
  });

  /** A notification server that answers as told, for the asker. */
  function fakeServer(answer: (id: number) => { action?: string; closed?: boolean }) {
    const actions = new Set<(id: number, action: string) => void>();
    const closers = new Set<(id: number) => void>();
    const shown: Notice[] = [];
    const server = {
      async show(notice: Notice) {
        shown.push(notice);
        const id = shown.length;
        setImmediate(() => {
          const { action, closed } = answer(id);
          if (action !== undefined) {
            for (const listener of actions) {
              listener(id + 100, action); // someone else's notification: never taken for this one
              listener(id, action);
            }
          }
          if (closed === true) for (const listener of closers) listener(id);
        });
        return id;
      },
      async close() {},
      async onAction(listener: (id: number, action: string) => void) {
        actions.add(listener);
      },
      offAction(listener: (id: number, action: string) => void) {
        actions.delete(listener);
      },
      async onClosed(listener: (id: number) => void) {
        closers.add(listener);
        return () => closers.delete(listener);
      },
    };
    return { server: server as unknown as Notifications, shown }; // the asker uses only these members
  }

  it('asks in a notification with Save back / Save as a copy / Discard, and hears only its own answer', async () => {
    const { server, shown } = fakeServer(() => ({ action: 'discard' }));
    assert.equal(await notificationAsker(server)({ file: '/x/report.odt', originalChanged: false }), 'discard');
    assert.deepEqual(shown[0]?.actions, [
      ['back', 'Save back'],
      ['copy', 'Save as a copy'],
      ['discard', 'Discard'],
    ]);
    assert.equal(shown[0]?.summary, 'report.odt was changed in NoFear');
  });

  it('keeps a copy when the notification is dismissed, unanswered, or cannot be shown', async () => {
    assert.equal(await notificationAsker(fakeServer(() => ({ closed: true })).server)({ file: '/x/a', originalChanged: false }), 'copy');
    assert.equal(await notificationAsker(fakeServer(() => ({})).server, 50)({ file: '/x/a', originalChanged: false }), 'copy');
    const { server, shown } = fakeServer(() => ({ action: 'back' }));
    const unshown = { ...server, show: async () => undefined } as unknown as Notifications;
    assert.equal(await notificationAsker(unshown)({ file: '/x/a', originalChanged: false }), 'copy');
    assert.equal(shown.length, 0);
  });
});
