// The thumbnail cache as the freedesktop spec and GLib name it, and NoFear's PNGs in it: the URI byte for
// byte as g_filename_to_uri writes it (checked against GLib itself), the spec's keys, 0600, a temp name
// renamed over the placeholder, the factory's failure record gone; the pixels fitted by averaging.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileUri, thumbnailPath, writeThumbnails } from '../../../src/convert/thumb-cache.js';
import { encodePng, fitWithin } from '../../../src/convert/thumb-png.js';

describe('thumbnail cache', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'nofear-thumb-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a file's URI as GLib does (every printable ASCII byte, UTF-8, spaces)", function () {
    const name = `/a/${Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))
      .join('')
      .replace('/', '')} é`;
    assert.equal(fileUri('/home/u/My File#1.pdf'), 'file:///home/u/My%20File%231.pdf');
    let glib: string;
    try {
      glib = execFileSync('/usr/bin/python3', ['-c', 'import sys; from gi.repository import GLib; print(GLib.filename_to_uri(sys.argv[1], None))', name], { encoding: 'utf8' }).trim();
    } catch {
      this.skip(); // python3-gi is not installed here: the literal case above still holds
    }
    assert.equal(fileUri(name), glib);
  });

  it('names the cache entries by the MD5 of the URI', () => {
    const env = { XDG_CACHE_HOME: dir };
    // md5sum of the URI's bytes, computed outside: printf 'file:///tmp/a.pdf' | md5sum
    assert.equal(thumbnailPath(env, 'file:///tmp/a.pdf', 'large'), path.join(dir, 'thumbnails', 'large', 'bb759e6f5b5b778f22a2d74b1b0df5a2.png'));
    assert.match(thumbnailPath(env, 'file:///tmp/a.pdf', 'fail'), /thumbnails\/fail\/gnome-thumbnail-factory\/[0-9a-f]{32}\.png$/);
  });

  it('replaces the placeholder with PNGs carrying the spec keys, 0600, and removes the failure record', async () => {
    const env = { XDG_CACHE_HOME: dir };
    const file = '/home/u/Downloads/a b.pdf';
    const uri = fileUri(file);
    const large = thumbnailPath(env, uri, 'large');
    const fail = thumbnailPath(env, uri, 'fail');
    for (const old of [large, fail]) {
      mkdirSync(path.dirname(old), { recursive: true });
      writeFileSync(old, 'placeholder');
    }
    const written = await writeThumbnails(env, file, 1234, { width: 200, height: 100, rgb: Buffer.alloc(200 * 100 * 3, 0x80) });
    assert.deepEqual(written, [thumbnailPath(env, uri, 'normal'), large]);
    assert.ok(!existsSync(fail));
    const png = readFileSync(thumbnailPath(env, uri, 'normal'));
    assert.equal(statSync(large).mode & 0o777, 0o600);
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 64]);
    assert.ok(png.includes(`tEXtThumb::URI\0${uri}`, 0, 'latin1'));
    assert.ok(png.includes('tEXtThumb::MTime\u00001234', 0, 'latin1'));
  });

  it('encodes rows with filter 0, and fits an image by averaging (a smaller one stays)', () => {
    const image = { width: 4, height: 2, rgb: Buffer.from([...Array(12).fill(0), ...Array(12).fill(200)]) };
    const png = encodePng(image, []);
    const idat = png.indexOf('IDAT');
    const rows = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    assert.equal(rows.length, 2 * (4 * 3 + 1));
    assert.equal(rows[0], 0);
    const half = fitWithin(image, 2);
    assert.deepEqual([half.width, half.height, [...half.rgb]], [2, 1, [100, 100, 100, 100, 100, 100]]);
    assert.equal(fitWithin(image, 8), image);
  });
});
