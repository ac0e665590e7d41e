// The OCR VM's answer, read as strictly as the pixels: tesseract's TSV (level, page, block, paragraph,
// line, word, left, top, width, height, confidence, text), then the line "nofear-ocr-end". Only words
// (level 5) are kept, clipped to their page, their text cleaned and bounded; lines, pages, words and bytes
// are all limited, and anything that does not parse ends the OCR (the safe PDF is then written without
// a text layer).
import { ConversionError } from './errors.js';
import type { OcrWord } from './text-layer.js';

export const OCR_END = 'nofear-ocr-end';
const HEADER = 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';

export interface OcrLimits {
  maxLineBytes: number;
  /** Characters of text kept over the whole document (memory: the words wait for the PDF's end). */
  maxTextChars: number;
  maxWordChars: number;
  /** Words kept over the whole document (about 100 bytes of memory each). */
  maxWords: number;
  /** Lines of any kind, empty ones included: tesseract writes about two per word at most. */
  maxLines: number;
}

export const OCR_LIMITS: OcrLimits = { maxLineBytes: 4096, maxTextChars: 8 * 1024 * 1024, maxWordChars: 200, maxWords: 500_000, maxLines: 2_000_000 };

const INT = /^(0|[1-9][0-9]{0,8})$/;
const CONFIDENCE = /^-?[0-9]{1,3}(\.[0-9]{1,6})?$/;

function broken(detail: string): ConversionError {
  return new ConversionError('OcrFailed', `the OCR in the VM ${detail}`);
}

export class OcrReader {
  private pending = Buffer.alloc(0);
  private lineNumber = 0;
  private textChars = 0;
  private wordCount = 0;
  private lastPage = 0;
  private done = false;
  readonly words: OcrWord[][];

  /** `pages`: the sizes of the pages sent for OCR, in pixels, in order. */
  constructor(
    private readonly pages: ReadonlyArray<{ width: number; height: number }>,
    private readonly onPage: (page: number) => void = () => {},
    private readonly limits: OcrLimits = OCR_LIMITS,
  ) {
    this.words = pages.map(() => []);
  }

  get complete(): boolean {
    return this.done;
  }

  push(untrustedChunk: Buffer): void {
    let data = this.pending.length === 0 ? untrustedChunk : Buffer.concat([this.pending, untrustedChunk]);
    for (let at = data.indexOf(0x0a); at >= 0; at = data.indexOf(0x0a)) {
      this.line(data.subarray(0, at).toString('utf8'));
      data = data.subarray(at + 1);
    }
    if (data.length > this.limits.maxLineBytes) throw broken(`sent a line longer than ${this.limits.maxLineBytes} bytes`);
    this.pending = Buffer.from(data);
  }

  end(): void {
    if (!this.done) throw broken('ended before its last page');
  }

  private line(untrusted: string): void {
    this.lineNumber++;
    if (this.done) throw broken('sent more after its end');
    if (this.lineNumber > this.limits.maxLines) throw broken(`sent more than ${this.limits.maxLines} lines`);
    if (Buffer.byteLength(untrusted) > this.limits.maxLineBytes) throw broken(`sent a line longer than ${this.limits.maxLineBytes} bytes`);
    if (untrusted === OCR_END) {
      this.done = true;
      return;
    }
    if (untrusted === HEADER || untrusted === '') return;
    const fields = untrusted.split('\t');
    if (fields.length !== 12) throw broken(`sent line ${this.lineNumber} with ${fields.length} fields instead of 12`);
    const numbers = fields.slice(0, 10);
    if (!numbers.every((field) => INT.test(field)) || !CONFIDENCE.test(fields[10] ?? '')) throw broken(`sent line ${this.lineNumber} with a field that is not a number`);
    const [level, page, , , , , left, top, width, height] = numbers.map(Number) as [number, number, number, number, number, number, number, number, number, number];
    const size = this.pages[page - 1];
    if (size === undefined || level < 1 || level > 5 || page < this.lastPage) throw broken(`sent line ${this.lineNumber} for page ${page} of ${this.pages.length}, level ${level}`);
    if (page !== this.lastPage) {
      this.lastPage = page;
      this.onPage(page);
    }
    const text = (fields[11] ?? '')
      .replace(/[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g, '')
      .trim()
      .slice(0, this.limits.maxWordChars);
    if (level !== 5 || text === '') return;
    this.textChars += text.length;
    this.wordCount++;
    if (this.textChars > this.limits.maxTextChars || this.wordCount > this.limits.maxWords) {
      throw broken(`sent more than ${this.limits.maxWords} words or ${this.limits.maxTextChars} characters of text`);
    }
    // Clipped to the page: a box outside it would put text where no pixel shows it.
    const x = Math.min(left, size.width - 1);
    const y = Math.min(top, size.height - 1);
    this.words[page - 1]?.push({ left: x, top: y, width: Math.max(1, Math.min(width, size.width - x)), height: Math.max(1, Math.min(height, size.height - y)), text });
  }
}
