// Hostile files in one thumbnail batch (a real VM running test/adversarial/hostile-thumb-one.sh in place
// of src/guest/thumb-one.sh, the real src/guest/thumbs.sh around it): a file whose renderer streams a page
// over the limit, malformed pixels or a page cut short gets no thumbnail; the good files in the same VM
// still get theirs; the cache holds nothing but PNGs NoFear encoded (its keys on each, no temp file left).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { perTestEnv, type TestEnv } from '../helpers/cli.js';
import { hostileGuestEnv } from '../helpers/hostile.js';
import { loadConfig } from '../../src/config/index.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { thumbnailBatch } from '../../src/convert/thumb-batch.js';
import { fileUri, SOFTWARE, thumbnailPath } from '../../src/convert/thumb-cache.js';

describe('hostile files in a thumbnail batch', function () {
  this.timeout(300_000);
  let t: TestEnv;
  let dir: string;
  // After the test: the thumbnail VM left no sandbox behind.
  perTestEnv('nofear-hostile-thumbs-', (env, tmp) => {
    t = env;
    dir = tmp;
  });

  it('huge, malformed and short pixels get no thumbnail; the good files in the same VM get theirs; only NoFear PNGs in the cache', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...t.env, ...(await hostileGuestEnv({ file: 'thumb-one.sh', by: 'hostile-thumb-one.sh' })) };
    env.XDG_CACHE_HOME = path.join(dir, 'cache'); // hostileGuestEnv's own cache: the thumbnails land there too
    const names = ['good-1.pdf', 'huge.pdf', 'malformed.pdf', 'good-2.pdf', 'lying.pdf'];
    for (const name of names) {
      const mode = name.replace(/\.pdf$/, '');
      writeFileSync(path.join(dir, name), name.startsWith('good') ? samplePdf(name) : `%PDF-1.4\n${mode}\n%%EOF\n`);
    }
    const outcomes = await thumbnailBatch(
      names.map((name) => ({ file: path.join(dir, name), kind: 'pdf' as const })),
      { config: loadConfig(env).config, env, ownerKind: 'cli' },
    );
    const made = Object.fromEntries(outcomes.map((one) => [path.basename(one.file), 'written' in one ? 'written' : one.refused]));
    assert.deepEqual(Object.keys(made).sort(), [...names].sort());
    assert.equal(made['good-1.pdf'], 'written', JSON.stringify(made));
    assert.equal(made['good-2.pdf'], 'written', JSON.stringify(made));
    assert.match(made['huge.pdf'] ?? '', /100000 x 100000 pixels, over the limit of 256 x 256|more than the \d+ bytes of a thumbnail|could not render/);
    assert.match(made['malformed.pdf'] ?? '', /BadHeader/);
    assert.match(made['lying.pdf'] ?? '', /TruncatedPage/);
    const cache = path.join(env.XDG_CACHE_HOME, 'thumbnails');
    const inCache = ['normal', 'large'].flatMap((size) => readdirSync(path.join(cache, size)).map((name) => path.join(cache, size, name)));
    const expected = ['good-1.pdf', 'good-2.pdf'].flatMap((name) => (['normal', 'large'] as const).map((size) => thumbnailPath(env, fileUri(path.join(dir, name)), size)));
    assert.deepEqual(inCache.sort(), expected.sort(), "the cache holds something else than the good files' thumbnails");
    for (const file of inCache) {
      const png = readFileSync(file);
      assert.ok(png.includes(`Software\0${SOFTWARE}`, 0, 'latin1'), `${file} is not a PNG NoFear wrote`);
    }
  });
});
