// Edits of files NoFear shares with the user (src/integrate/edit.ts), on real files in a temporary
// directory: the first edit keeps the original bytes, undo restores them byte for byte when nobody wrote
// in between and otherwise takes out only NoFear's part; bytes that are not UTF-8 survive; symlinks and
// modes are kept.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyEdit, byteString, undoEdit } from '../../../src/integrate/edit.js';
import { sha256Hex } from '../../../src/integrate/state.js';

const LINE = 'nofear=yes\n';
const add = (bytes: string | undefined) => ({ text: (bytes ?? '') + byteString(LINE), createdGroups: ['G'] });
const release = (text: string) => text.replace(LINE, '');
const isEmpty = (text: string) => text.trim() === '';

describe('integrate/edit: applyEdit and undoEdit', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'nofear-edit-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('restores a Latin-1 file byte for byte when nobody wrote since, and keeps its mode', async () => {
    const file = path.join(dir, 'mimeapps.list');
    const original = Buffer.from('# caf\xe9\n[Default Applications]\n', 'latin1');
    writeFileSync(file, original);
    chmodSync(file, 0o600);
    const record = await applyEdit(file, null, add);
    assert.ok(record);
    assert.equal(record.existedBefore, true);
    assert.deepEqual(Buffer.from(record.before ?? '', 'base64'), original);
    assert.equal(record.afterSha256, sha256Hex(readFileSync(file)));
    assert.deepEqual(readFileSync(file), Buffer.concat([original, Buffer.from(LINE)]));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(await undoEdit(record, release, isEmpty), 'restored');
    assert.deepEqual(readFileSync(file), original);
  });

  it('changes nothing and returns the previous record when the edit leaves the bytes as they were', async () => {
    const file = path.join(dir, 'same');
    writeFileSync(file, 'x\n');
    const mtime = statSync(file).mtimeMs;
    assert.equal(await applyEdit(file, null, (bytes) => ({ text: bytes ?? '' })), null);
    assert.equal(statSync(file).mtimeMs, mtime);
  });

  it("after someone else wrote the file, forgets the original and undo removes only NoFear's line", async () => {
    const file = path.join(dir, 'mimeapps.list');
    writeFileSync(file, 'mine\n');
    const first = await applyEdit(file, null, add);
    assert.ok(first);
    writeFileSync(file, 'mine\n' + LINE + 'theirs\n');
    const second = await applyEdit(file, first, (bytes) => ({ text: bytes ?? '', createdGroups: ['H'] }));
    assert.equal(second, first, 'the same bytes again: the record is kept');
    const third = await applyEdit(file, first, (bytes) => ({ text: (bytes ?? '') + 'more\n', createdGroups: ['H'] }));
    assert.ok(third);
    assert.equal(third.before, null, 'the original bytes would lose their change');
    assert.deepEqual(third.createdGroups, ['G', 'H']);
    writeFileSync(file, readFileSync(file, 'utf8') + 'later\n');
    assert.equal(await undoEdit(third, release, isEmpty), 'edited');
    assert.equal(readFileSync(file, 'utf8'), 'mine\ntheirs\nmore\nlater\n');
  });

  it('a file NoFear created goes when only its part was in it; a missing file is "absent"', async () => {
    const file = path.join(dir, 'sub', 'uca.xml');
    const record = await applyEdit(file, null, add);
    assert.ok(record);
    assert.equal(record.existedBefore, false);
    assert.equal(readFileSync(file, 'utf8'), LINE);
    writeFileSync(file, LINE + '\n'); // touched, but nothing of the user's in it
    assert.equal(await undoEdit(record, release, isEmpty), 'edited');
    assert.equal(existsSync(file), false);
    assert.equal(await undoEdit(record, release, isEmpty), 'absent');
  });

  it("writes through a symlink (a dotfile manager's link) and leaves the link in place", async () => {
    const real = path.join(dir, 'dotfiles-mimeapps.list');
    const link = path.join(dir, 'mimeapps.list');
    writeFileSync(real, 'mine\n');
    symlinkSync(real, link);
    const record = await applyEdit(link, null, add);
    assert.ok(record);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readFileSync(real, 'utf8'), 'mine\n' + LINE);
    assert.equal(await undoEdit(record, release, isEmpty), 'restored');
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readFileSync(real, 'utf8'), 'mine\n');
  });
});
