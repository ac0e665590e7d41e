// exists (lstat: a dangling link exists), isDirectorySync (follows links, false when absent) and sha256 over
// separated parts. Real files in a temp dir.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exists, isDirectorySync, sha256 } from '../../../src/util/fs.js';

describe('util/fs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-fs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exists is true for a file, a directory and a dangling symlink, false for nothing', async () => {
    writeFileSync(path.join(dir, 'file'), 'x');
    symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
    assert.equal(await exists(path.join(dir, 'file')), true);
    assert.equal(await exists(dir), true);
    assert.equal(await exists(path.join(dir, 'dangling')), true);
    assert.equal(await exists(path.join(dir, 'nowhere')), false);
  });

  it('isDirectorySync follows links and is false for files and missing paths', () => {
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'file'), 'x');
    symlinkSync(path.join(dir, 'sub'), path.join(dir, 'link'));
    assert.equal(isDirectorySync(path.join(dir, 'sub')), true);
    assert.equal(isDirectorySync(path.join(dir, 'link')), true);
    assert.equal(isDirectorySync(path.join(dir, 'file')), false);
    assert.equal(isDirectorySync(path.join(dir, 'missing')), false);
  });

  it('sha256 ends each part with a NUL, so moving text between parts changes the hash', () => {
    assert.equal(sha256('ab'), createHash('sha256').update('ab\0').digest('hex'));
    assert.notEqual(sha256('a', 'b'), sha256('ab'));
    assert.notEqual(sha256('ab', 'c'), sha256('a', 'bc'));
    assert.equal(sha256(Buffer.from('ab')), sha256('ab'));
  });
});
