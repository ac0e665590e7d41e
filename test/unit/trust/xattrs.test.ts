// xattrBatch on real files (user xattrs on the temp dir's filesystem) through the real system Python: set,
// read (absent names left out, values bounded), remove (an absent one too), a missing file, a filesystem
// without user xattrs (procfs: "unsupported"), and a helper that cannot run (every op fails with why).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { xattrBatch } from '../../../src/trust/xattrs.js';

describe('trust/xattrs xattrBatch', function () {
  this.timeout(20_000); // one Python per batch: slow only on a busy machine
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-xattrs-'));
    file = path.join(dir, 'download.pdf');
    writeFileSync(file, 'x');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sets, reads and removes in order in one batch, with the file’s identity', async () => {
    const [set, read, removed, again, removedAgain] = await xattrBatch([
      { op: 'set', path: file, name: 'user.nofear.origin', value: 'https://example.org/ü' },
      { op: 'read', path: file, names: ['user.nofear.origin', 'user.absent'] },
      { op: 'remove', path: file, name: 'user.nofear.origin' },
      { op: 'read', path: file, names: ['user.nofear.origin'] },
      { op: 'remove', path: file, name: 'user.nofear.origin' },
    ]);
    const stat = statSync(file);
    assert.deepEqual(set, { ok: true, values: {}, dev: stat.dev, ino: stat.ino });
    assert.deepEqual(read, { ok: true, values: { 'user.nofear.origin': 'https://example.org/ü' }, dev: stat.dev, ino: stat.ino });
    assert.equal(removed?.ok, true);
    assert.deepEqual(again?.ok && again.values, {});
    assert.equal(removedAgain?.ok, true, 'removing an absent attribute is no failure');
  });

  it('reads at most 4096 bytes of a value (tmpfs keeps longer ones), and fails a set the filesystem refuses', async function () {
    const shm = mkdtempSync('/dev/shm/nofear-xattrs-');
    try {
      const big = path.join(shm, 'big');
      writeFileSync(big, 'x');
      const [set, read] = await xattrBatch([
        { op: 'set', path: big, name: 'user.big', value: 'a'.repeat(5000) },
        { op: 'read', path: big, names: ['user.big'] },
      ]);
      if (!set?.ok) this.skip(); // a kernel whose tmpfs has no user xattrs
      assert.equal(read?.ok && read.values['user.big'], 'a'.repeat(4096));
    } finally {
      rmSync(shm, { recursive: true, force: true });
    }
    const [tooBig] = await xattrBatch([{ op: 'set', path: file, name: 'user.big', value: 'a'.repeat(70_000) }]);
    assert.deepEqual(tooBig, { ok: false, unsupported: false, error: 'Argument list too long' });
  });

  it('fails one op on its own: a missing file (not unsupported), a filesystem without user xattrs (unsupported)', async () => {
    const [missing, proc, fine] = await xattrBatch([
      { op: 'read', path: path.join(dir, 'gone'), names: ['user.x'] },
      { op: 'read', path: '/proc/self/status', names: ['user.x'] },
      { op: 'read', path: file, names: ['user.x'] },
    ]);
    assert.deepEqual(missing, { ok: false, unsupported: false, error: 'No such file or directory' });
    assert.equal(proc?.ok === false && proc.unsupported, true);
    assert.equal(fine?.ok, true);
  });

  it('fails every op with the reason when the helper cannot run, and runs nothing for no ops', async () => {
    const results = await xattrBatch(
      [
        { op: 'read', path: file, names: ['user.x'] },
        { op: 'set', path: file, name: 'user.x', value: 'y' },
      ],
      { NOFEAR_PYTHON: path.join(dir, 'no-python') },
    );
    assert.equal(results.length, 2);
    for (const result of results) assert.ok(!result.ok && !result.unsupported && result.error.startsWith('the xattr helper failed: '), JSON.stringify(result));
    assert.deepEqual(await xattrBatch([], { NOFEAR_PYTHON: path.join(dir, 'no-python') }), []);
  });
});
