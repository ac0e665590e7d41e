// From the converter's stream to the writers (src/convert/pixel-pump.ts), with the real parser, PDF writer
// and PNG writer on a temporary directory. The one stand-in is the VM's port (GuestJobIo): a list of
// chunks, as the guest's converter would send them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PixelStreamError } from '../../../src/convert/errors.js';
import type { GuestJobIo } from '../../../src/convert/guest-job.js';
import { ImagePdfWriter } from '../../../src/convert/pdf-writer.js';
import { ocrPageName, pumpPixels } from '../../../src/convert/pixel-pump.js';

const LIMITS = { maxPages: 3, maxSide: 100, maxTotalBytes: 3 * 100 * 100 * 3 };
const page = (width: number, height: number, fill = 7) => Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`), Buffer.alloc(width * height * 3, fill)]);
const doc = (pages: number) => Buffer.from(`nofear-pixels 1 ${pages}\n`);

/** The port: the stream in chunks of `size`; counts confirm() and how many chunks were read before it. */
function port(stream: Buffer, size: number) {
  const seen = { confirmedAfter: -1, read: 0 };
  const io: GuestJobIo = {
    async *chunks() {
      for (let at = 0; at < stream.length; at += size) {
        seen.read++;
        yield stream.subarray(at, at + size);
      }
    },
    confirm: () => {
      assert.equal(seen.confirmedAfter, -1, 'confirmed once only');
      seen.confirmedAfter = seen.read;
    },
  };
  return { io, seen };
}

describe('convert/pixel-pump', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'nofear-pump-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const writer = () => ImagePdfWriter.create(path.join(dir, 'out.pdf'), { dpi: 150, textLayer: false, spoolDir: dir, photos: { kind: 'flate' } });

  it('writes each page to the PDF and, for OCR, a PNG per page; tells the pages as they start and confirms once all are in', async () => {
    const stream = Buffer.concat([doc(2), page(3, 2, 1), page(4, 1, 2)]);
    const { io, seen } = port(stream, 5);
    const pages: Array<[number, number]> = [];
    let written = 0;
    const pdf = await writer();
    const ocrDir = path.join(dir, 'ocr');
    mkdirSync(ocrDir);
    const sizes = await pumpPixels(io, pdf, LIMITS, { onPage: (p, n) => pages.push([p, n]), ocrDir, dpi: 150, onWritten: (bytes) => (written += bytes) });
    await pdf.finish();
    assert.deepEqual(sizes, [
      { width: 3, height: 2 },
      { width: 4, height: 1 },
    ]);
    assert.deepEqual(pages, [
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
    assert.equal(written, 2 * (3 * 2 * 3 + 4 * 1 * 3), 'each pixel byte counted once per copy: the spool and the PNG');
    assert.deepEqual(readdirSync(ocrDir), [ocrPageName(0), ocrPageName(1)]);
    assert.equal(ocrPageName(9), 'page-00010.png');
    assert.deepEqual(
      readFileSync(path.join(ocrDir, ocrPageName(0)))
        .subarray(1, 4)
        .toString(),
      'PNG',
    );
    assert.equal(seen.confirmedAfter, Math.ceil(stream.length / 5), 'confirmed at the chunk that completed the last page');
  });

  it('without OCR writes no PNG and counts each byte once', async () => {
    const { io } = port(Buffer.concat([doc(1), page(2, 2)]), 1000);
    let written = 0;
    const pdf = await writer();
    await pumpPixels(io, pdf, LIMITS, { onPage: () => undefined, dpi: 150, onWritten: (bytes) => (written += bytes) });
    await pdf.finish();
    assert.equal(written, 2 * 2 * 3);
  });

  it('refuses a stream that ends early (never confirmed) or has a byte after its last page', async () => {
    const ocrDir = dir;
    const short = port(Buffer.concat([doc(2), page(2, 2)]), 7);
    const pdf = await writer();
    await assert.rejects(pumpPixels(short.io, pdf, LIMITS, { onPage: () => undefined, ocrDir, dpi: 150 }), (error: unknown) => error instanceof PixelStreamError);
    assert.equal(short.seen.confirmedAfter, -1, 'never confirmed');
    await pdf.abort();
    const trailing = port(Buffer.concat([doc(1), page(2, 2), Buffer.from('x')]), 1000);
    const second = await ImagePdfWriter.create(path.join(dir, 'second.pdf'), { dpi: 150, textLayer: false, spoolDir: dir, photos: { kind: 'flate' } });
    await assert.rejects(pumpPixels(trailing.io, second, LIMITS, { onPage: () => undefined, dpi: 150 }), (error: unknown) => error instanceof PixelStreamError);
    await second.abort();
  });
});
