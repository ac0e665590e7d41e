// The service's thumbnail queue: marked files grouped by folder, one batch at a time, at most MAX_BATCH a
// batch, only PDFs and images (by content), a file with NoFear's thumbnail for its mtime skipped; closing
// drops what waits. The batch runner is a recording stand-in here (the VM's side is test/integration/trust).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasOwnThumbnail, MAX_BATCH, thumbKindOf, ThumbnailQueue } from '../../../src/convert/thumb-queue.js';
import { thumbnailerArgv, lowerPriority } from '../../../src/convert/thumb-batch.js';
import { writeThumbnails } from '../../../src/convert/thumb-cache.js';
import { statSync } from 'node:fs';
import type { ThumbTarget } from '../../../src/convert/thumb-batch.js';

describe('thumbnail queue', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-thumb-queue-'));
    env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('renders PDFs and images only', () => {
    assert.deepEqual(['application/pdf', 'image/png', 'image/svg+xml', 'text/plain', 'application/zip'].map(thumbKindOf), ['pdf', 'image', 'image', undefined, undefined]);
  });

  it('runs one folder a batch, at most MAX_BATCH files, one batch at a time, skipping what is not a PDF or an image', async () => {
    const files: string[] = [];
    for (const folder of ['a', 'b']) {
      mkdirSync(path.join(dir, folder));
      for (let i = 0; i < (folder === 'a' ? MAX_BATCH + 2 : 1); i++) {
        const file = path.join(dir, folder, `${i}.pdf`);
        writeFileSync(file, '%PDF-1.4\n');
        files.push(file);
      }
    }
    writeFileSync(path.join(dir, 'b', 'notes.txt'), 'hello');
    const batches: ThumbTarget[][] = [];
    let running = 0;
    const queue = new ThumbnailQueue(
      env,
      async (targets) => {
        assert.equal(++running, 1, 'two batches at once');
        batches.push(targets);
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
        return targets.map((t) => ({ file: t.file, refused: 'test' }));
      },
      () => {},
    );
    queue.add([...files, path.join(dir, 'b', 'notes.txt')]);
    await queue.idle();
    assert.deepEqual(
      batches.map((b) => [path.basename(path.dirname(b[0]?.file ?? '')), b.length, b[0]?.kind]),
      [
        ['a', MAX_BATCH, 'pdf'],
        ['b', 1, 'pdf'],
        ['a', 2, 'pdf'],
      ],
    );
  });

  it('skips a file whose NoFear thumbnail is there for its mtime, not one whose mtime changed', async () => {
    const file = path.join(dir, 'x.pdf');
    writeFileSync(file, '%PDF-1.4\n');
    assert.equal(await hasOwnThumbnail(env, file), false);
    await writeThumbnails(env, file, Math.floor(statSync(file).mtimeMs / 1000), { width: 1, height: 1, rgb: Buffer.alloc(3) });
    assert.equal(await hasOwnThumbnail(env, file), true);
    await writeThumbnails(env, file, 5, { width: 1, height: 1, rgb: Buffer.alloc(3) });
    assert.equal(await hasOwnThumbnail(env, file), false);
  });

  it('tries again, in a later batch, the files of a batch that gave way to an open', async () => {
    const file = path.join(dir, 'x.pdf');
    writeFileSync(file, '%PDF-1.4\n');
    const lines: string[] = [];
    let runs = 0;
    const queue = new ThumbnailQueue(
      env,
      async (targets) => (++runs === 1 ? targets.map((t) => ({ file: t.file, deferred: 'gave way' })) : targets.map((t) => ({ file: t.file, refused: 'test' }))),
      (line) => lines.push(line),
    );
    queue.add([file]);
    await queue.idle();
    assert.equal(runs, 2);
    assert.deepEqual(lines, [`thumbnails: 1 in ${dir} wait for a later batch: gave way`, `thumbnails: none for ${file}: test`, `thumbnails: 0 of 1 in ${dir} rendered in a VM`]);
  });

  it('drops what waits when closed', async () => {
    let runs = 0;
    const queue = new ThumbnailQueue(
      env,
      async () => (runs++, []),
      () => {},
    );
    await queue.close();
    queue.add([path.join(dir, 'y.pdf')]);
    await queue.idle();
    assert.equal(runs, 0);
  });

  it("names each staged file with its kind in the guest's argv, and lowering a gone process's priority is harmless", () => {
    assert.deepEqual(
      thumbnailerArgv([
        { kind: 'pdf', name: '0-a.pdf' },
        { kind: 'image', name: '1-b.png' },
      ]).slice(3),
      ['256', String(50 + 256 * 256 * 3), 'pdf', '/staging/0-a.pdf', 'image', '/staging/1-b.png'],
    );
    assert.doesNotThrow(() => lowerPriority(2 ** 22 + 1));
  });
});
