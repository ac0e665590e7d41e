// How a page of the safe PDF is stored, decided from its pixels alone (the host's measure, never the
// guest's say): black and white (1 bit a pixel) when thresholding changes it little, grey (8 bits) when no
// pixel needs colour, colour (RGB) otherwise. And the row conversions the writer applies for each. Pure.

export type PageClass = 'bilevel' | 'grey' | 'colour';

/** What a page's pixels need, summed over every pixel. */
export interface PageStats {
  pixels: number;
  /** Pixels whose channels differ by more than COLOURFUL_SPREAD: colour a grey page would lose. */
  colourful: number;
  /** Sum over pixels of the squared distance of each channel from the pixel's grey (luma). */
  chromaSquares: number;
  /** Pixels neither near black nor near white (anti-aliased edges, shading, photos). */
  midTones: number;
  /** Sum over pixels of the squared error thresholding at 128 makes to the grey value. */
  thresholdSquares: number;
}

/** A channel spread past this is colour anyone sees (anti-aliasing and JPEG noise in grey stay well below). */
const COLOURFUL_SPREAD = 48;
/** Colour is kept when more than this share of the pixels is colourful (0.01 %: a small logo counts)... */
const COLOURFUL_SHARE = 0.0001;
/** ...or when the colour spread over the whole page is this far from grey (RMS, of 255). */
const CHROMA_RMS = 4;
/** Near black is at most this; near white at least 255 minus it. */
const EXTREME = 16;
/**
 * One bit a pixel when at most 10 % of the pixels are mid-tones and thresholding moves the page's grey by
 * at most 20 of 255 (RMS, 0.078: inside the 0.08 a safe PDF keeps). Measured at 150 dpi on text pages
 * (shared-mime-info's spec): 2.7-4.8 % mid-tones, RMS 12.6-17; a photo: 98 %, RMS 78.
 */
const MID_TONE_SHARE = 0.1;
const THRESHOLD_RMS = 20;

export function emptyStats(): PageStats {
  return { pixels: 0, colourful: 0, chromaSquares: 0, midTones: 0, thresholdSquares: 0 };
}

/** The grey of an RGB pixel (Rec. 601 luma, 0-255). */
export const lumaOf = (r: number, g: number, b: number): number => (299 * r + 587 * g + 114 * b) / 1000;

/** Adds whole RGB pixels (a length that is a multiple of 3) to the stats. */
export function measurePixels(stats: PageStats, rgb: Buffer): void {
  for (let at = 0; at + 2 < rgb.length; at += 3) {
    const r = rgb[at] ?? 0;
    const g = rgb[at + 1] ?? 0;
    const b = rgb[at + 2] ?? 0;
    const y = lumaOf(r, g, b);
    if (Math.max(r, g, b) - Math.min(r, g, b) > COLOURFUL_SPREAD) stats.colourful++;
    stats.chromaSquares += ((r - y) ** 2 + (g - y) ** 2 + (b - y) ** 2) / 3;
    if (y > EXTREME && y < 255 - EXTREME) stats.midTones++;
    stats.thresholdSquares += (y < 128 ? y : 255 - y) ** 2;
    stats.pixels++;
  }
}

export function classifyPage(stats: PageStats): PageClass {
  const n = Math.max(1, stats.pixels);
  if (stats.colourful / n > COLOURFUL_SHARE || Math.sqrt(stats.chromaSquares / n) > CHROMA_RMS) return 'colour';
  if (stats.midTones / n <= MID_TONE_SHARE && Math.sqrt(stats.thresholdSquares / n) <= THRESHOLD_RMS) return 'bilevel';
  return 'grey';
}

/** Bytes of one stored row. */
export function rowBytes(kind: PageClass, width: number): number {
  return kind === 'colour' ? width * 3 : kind === 'grey' ? width : Math.ceil(width / 8);
}

/** Whole RGB rows in, the same rows as the class stores them out (1 bit: PDF's DeviceGray, 1 = white). */
export function convertRows(kind: PageClass, rgb: Buffer, width: number): Buffer {
  if (kind === 'colour') return rgb;
  const rows = Math.floor(rgb.length / (width * 3));
  const out = Buffer.alloc(rows * rowBytes(kind, width));
  for (let row = 0; row < rows; row++) {
    for (let x = 0; x < width; x++) {
      const at = (row * width + x) * 3;
      const y = Math.round(lumaOf(rgb[at] ?? 0, rgb[at + 1] ?? 0, rgb[at + 2] ?? 0));
      if (kind === 'grey') out[row * width + x] = y;
      else if (y >= 128) {
        const byte = row * rowBytes(kind, width) + (x >> 3);
        out[byte] = (out[byte] ?? 0) | (0x80 >> (x & 7));
      }
    }
  }
  return out;
}
