// placeStores asks each place itself: user xattrs (a temp dir on a real filesystem), the sidecar (procfs
// has no user xattrs), missing, or unknown with why (the helper cannot run). Nothing is written there.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { placeStores } from '../../../src/trust/place-stores.js';

describe('trust/place-stores placeStores', function () {
  this.timeout(20_000); // one Python: slow only on a busy machine
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-places-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('tells xattr, sidecar and missing places apart, in the order given, writing nothing', async () => {
    const missing = path.join(dir, 'Downloads');
    assert.deepEqual(await placeStores([missing, dir, '/proc']), [
      { place: missing, store: 'missing' },
      { place: dir, store: 'xattr' },
      { place: '/proc', store: 'sidecar' },
    ]);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('says why when it cannot tell', async () => {
    const [place] = await placeStores([dir], { NOFEAR_PYTHON: path.join(dir, 'no-python') });
    assert.equal(place?.store, 'unknown');
    assert.match(place?.store === 'unknown' ? place.why : '', /^the xattr helper failed: /);
  });
});
