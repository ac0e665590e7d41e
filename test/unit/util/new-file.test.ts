import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFilled, readChunks, writeAll } from '../../../src/util/new-file.js';

describe('a new file filled from an open one (util/new-file.ts)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'nofear-new-file-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const copy = async (source: string, target: string, maxBytes: number) => {
    const input = await fsp.open(source, 'r');
    try {
      await createFilled(target, 0o444, (output) =>
        readChunks(
          input,
          maxBytes,
          (chunk) => writeAll(output, chunk),
          () => new Error('too big'),
        ).then(() => undefined),
      );
    } finally {
      await input.close();
    }
  };

  it('copies the bytes and gives the copy its mode once complete', async () => {
    const source = path.join(dir, 'a');
    writeFileSync(source, Buffer.alloc(3 * 1024 * 1024 + 5, 7));
    await copy(source, path.join(dir, 'b'), 10 * 1024 * 1024);
    assert.deepEqual(readFileSync(path.join(dir, 'b')), readFileSync(source));
    assert.equal(statSync(path.join(dir, 'b')).mode & 0o777, 0o444);
  });

  it("throws the caller's error past maxBytes and leaves no partial copy", async () => {
    const source = path.join(dir, 'a');
    writeFileSync(source, Buffer.alloc(2 * 1024 * 1024));
    await assert.rejects(copy(source, path.join(dir, 'b'), 1024 * 1024), /too big/);
    assert.equal(existsSync(path.join(dir, 'b')), false);
  });

  it('refuses a target that exists, a symlink included, and leaves it alone', async () => {
    const source = path.join(dir, 'a');
    writeFileSync(source, 'new');
    writeFileSync(path.join(dir, 'there'), 'old');
    symlinkSync(path.join(dir, 'there'), path.join(dir, 'link'));
    await assert.rejects(copy(source, path.join(dir, 'there'), 100), { code: 'EEXIST' });
    await assert.rejects(copy(source, path.join(dir, 'link'), 100), { code: 'EEXIST' });
    assert.equal(readFileSync(path.join(dir, 'there'), 'utf8'), 'old');
    assert.equal(existsSync(path.join(dir, 'link')), true);
  });
});
