// The invisible text of an OCR'd page, as PDF content-stream operators: each word drawn in text render
// mode 3 (neither filled nor stroked) over the spot where the pixels show it, so that it can be searched
// and selected. Words come from NoFear's OCR parser (already bounded and checked); the font is one of the
// standard 14 (Helvetica, WinAnsi): characters it cannot encode become "?".

export interface OcrWord {
  /** The word's box in pixels of the rendered page, from its top-left corner. */
  left: number;
  top: number;
  width: number;
  height: number;
  text: string;
}

export interface PageGeometry {
  /** The page in points, as the writer sized it. */
  width: number;
  height: number;
  dpi: number;
}

/** Helvetica's advance widths (its AFM, 1/1000 em) for WinAnsi 0x20-0x7e; other characters count as 556. */
const HELVETICA_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611,
  778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,
  556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/** The word's width in em when set in Helvetica. */
export function helveticaEm(text: string): number {
  let width = 0;
  for (const char of text) width += HELVETICA_WIDTHS[(char.codePointAt(0) ?? 0) - 0x20] ?? 556;
  return width / 1000;
}

/** WinAnsi shares Latin-1's printable range; anything else is "?". Escapes the string delimiters. */
export function winAnsiString(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0x3f;
    const byte = (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) ? code : 0x3f;
    const c = String.fromCharCode(byte);
    out += c === '\\' || c === '(' || c === ')' ? `\\${c}` : c;
  }
  return `(${out})`;
}

const fixed = (value: number) => Number(value.toFixed(2)).toString();

export function textLayerOps(words: readonly OcrWord[], page: PageGeometry): string {
  if (words.length === 0) return '';
  const scale = 72 / page.dpi;
  const ops = ['BT', '3 Tr'];
  for (const word of words) {
    const size = Math.max(1, word.height * scale);
    // Stretched to cover the word's box exactly; the space after it keeps words apart for search and copy.
    const natural = size * Math.max(0.1, helveticaEm(word.text));
    const stretch = Math.min(1000, Math.max(10, (100 * word.width * scale) / natural));
    const x = word.left * scale;
    const y = page.height - (word.top + word.height) * scale;
    ops.push(`/F1 ${fixed(size)} Tf ${fixed(stretch)} Tz 1 0 0 1 ${fixed(x)} ${fixed(y)} Tm ${winAnsiString(`${word.text} `)} Tj`);
  }
  ops.push('ET');
  return ops.join('\n');
}
