// NoFear's PDF writer, read back by an independent parser (test/helpers/pdf-check.ts, through the xref
// table): the pages' images hold exactly the pixels written, in any chunking, at the right size in
// points; the OCR layer is invisible text in the standard font; a failed write leaves no file. Also the
// PNG pages for the OCR VM and the text layer's encoding.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { ImagePdfWriter } from '../../../src/convert/pdf-writer.js';
import { crc32, PngPageWriter } from '../../../src/convert/png-writer.js';
import { helveticaEm, textLayerOps, winAnsiString } from '../../../src/convert/text-layer.js';
import { pdfObjects } from '../../helpers/pdf-check.js';

describe('convert/pdf-writer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-writer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pixels = (width: number, height: number, seed: number) => Buffer.from(Array.from({ length: width * height * 3 }, (_, i) => (i * seed) % 251));

  async function writePages(file: string, pages: Array<{ width: number; height: number; data: Buffer }>, textLayer: boolean, chunk: number): Promise<void> {
    const writer = await ImagePdfWriter.create(file, { dpi: 150, textLayer, spoolDir: dir, photos: { kind: 'flate' } });
    for (const page of pages) {
      await writer.beginPage(page.width, page.height);
      for (let at = 0; at < page.data.length; at += chunk) await writer.writePixels(page.data.subarray(at, at + chunk));
      await writer.endPage();
    }
    await writer.finish(
      textLayer ? (index) => (index === 0 ? textLayerOps([{ left: 10, top: 20, width: 100, height: 30, text: 'Hello (world)' }], { width: 72, height: 48, dpi: 150 }) : '') : undefined,
    );
  }

  for (const textLayer of [false, true]) {
    it(`writes each page's pixels as one Flate image at its size in points${textLayer ? ', with a text layer' : ''}`, async () => {
      const file = path.join(dir, 'out.pdf');
      const pages = [
        { width: 150, height: 100, data: pixels(150, 100, 7) },
        { width: 3, height: 1, data: pixels(3, 1, 0) },
      ];
      await writePages(file, pages, textLayer, 1000);
      const objects = pdfObjects(file);
      assert.equal(objects.length, 2 + (textLayer ? 1 : 0) + pages.length * (textLayer ? 5 : 4));
      const images = objects.filter((o) => o.head.includes('/Subtype /Image'));
      // Seed 7's bytes are colour; the 3 x 1 page is black: one bit, all ink.
      assert.match(images[0]?.head ?? '', /\/ColorSpace \/DeviceRGB \/BitsPerComponent 8 /);
      assert.match(images[1]?.head ?? '', /\/ColorSpace \/DeviceGray \/BitsPerComponent 1 /);
      assert.deepEqual(
        images.map((o) => o.stream),
        [pages[0]?.data, Buffer.from([0])],
      );
      assert.deepEqual(readdirSync(dir).sort(), ['out.pdf'], 'the page spools are gone');
      const pageObjects = objects.filter((o) => o.head.startsWith('<< /Type /Page '));
      assert.match(pageObjects[0]?.head ?? '', /\/MediaBox \[0 0 72 48\]/);
      assert.match(pageObjects[1]?.head ?? '', /\/MediaBox \[0 0 1\.44 0\.48\]/);
      assert.match(objects.find((o) => o.head.startsWith('<< /Type /Pages'))?.head ?? '', /\/Count 2 >>$/);
      const fonts = objects.filter((o) => o.head.includes('/Type /Font'));
      assert.equal(fonts.length, textLayer ? 1 : 0);
      const text = objects.map((o) => o.stream?.toString('latin1') ?? '').find((s) => s.startsWith('BT'));
      if (textLayer) {
        // The box's bottom (20 + 30 px from the top of a 100 px page) is 24 pt above the page's foot.
        assert.match(text ?? '', /^BT\n3 Tr\n\/F1 14\.4 Tf [\d.]+ Tz 1 0 0 1 4\.8 24 Tm \(Hello \\\(world\\\) \) Tj\nET$/);
      } else assert.equal(text, undefined);
    });
  }

  it('gives the same file whatever the chunking of the pixels', async () => {
    const data = pixels(40, 30, 5);
    await writePages(path.join(dir, 'a.pdf'), [{ width: 40, height: 30, data }], false, 1);
    await writePages(path.join(dir, 'b.pdf'), [{ width: 40, height: 30, data }], false, 1 << 20);
    assert.deepEqual(readFileSync(path.join(dir, 'a.pdf')), readFileSync(path.join(dir, 'b.pdf')));
  });

  it('never writes into an existing file, and leaves none behind when aborted', async () => {
    const file = path.join(dir, 'taken.pdf');
    const options = { dpi: 150, textLayer: false, spoolDir: dir, photos: { kind: 'flate' } } as const;
    const first = await ImagePdfWriter.create(file, options);
    await assert.rejects(ImagePdfWriter.create(file, options), /EEXIST/);
    await first.beginPage(10, 10);
    await first.writePixels(Buffer.alloc(30));
    await first.abort();
    assert.equal(existsSync(file), false);
    assert.deepEqual(readdirSync(dir), [], 'no spool is left either');
  });
});

