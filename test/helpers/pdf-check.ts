// Reading back what NoFear's PDF writer wrote, independently of it: the objects through the xref table
// (so an object the table does not list cannot hide), streams inflated; and pages rendered with the host's
// pdftoppm and compared cell by cell.
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';

export interface PdfObject {
  number: number;
  /** The object's text before any stream (its dictionary, or a plain value). */
  head: string;
  stream?: Buffer;
}

export function pdfObjects(file: string): PdfObject[] {
  const bytes = readFileSync(file);
  const text = bytes.toString('latin1');
  const start = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  const xref = /^xref\n0 (\d+)\n/.exec(text.slice(start));
  if (!Number.isInteger(start) || xref === null) throw new Error('no xref table at startxref');
  const count = Number(xref[1]);
  const entries = text
    .slice(start + xref[0].length)
    .split('\n')
    .slice(0, count);
  const heads = new Map<number, { head: string; at: number }>();
  entries.forEach((entry, number) => {
    const match = /^(\d{10}) (\d{5}) ([nf]) $/.exec(entry);
    if (match === null) throw new Error(`bad xref entry ${number}: ${JSON.stringify(entry)}`);
    if (match[3] === 'f') return;
    const at = Number(match[1]);
    const prefix = `${number} 0 obj\n`;
    if (text.slice(at, at + prefix.length) !== prefix) throw new Error(`object ${number} is not at ${at}`);
    const body = at + prefix.length;
    const streamAt = text.indexOf('\nstream\n', body);
    const end = text.indexOf('\nendobj\n', body);
    const head = streamAt >= 0 && streamAt < end ? text.slice(body, streamAt) : text.slice(body, end);
    heads.set(number, { head, at: streamAt >= 0 && streamAt < end ? streamAt + '\nstream\n'.length : -1 });
  });
  return [...heads.entries()].map(([number, { head, at }]) => {
    if (at < 0) return { number, head };
    const length = /\/Length (\d+)( 0 R)?/.exec(head);
    const size = length?.[2] === undefined ? Number(length?.[1]) : Number(heads.get(Number(length[1]))?.head.trim());
    const raw = bytes.subarray(at, at + size);
    return { number, head, stream: /\/FlateDecode/.test(head) ? inflateSync(raw) : raw };
  });
}

export interface Picture {
  width: number;
  height: number;
  rgb: Buffer;
}

export function readPpm(file: string): Picture {
  const bytes = readFileSync(file);
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(bytes.subarray(0, 40).toString('latin1'));
  if (header === null) throw new Error(`${file} is not a binary PPM`);
  return { width: Number(header[1]), height: Number(header[2]), rgb: bytes.subarray(header[0].length) };
}

/** Every page of the PDF rendered by the host's pdftoppm at `dpi`, in page order. */
export async function renderPages(pdf: string, dpi: number, dir: string, prefix: string): Promise<Picture[]> {
  await execa('pdftoppm', ['-r', String(dpi), pdf, path.join(dir, prefix)], { timeout: 120_000 });
  return readdirSync(dir)
    .filter((name) => name.startsWith(`${prefix}-`) && name.endsWith('.ppm'))
    .sort()
    .map((name) => readPpm(path.join(dir, name)));
}

/**
 * How far two renderings of a page are apart, averaged over square cells (a text edge half a pixel away
 * is no difference; a missing word, a moved block or another page is): the mean and the largest cell
 * difference per channel, 0-255, over the area both share.
 */
export function pageDifference(a: Picture, b: Picture, cell = 8): { mean: number; max: number } {
  const columns = Math.floor(Math.min(a.width, b.width) / cell);
  const rows = Math.floor(Math.min(a.height, b.height) / cell);
  let sum = 0;
  let max = 0;
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      for (let channel = 0; channel < 3; channel++) {
        let difference = 0;
        for (let y = row * cell; y < (row + 1) * cell; y++) {
          for (let x = column * cell; x < (column + 1) * cell; x++) {
            difference += (a.rgb[(y * a.width + x) * 3 + channel] ?? 0) - (b.rgb[(y * b.width + x) * 3 + channel] ?? 0);
          }
        }
        const cellDifference = Math.abs(difference) / (cell * cell);
        sum += cellDifference;
        max = Math.max(max, cellDifference);
      }
    }
  }
  return { mean: sum / (rows * columns * 3), max };
}

/** The root-mean-square difference per channel over the pixels both share, 0 (same) to 1 (black against white). */
export function rmse(a: Picture, b: Picture): number {
  const width = Math.min(a.width, b.width);
  const height = Math.min(a.height, b.height);
  let sum = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width * 3; x++) sum += (((a.rgb[y * a.width * 3 + x] ?? 0) - (b.rgb[y * b.width * 3 + x] ?? 0)) / 255) ** 2;
  }
  return Math.sqrt(sum / (width * height * 3));
}

/** The picture averaged over n x n squares (a 150 dpi rendering seen at 75 dpi with n = 2). */
export function boxAverage(picture: Picture, n: number): Picture {
  const width = Math.floor(picture.width / n);
  const height = Math.floor(picture.height / n);
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let channel = 0; channel < 3; channel++) {
        let sum = 0;
        for (let dy = 0; dy < n; dy++) for (let dx = 0; dx < n; dx++) sum += picture.rgb[((y * n + dy) * picture.width + x * n + dx) * 3 + channel] ?? 0;
        rgb[(y * width + x) * 3 + channel] = Math.round(sum / (n * n));
      }
    }
  }
  return { width, height, rgb };
}
