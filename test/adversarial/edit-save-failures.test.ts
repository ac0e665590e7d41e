// Saving an edit when things go wrong (real files, the real renameat2 helper): a name too long for a copy
// beside it (CJK takes three bytes a character), the original's folder removed (as mail clients do with
// attachments), and the original written or replaced during the save-back check. The edit is never lost
// and the outcome names where it is; a change to the original is never overwritten.
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, linkSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeEditOutcome } from '../../src/edit/describe.js';
import { factsOf, type FileFacts } from '../../src/edit/edit-files.js';
import { editedFolder, saveBack, saveCopy, type SaveTarget } from '../../src/edit/save-edit.js';

describe('saving an edit when something fails', function () {
  let dir: string;
  let home: string;
  let held: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-save-'));
    home = mkdtempSync(path.join(tmpdir(), 'nofear-home-'));
    held = path.join(home, 'held');
    writeFileSync(held, 'the edit \u2713\n');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  /** The original, written and staged: its facts as the session noted them. */
  async function original(name: string, content = 'the original\n'): Promise<{ file: string; staged: FileFacts; target: SaveTarget }> {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    chmodSync(file, 0o640);
    const staged = (await factsOf(file, 1 << 20))!;
    const target: SaveTarget = { held, edited: (await factsOf(held, 1 << 20))!, file, source: file, maxBytes: 1 << 20, env: { HOME: home } };
    return { file, staged, target };
  }

  it('a long CJK name: the copy beside it and the save back both fit the 255-byte limit', async () => {
    const { file, staged, target } = await original(`${'報告'.repeat(41)}文.txt`); // 127 characters, 253 bytes
    const copy = await saveCopy(target, 'chosen');
    assert.equal(copy.kind, 'saved-copy');
    assert.equal(copy.kind === 'saved-copy' && path.dirname(copy.path), dir, `kept elsewhere: ${JSON.stringify(copy)}`);
    assert.equal(readFileSync(copy.kind === 'saved-copy' ? copy.path : '', 'utf8'), 'the edit \u2713\n');
    assert.deepEqual(await saveBack(target, staged), { kind: 'saved-back', path: file });
    assert.equal(readFileSync(file, 'utf8'), 'the edit \u2713\n');
    assert.equal(statSync(file).mode & 0o777, 0o640);
  });

  it("the original's folder removed: the edit is kept in NoFear's edited folder, and the notice names it", async () => {
    const { file, staged, target } = await original('attachment.txt');
    rmSync(dir, { recursive: true });
    for (const outcome of [await saveBack(target, staged), await saveCopy(target, 'chosen')]) {
      assert.equal(outcome.kind, 'saved-copy', JSON.stringify(outcome));
      if (outcome.kind !== 'saved-copy') return;
      assert.equal(outcome.why, 'save-failed');
      assert.equal(path.dirname(outcome.path), editedFolder({ HOME: home }));
      assert.equal(readFileSync(outcome.path, 'utf8'), 'the edit \u2713\n');
      assert.match(describeEditOutcome(file, outcome) ?? '', new RegExp(`saved as ${outcome.path.replace(/[()]/g, '\\$&')} \\(it could not be saved beside the original: .*ENOENT`));
    }
    assert.deepEqual(readdirSync(editedFolder({ HOME: home })).sort(), ['attachment (edited in NoFear 2).txt', 'attachment (edited in NoFear).txt']);
  });

  it('a write to the original during the save-back check is never overwritten: the edit goes beside it', async () => {
    const { file, staged, target } = await original('notes.txt');
    target.beforeExchange = async () => appendFileSync(file, 'written on the host meanwhile\n');
    const outcome = await saveBack(target, staged);
    assert.deepEqual(outcome, { kind: 'saved-copy', path: path.join(dir, 'notes (edited in NoFear).txt'), why: 'original-changed' });
    assert.equal(readFileSync(file, 'utf8'), 'the original\nwritten on the host meanwhile\n');
    assert.deepEqual(readdirSync(dir).sort(), ['notes (edited in NoFear).txt', 'notes.txt'], 'a temporary file was left');
  });

  it('another file renamed over the original during the check is not overwritten either', async () => {
    const { file, staged, target } = await original('notes.txt');
    target.beforeExchange = async () => {
      writeFileSync(path.join(dir, 'newer'), 'the original\n'); // the same bytes, another file
      renameSync(path.join(dir, 'newer'), file);
    };
    const outcome = await saveBack(target, staged);
    assert.equal(outcome.kind, 'saved-copy');
    assert.equal(readFileSync(file, 'utf8'), 'the original\n');
  });

  it('saved back over a file with another hard link: swapped in one step, and the outcome says the link keeps the old content', async () => {
    const { file, staged, target } = await original('linked.txt');
    linkSync(file, path.join(dir, 'other-name.txt'));
    const before = statSync(file).ino;
    const outcome = await saveBack(target, staged);
    assert.deepEqual(outcome, { kind: 'saved-back', path: file, notKept: ['its 1 other hard link (they keep the old content)'] });
    assert.notEqual(statSync(file).ino, before);
    assert.equal(readFileSync(path.join(dir, 'other-name.txt'), 'utf8'), 'the original\n');
    assert.deepEqual(readdirSync(dir).sort(), ['linked.txt', 'other-name.txt']);
  });
});
