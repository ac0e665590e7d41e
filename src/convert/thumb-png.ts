// A thumbnail as the freedesktop thumbnail spec wants it, encoded by NoFear from pixels that passed the
// thumbnail limits: an 8-bit RGB PNG with the spec's tEXt keys (Thumb::URI, Thumb::MTime, Thumb::Size),
// no byte of it from the guest but the pixel values. Pure.
import { deflateSync } from 'node:zlib';
import { PNG_SIGNATURE, pngChunk } from './png-writer.js';

export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, rows top to bottom. */
  rgb: Buffer;
}

/** A tEXt chunk: the keyword, a NUL, the text (Latin-1; the URI is percent-encoded ASCII). */
const text = (key: string, value: string) => pngChunk('tEXt', Buffer.from(`${key}\0${value}`, 'latin1'));

export function encodePng(image: RgbImage, keys: ReadonlyArray<readonly [string, string]>): Buffer {
  const { width, height, rgb } = image;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, filter method 0, no interlace
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) rgb.copy(rows, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3);
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), ...keys.map(([key, value]) => text(key, value)), pngChunk('IDAT', deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** The image made to fit `size` on its longer side, each new pixel the average of the ones it covers; a smaller one stays as it is. */
export function fitWithin(image: RgbImage, size: number): RgbImage {
  const scale = Math.max(image.width, image.height) / size;
  if (scale <= 1) return image;
  const width = Math.max(1, Math.round(image.width / scale));
  const height = Math.max(1, Math.round(image.height / scale));
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * image.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * image.height) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * image.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * image.width) / width));
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += image.rgb[(yy * image.width + xx) * 3 + c] ?? 0;
        rgb[(y * width + x) * 3 + c] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
      }
    }
  }
  return { width, height, rgb };
}
