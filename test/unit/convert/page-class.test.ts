// How a safe PDF's page is stored, decided from its pixels: text on white is one bit, a grey photo grey,
// anything with visible colour RGB; and the rows as each class stores them. With the JPEG option, the
// host's cjpeg encodes the grey and colour pages (a real cjpeg, from libjpeg-turbo-progs).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cjpegPath } from '../../../src/convert/jpeg.js';
import { classifyPage, convertRows, emptyStats, measurePixels, type PageClass } from '../../../src/convert/page-class.js';
import { ImagePdfWriter } from '../../../src/convert/pdf-writer.js';
import { pdfObjects } from '../../helpers/pdf-check.js';

/** A width x height page where `pixel(x, y)` gives each pixel's RGB. */
function page(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
  return data;
}

const classOf = (data: Buffer): PageClass => {
  const stats = emptyStats();
  measurePixels(stats, data);
  return classifyPage(stats);
};

/** Lines of black strokes on white with a dark grey edge pixel, as anti-aliased text looks. */
const text = page(200, 100, (x, y) => {
  const v = y % 10 >= 3 ? 255 : x % 10 < 2 ? 0 : x % 10 === 2 ? 60 : 255;
  return [v, v, v];
});
const greyPhoto = page(200, 100, (x, y) => {
  const v = Math.round(128 + 100 * Math.sin(x / 9) * Math.cos(y / 7));
  return [v, v, v];
});

describe('convert/page-class', () => {
  it('keeps text on white as one bit, a grey photo as grey, colour as RGB', () => {
    assert.equal(classOf(text), 'bilevel');
    assert.equal(classOf(greyPhoto), 'grey');
    assert.equal(classOf(page(200, 100, (x) => [x, 255 - x, 128])), 'colour');
  });

  it('keeps colour for a small coloured mark on a text page (0.01 % of the pixels is enough)', () => {
    const marked = Buffer.from(text);
    for (let i = 0; i < 4; i++) marked.set([220, 30, 30], i * 3);
    assert.equal(classOf(marked), 'colour');
  });

  it('keeps grey when a large light shading would be lost to thresholding', () => {
    const shaded = page(200, 100, (x, y) => (y < 50 ? [200, 200, 200] : [255, 255, 255]));
    assert.equal(classOf(shaded), 'grey');
  });

  it('stores 1 bit rows MSB first, padded to a byte, 1 = white; grey rows as luma', () => {
    const row = page(10, 1, (x) => (x % 2 === 0 ? [0, 0, 0] : [255, 255, 255]));
    assert.deepEqual([...convertRows('bilevel', row, 10)], [0b01010101, 0b01000000]);
    assert.deepEqual(
      [
        ...convertRows(
          'grey',
          page(2, 1, (x) => (x === 0 ? [255, 0, 0] : [10, 10, 10])),
          2,
        ),
      ],
      [76, 10],
    );
    assert.equal(convertRows('colour', row, 10), row);
  });
});

describe('convert/pdf-writer with the JPEG option (the host cjpeg)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'nofear-jpeg-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores grey and colour pages as JPEG, text pages still as 1-bit Flate', async function () {
    const cjpeg = cjpegPath();
    assert.ok(cjpeg !== undefined, 'cjpeg (libjpeg-turbo-progs) is installed by make deps');
    const file = path.join(dir, 'out.pdf');
    const writer = await ImagePdfWriter.create(file, { dpi: 150, textLayer: false, spoolDir: dir, photos: { kind: 'jpeg', cjpeg } });
    for (const data of [greyPhoto, page(200, 100, (x) => [x, 255 - x, 128]), text]) {
      await writer.beginPage(200, 100);
      await writer.writePixels(data);
      await writer.endPage();
    }
    await writer.finish();
    assert.deepEqual(writer.classes, ['grey', 'colour', 'bilevel']);
    const images = pdfObjects(file).filter((o) => o.head.includes('/Subtype /Image'));
    assert.match(images[0]?.head ?? '', /\/ColorSpace \/DeviceGray \/BitsPerComponent 8 \/Filter \/DCTDecode /);
    assert.match(images[1]?.head ?? '', /\/ColorSpace \/DeviceRGB \/BitsPerComponent 8 \/Filter \/DCTDecode /);
    assert.match(images[2]?.head ?? '', /\/ColorSpace \/DeviceGray \/BitsPerComponent 1 \/Filter \/FlateDecode /);
    for (const image of images.slice(0, 2)) assert.deepEqual([...(image.stream ?? Buffer.alloc(0)).subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG stream');
    assert.ok(readFileSync(file).length > 0);
  });
});
