// checkUserXattrs with the real system Python: quiet on a filesystem with user xattrs (leaving nothing
// behind), an Unavailable error naming the directory, the reason and the fix where the probe fails.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkUserXattrs } from '../../../src/edit/xattr-probe.js';
import { NoFearError } from '../../../src/errors.js';

describe('edit/xattr-probe checkUserXattrs', function () {
  this.timeout(20_000); // one Python: slow only on a busy machine
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-xattr-probe-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes on a filesystem with user xattrs and removes its probe file', async () => {
    await checkUserXattrs(dir);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('fails with the directory, the reason and a fix where the probe cannot be made', async () => {
    const gone = path.join(dir, 'gone');
    await assert.rejects(checkUserXattrs(gone), (error: unknown) => {
      assert.ok(error instanceof NoFearError);
      assert.equal(error.code, 'Unavailable');
      assert.ok(error.message.includes(`and ${gone} does not (FileNotFoundError: `), error.message);
      assert.match(error.fix ?? '', /^set XDG_CACHE_HOME to a directory on ext4/);
      return true;
    });
  });

  it('says how the probe ended when it printed nothing', async () => {
    await assert.rejects(checkUserXattrs(dir, '/bin/false'), /and .* does not \(python3 exited 1\)\.$/);
  });
});
