// One page's image (src/convert/page-image.ts) on real files: the spool refuses a page with the wrong
// byte count, classifies what it holds, and encodes it as Flate rows (inflated back here) or, with the
// JPEG option, as the real cjpeg's JPEG; 1-bit pages are never JPEG.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { PageSpool, storageOf, type ImageStorage, type PhotoEncoding } from '../../../src/convert/page-image.js';

const CJPEG = '/usr/bin/cjpeg';

async function spoolOf(dir: string, width: number, height: number, pixel: (i: number) => [number, number, number]): Promise<PageSpool> {
  const spool = await PageSpool.create(dir, 0, width, height);
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(pixel(i), i * 3);
  await spool.write(data.subarray(0, 5));
  await spool.write(data.subarray(5));
  await spool.close();
  return spool;
}

async function encoded(spool: PageSpool, image: ImageStorage, photos: PhotoEncoding): Promise<Buffer> {
  const parts: Buffer[] = [];
  await spool.encode(image, photos, async (bytes) => void parts.push(Buffer.from(bytes)));
  return Buffer.concat(parts);
}

describe('convert/page-image', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'nofear-page-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores 1-bit pages as Flate even with the JPEG option, grey and colour pages as JPEG with it', () => {
    const jpeg = { kind: 'jpeg', cjpeg: CJPEG } as const;
    assert.deepEqual(storageOf('bilevel', jpeg), { kind: 'bilevel', filter: 'FlateDecode', colourSpace: 'DeviceGray', bitsPerComponent: 1 });
    assert.deepEqual(storageOf('grey', jpeg), { kind: 'grey', filter: 'DCTDecode', colourSpace: 'DeviceGray', bitsPerComponent: 8 });
    assert.deepEqual(storageOf('colour', { kind: 'flate' }), { kind: 'colour', filter: 'FlateDecode', colourSpace: 'DeviceRGB', bitsPerComponent: 8 });
  });

  it('refuses a spool that holds more or fewer bytes than the page', async () => {
    const spool = await PageSpool.create(dir, 1, 2, 2);
    await spool.write(Buffer.alloc(11));
    await assert.rejects(spool.close(), /page spool holds 11 bytes, not 12/);
    await spool.remove();
    assert.deepEqual(readdirSync(dir), []);
  });

  it('classifies black-and-white, grey and colour pages, and Flate-encodes a grey page as one byte per pixel', async () => {
    const bw = await spoolOf(dir, 40, 3, (i) => (i % 2 ? [0, 0, 0] : [255, 255, 255]));
    assert.equal(await bw.classify(), 'bilevel');
    await bw.remove();
    const grey = await spoolOf(dir, 40, 40, (i) => [i % 256, i % 256, i % 256]);
    assert.equal(await grey.classify(), 'grey');
    const rows = inflateSync(await encoded(grey, storageOf('grey', { kind: 'flate' }), { kind: 'flate' }));
    assert.equal(rows.length, 40 * 40);
    assert.equal(rows[77], 77);
    await grey.remove();
    const colour = await spoolOf(dir, 40, 40, (i) => [i % 256, 0, 255 - (i % 256)]);
    assert.equal(await colour.classify(), 'colour');
    assert.equal(inflateSync(await encoded(colour, storageOf('colour', { kind: 'flate' }), { kind: 'flate' })).length, 40 * 40 * 3);
    await colour.remove();
    assert.deepEqual(readdirSync(dir), []);
  });

  it('JPEG-encodes a colour page with cjpeg and leaves no .jpg behind; refuses JPEG storage without cjpeg', async () => {
    const colour = await spoolOf(dir, 16, 16, (i) => [i, 128, 255 - i]);
    const jpeg = await encoded(colour, storageOf('colour', { kind: 'jpeg', cjpeg: CJPEG }), { kind: 'jpeg', cjpeg: CJPEG });
    assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    assert.equal(existsSync(`${colour.path}.jpg`), false);
    await assert.rejects(encoded(colour, storageOf('colour', { kind: 'jpeg', cjpeg: CJPEG }), { kind: 'flate' }), /a JPEG page without cjpeg/);
    await colour.remove();
  });
});
