// A page's pixels as a PNG for the OCR VM, written by the host as they arrive (the host writes every byte
// of it: the OCR guest sees pixels that passed the limits, in a format it reads, a hundred times smaller
// than raw). Rows get filter type 0; the deflated bytes go out as IDAT chunks as they come.
import { constants as fsc, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { DeflatePump } from './deflate-pump.js';

/** Every PNG's first eight bytes. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG chunks carry it (node:zlib has crc32 only from Node 20.15). */
export function crc32(...parts: Buffer[]): number {
  let crc = 0xffffffff;
  for (const part of parts) for (const byte of part) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: its length, type, data and CRC (the page writer's and the thumbnail encoder's). */
export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(head.subarray(4), data), 0);
  return Buffer.concat([head, data, crc]);
}

export class PngPageWriter {
  private rowLeft = 0;
  private readonly deflate: DeflatePump;

  private constructor(
    private readonly file: FileHandle,
    private readonly rowBytes: number,
  ) {
    this.deflate = new DeflatePump(1, async (data) => void (await file.write(pngChunk('IDAT', data))), 'the PNG');
  }

  /** `dpi` goes in the pHYs chunk: tesseract sizes its text models by it. */
  static async create(path: string, width: number, height: number, dpi: number): Promise<PngPageWriter> {
    const file = await fsp.open(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o644);
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, filter method 0, no interlace
    const density = Buffer.alloc(9);
    const perMetre = Math.round(dpi / 0.0254);
    density.writeUInt32BE(perMetre, 0);
    density.writeUInt32BE(perMetre, 4);
    density[8] = 1; // the unit is the metre
    await file.write(Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('pHYs', density)]));
    return new PngPageWriter(file, width * 3);
  }

  /** RGB bytes in order, in any chunking: a filter byte goes before each row. */
  async write(data: Buffer): Promise<void> {
    let rest = data;
    while (rest.length > 0) {
      if (this.rowLeft === 0) {
        await this.deflate.write(Buffer.from([0]));
        this.rowLeft = this.rowBytes;
      }
      const take = Math.min(rest.length, this.rowLeft);
      await this.deflate.write(rest.subarray(0, take));
      this.rowLeft -= take;
      rest = rest.subarray(take);
    }
  }

  async finish(): Promise<void> {
    await this.deflate.finish();
    await this.file.write(pngChunk('IEND', Buffer.alloc(0)));
    await this.file.close();
  }

  async abort(): Promise<void> {
    this.deflate.abort();
    await this.file.close().catch(() => undefined); // closed already
  }
}
