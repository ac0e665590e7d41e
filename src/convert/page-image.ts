// One page's image on its way into the safe PDF: its checked RGB pixels spooled to a PPM in the
// conversion's private directory as they arrive (no page is held whole in memory), then measured
// (page-class.ts decides 1 bit, grey or colour), then encoded: Flate of the stored rows, or with the JPEG
// option a grey or colour page as cjpeg's JPEG of that PPM. The spool goes once the page is written.
import { constants as fsc, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { encodeJpeg } from './jpeg.js';
import { classifyPage, convertRows, emptyStats, measurePixels, type PageClass } from './page-class.js';
import { DeflatePump } from './deflate-pump.js';

/** How photo pages (grey or colour, not 1 bit) are stored: lossless Flate, or JPEG by cjpeg at the given path. */
export type PhotoEncoding = { kind: 'flate' } | { kind: 'jpeg'; cjpeg: string };

/** Rows read from the spool at a time: a few hundred KB whatever the page's size. */
const ROWS_PER_READ = 32;

export interface ImageStorage {
  kind: PageClass;
  filter: 'FlateDecode' | 'DCTDecode';
  /** The image dictionary's colour entries. */
  colourSpace: 'DeviceRGB' | 'DeviceGray';
  bitsPerComponent: 1 | 8;
}

/** How a page of a class is stored: 1-bit pages always as Flate (JPEG would blur their edges for more bytes). */
export function storageOf(kind: PageClass, photos: PhotoEncoding): ImageStorage {
  const colourSpace = kind === 'colour' ? 'DeviceRGB' : 'DeviceGray';
  const bitsPerComponent = kind === 'bilevel' ? 1 : 8;
  return { kind, filter: photos.kind === 'jpeg' && kind !== 'bilevel' ? 'DCTDecode' : 'FlateDecode', colourSpace, bitsPerComponent };
}

export class PageSpool {
  private written = 0;

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
    private readonly headerBytes: number,
    readonly width: number,
    readonly height: number,
  ) {}

  static async create(dir: string, index: number, width: number, height: number): Promise<PageSpool> {
    const file = path.join(dir, `spool-${index + 1}.ppm`);
    const handle = await fsp.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
    const header = Buffer.from(`P6\n${width} ${height}\n255\n`, 'latin1');
    await handle.write(header);
    return new PageSpool(handle, file, header.length, width, height);
  }

  async write(data: Buffer): Promise<void> {
    let done = 0;
    while (done < data.length) done += (await this.file.write(data, done, data.length - done)).bytesWritten;
    this.written += data.length;
  }

  async close(): Promise<void> {
    await this.file.close();
    if (this.written !== this.width * this.height * 3) throw new Error(`page spool holds ${this.written} bytes, not ${this.width * this.height * 3}`);
  }

  /** The page's rows in order, ROWS_PER_READ at a time. */
  private async *rows(): AsyncIterable<Buffer> {
    const handle = await fsp.open(this.path, fsc.O_RDONLY | fsc.O_NOFOLLOW);
    try {
      const rowLength = this.width * 3;
      for (let row = 0; row < this.height; row += ROWS_PER_READ) {
        const length = Math.min(ROWS_PER_READ, this.height - row) * rowLength;
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, this.headerBytes + row * rowLength);
        if (bytesRead !== length) throw new Error('page spool ended early');
        yield buffer;
      }
    } finally {
      await handle.close();
    }
  }

  async classify(): Promise<PageClass> {
    const stats = emptyStats();
    for await (const rows of this.rows()) measurePixels(stats, rows);
    return classifyPage(stats);
  }

  /** The image stream's bytes, as `image` says they are stored, handed to `out` in order. */
  async encode(image: ImageStorage, photos: PhotoEncoding, out: (bytes: Buffer) => Promise<void>): Promise<void> {
    if (image.filter === 'FlateDecode') return this.deflate(image.kind, out);
    if (photos.kind !== 'jpeg') throw new Error('a JPEG page without cjpeg');
    const jpeg = `${this.path}.jpg`;
    try {
      await encodeJpeg(photos.cjpeg, this.path, jpeg, image.kind === 'grey');
      const handle = await fsp.open(jpeg, fsc.O_RDONLY | fsc.O_NOFOLLOW);
      try {
        for await (const chunk of handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>) await out(chunk);
      } finally {
        await handle.close();
      }
    } finally {
      await fsp.rm(jpeg, { force: true });
    }
  }

  private async deflate(kind: PageClass, out: (bytes: Buffer) => Promise<void>): Promise<void> {
    const deflate = new DeflatePump(6, out, 'the image');
    try {
      for await (const rows of this.rows()) await deflate.write(convertRows(kind, rows, this.width));
      await deflate.finish();
    } catch (error) {
      deflate.abort();
      throw error;
    }
  }

  async remove(): Promise<void> {
    await this.file.close().catch(() => undefined); // closed already
    await fsp.rm(this.path, { force: true });
  }
}