describe('convert/png-writer', () => {
  it("computes PNG's CRC-32", () => {
    assert.equal(crc32(Buffer.from('IEND')), 0xae426082);
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });

  it('writes rows with filter 0, a 150 dpi pHYs and an IEND', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nofear-png-'));
    try {
      const file = path.join(dir, 'page.png');
      const png = await PngPageWriter.create(file, 2, 2, 150);
      await png.write(Buffer.from([1, 2, 3, 4, 5]));
      await png.write(Buffer.from([6, 7, 8, 9, 10, 11, 12]));
      await png.finish();
      const bytes = readFileSync(file);
      const chunks: Array<[string, Buffer]> = [];
      for (let at = 8; at < bytes.length;) {
        const length = bytes.readUInt32BE(at);
        const type = bytes.subarray(at + 4, at + 8).toString('latin1');
        const data = bytes.subarray(at + 8, at + 8 + length);
        assert.equal(bytes.readUInt32BE(at + 8 + length), crc32(bytes.subarray(at + 4, at + 8), data), `${type} CRC`);
        chunks.push([type, data]);
        at += 12 + length;
      }
      assert.deepEqual(
        chunks.map(([type]) => type).filter((type, i, all) => type !== 'IDAT' || all[i - 1] !== 'IDAT'),
        ['IHDR', 'pHYs', 'IDAT', 'IEND'],
      );
      assert.equal(chunks.find(([type]) => type === 'pHYs')?.[1].readUInt32BE(0), 5906);
      const image = inflateSync(Buffer.concat(chunks.filter(([type]) => type === 'IDAT').map(([, data]) => data)));
      assert.deepEqual([...image], [0, 1, 2, 3, 4, 5, 6, 0, 7, 8, 9, 10, 11, 12]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('convert/text-layer', () => {
  it("knows Helvetica's width of every printable ASCII character", () => {
    assert.equal(helveticaEm(' '), 0.278);
    assert.equal(helveticaEm('~'), 0.584);
    assert.equal(helveticaEm('W'), 0.944);
    assert.equal(helveticaEm('é'), 0.556, 'outside ASCII: an average width');
  });

  it('encodes WinAnsi, escaping the delimiters and replacing what it cannot encode', () => {
    assert.equal(winAnsiString('a(b)c\\'), '(a\\(b\\)c\\\\)');
    assert.equal(winAnsiString('Grüße'), '(Gr\xfc\xdfe)');
    assert.equal(winAnsiString('日本\u0007'), '(???)');
  });

  it('draws each word invisibly (mode 3) over its box, stretched to its width', () => {
    const ops = textLayerOps([{ left: 150, top: 0, width: 150, height: 150, text: 'ii' }], { width: 144, height: 144, dpi: 150 });
    // 'ii' in Helvetica is 0.444 em; at 72 pt that is 31.968 pt, stretched to 72 pt: 225.23 %.
    assert.equal(ops, 'BT\n3 Tr\n/F1 72 Tf 225.23 Tz 1 0 0 1 72 72 Tm (ii ) Tj\nET');
    assert.equal(textLayerOps([], { width: 1, height: 1, dpi: 150 }), '');
  });
});
