// NoFear's VM thumbnail against a file manager's placeholder saved after it (the factory answered late):
// real files, the real inotify watch. The "factory" here is its save as GNOME's does it (a PNG written under
// a temporary name and renamed over the entry); test/integration/trust runs the real factory against the
// service.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileUri, SOFTWARE, thumbnailPath, writeThumbnails, type WrittenThumbnail } from '../../../src/convert/thumb-cache.js';
import { shouldRestore, ThumbnailKeeper } from '../../../src/convert/thumb-keeper.js';
import { encodePng } from '../../../src/convert/thumb-png.js';

const DEADLINE_MS = 10_000;
const placeholder = () => encodePng({ width: 4, height: 4, rgb: Buffer.alloc(4 * 4 * 3, 0xd0) }, [['Software', 'GNOME::ThumbnailFactory']]);

/** The factory's save: its own PNG renamed over the entry. */
function factorySaves(target: string): void {
  const temp = `${target}.GNOME-FACTORY.tmp`;
  writeFileSync(temp, placeholder(), { mode: 0o600 });
  renameSync(temp, target);
}

describe('ThumbnailKeeper (a placeholder saved after the VM thumbnail does not win)', () => {
  let dir: string;
  let keeper: ThumbnailKeeper | undefined;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'nofear-thumb-keeper-'))));
  afterEach(() => {
    keeper?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("puts NoFear's PNG back, both sizes, when the factory's save replaces it", async () => {
    const env = { XDG_CACHE_HOME: path.join(dir, 'cache') };
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, '%PDF-1.4\n');
    const mtime = Math.floor(statSync(file).mtimeMs / 1000);
    const lines: string[] = [];
    let heard: () => void = () => {};
    keeper = new ThumbnailKeeper((line) => {
      lines.push(line);
      heard();
    });
    const written = await writeThumbnails(env, file, mtime, { width: 300, height: 200, rgb: Buffer.alloc(300 * 200 * 3, 0x40) }, (thumb) => keeper?.keep(thumb));
    const ours = written.map((target) => readFileSync(target));
    for (const target of written) factorySaves(target);
    // Waits for both "put back" lines (the keeper's events), within a deadline.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not put back within ${DEADLINE_MS} ms: ${lines.join('; ')}`)), DEADLINE_MS);
      heard = () => {
        if (lines.filter((line) => /put NoFear's (normal|large) thumbnail of .*report\.pdf back/.test(line)).length < 2) return;
        clearTimeout(timer);
        resolve();
      };
      heard();
    });
    assert.deepEqual(
      written.map((target) => readFileSync(target)),
      ours,
    );
    assert.equal(statSync(thumbnailPath(env, fileUri(file), 'normal')).mode & 0o777, 0o600);
  });

  it('leaves the entry alone when it was removed, when the file changed since, or when it is NoFear’s', () => {
    const thumb: WrittenThumbnail = { target: '/cache/thumbnails/normal/x.png', png: Buffer.from('ours'), file: '/f.pdf', mtimeSeconds: 1000 };
    assert.equal(shouldRestore(placeholder(), 1000, thumb), true, "a factory's PNG over it, the file unchanged");
    assert.equal(shouldRestore(undefined, 1000, thumb), false, 'removed (the cache cleaned)');
    assert.equal(shouldRestore(placeholder(), 1001, thumb), false, 'the file changed: the thumbnail is stale');
    assert.equal(shouldRestore(placeholder(), undefined, thumb), false, 'the file is gone');
    const newer = encodePng({ width: 1, height: 1, rgb: Buffer.alloc(3) }, [['Software', SOFTWARE]]);
    assert.equal(shouldRestore(newer, 1000, thumb), false, 'a newer batch of NoFear wrote it');
  });
});
