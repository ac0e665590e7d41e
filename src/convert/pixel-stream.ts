// The pixel stream from the converter in the VM to the host, read as a strict state machine. Format:
//   nofear-pixels 1 PAGES\n                      the document: how many pages follow
//   PAGES times: P6\nWIDTH HEIGHT\n255\n + WIDTH*HEIGHT*3 bytes of RGB   (a canonical binary PPM)
// and nothing after the last page. The page header is exactly what pdftoppm, mutool and ImageMagick
// write, so the guest pipes their output as it is. Every rule is checked as the bytes arrive, before
// anything is done with them: a header that does not parse, a number over a limit, a page cut short or a
// byte too many ends the stream with a named PixelStreamError. The parser keeps no pixels: page bytes
// are handed on as slices of the chunks they came in, so the host's memory stays bounded.
import { PixelStreamError } from './errors.js';
import type { PixelLimits } from './limits.js';

export type PixelEvent =
  | { kind: 'document'; pages: number }
  | { kind: 'page'; index: number; width: number; height: number }
  /** A slice of the current page's RGB bytes, in order; valid until the next push. */
  | { kind: 'pixels'; data: Buffer }
  | { kind: 'page-end'; index: number };

const DOCUMENT_HEADER = /^nofear-pixels 1 (0|[1-9][0-9]{0,9})\n$/;
const PAGE_HEADER = /^P6\n([1-9][0-9]{0,9}) ([1-9][0-9]{0,9})\n255\n$/;
/** Longer than any valid header: a guest that sends more without one is refused, not buffered. */
const MAX_HEADER_BYTES = 48;

type Phase = 'document' | 'page-header' | 'pixels' | 'complete';

export class PixelStreamParser {
  private phase: Phase = 'document';
  private header = Buffer.alloc(0);
  private pages = 0;
  private page = -1;
  private pageRemaining = 0;
  private totalBytes = 0;

  constructor(private readonly limits: PixelLimits) {}

  /** All announced pages arrived in full. */
  get complete(): boolean {
    return this.phase === 'complete';
  }

  /** The events in one chunk from the guest; throws PixelStreamError at the first broken rule. */
  push(untrustedChunk: Buffer): PixelEvent[] {
    const events: PixelEvent[] = [];
    let rest = untrustedChunk;
    while (rest.length > 0) {
      if (this.phase === 'complete') throw new PixelStreamError('UnannouncedData', `sent ${rest.length} more bytes after the last of the ${this.pages} pages it announced`);
      if (this.phase === 'pixels') {
        const take = Math.min(rest.length, this.pageRemaining);
        events.push({ kind: 'pixels', data: rest.subarray(0, take) });
        rest = rest.subarray(take);
        this.pageRemaining -= take;
        if (this.pageRemaining === 0) this.endPage(events);
        continue;
      }
      rest = this.takeHeader(rest, events);
    }
    return events;
  }

  /** The stream ended (the guest is done, or gone): throws unless every announced byte arrived. */
  end(): void {
    switch (this.phase) {
      case 'complete':
        return;
      case 'document':
        throw new PixelStreamError('BadHeader', this.header.length === 0 ? 'sent no pixels at all' : 'ended in the middle of its first line');
      case 'page-header':
        throw new PixelStreamError('MissingPages', `sent ${this.page + 1} of the ${this.pages} pages it announced`);
      case 'pixels':
        throw new PixelStreamError('TruncatedPage', `ended page ${this.page + 1} ${this.pageRemaining} bytes short of what its header announced`);
    }
  }

  /** Adds bytes to the header being read; once it is whole, checks it and moves on. Returns what is left. */
  private takeHeader(chunk: Buffer, events: PixelEvent[]): Buffer {
    const lines = this.phase === 'document' ? 1 : 3;
    const room = MAX_HEADER_BYTES - this.header.length;
    const seen = Buffer.concat([this.header, chunk.subarray(0, room)]);
    const end = nthNewline(seen, lines);
    if (end < 0) {
      if (seen.length >= MAX_HEADER_BYTES) throw this.badHeader(seen);
      this.header = seen;
      return Buffer.alloc(0);
    }
    const used = end + 1 - this.header.length;
    const text = seen.subarray(0, end + 1).toString('latin1');
    this.header = Buffer.alloc(0);
    if (this.phase === 'document') this.startDocument(text, events);
    else this.startPage(text, events);
    return chunk.subarray(used);
  }

  private startDocument(text: string, events: PixelEvent[]): void {
    const match = DOCUMENT_HEADER.exec(text);
    if (match === null) throw this.badHeader(Buffer.from(text, 'latin1'));
    const pages = Number(match[1]);
    if (pages === 0) throw new PixelStreamError('NoPages', 'announced a document without pages');
    if (pages > this.limits.maxPages) throw new PixelStreamError('TooManyPages', `announced ${pages} pages, over the limit of ${this.limits.maxPages}`);
    this.pages = pages;
    this.phase = 'page-header';
    events.push({ kind: 'document', pages });
  }

  private startPage(text: string, events: PixelEvent[]): void {
    const match = PAGE_HEADER.exec(text);
    if (match === null) throw this.badHeader(Buffer.from(text, 'latin1'));
    const width = Number(match[1]);
    const height = Number(match[2]);
    const index = this.page + 1;
    const { maxSide, maxTotalBytes } = this.limits;
    if (width > maxSide || height > maxSide) {
      throw new PixelStreamError('PageTooLarge', `announced page ${index + 1} as ${width} x ${height} pixels, over the limit of ${maxSide} x ${maxSide}`);
    }
    const bytes = width * height * 3;
    if (this.totalBytes + bytes > maxTotalBytes) {
      throw new PixelStreamError('TooManyBytes', `announced page ${index + 1} past the limit of ${maxTotalBytes} bytes of pixels for the whole document`);
    }
    this.totalBytes += bytes;
    this.page = index;
    this.pageRemaining = bytes;
    this.phase = 'pixels';
    events.push({ kind: 'page', index, width, height });
  }

  private endPage(events: PixelEvent[]): void {
    events.push({ kind: 'page-end', index: this.page });
    this.phase = this.page + 1 === this.pages ? 'complete' : 'page-header';
  }

  private badHeader(untrusted: Buffer): PixelStreamError {
    const shown = untrusted
      .subarray(0, 24)
      .toString('latin1')
      .replace(/[^\x20-\x7e]/g, '.');
    const where = this.phase === 'document' ? 'its first line' : `the header of page ${this.page + 2}`;
    return new PixelStreamError('BadHeader', `sent ${JSON.stringify(shown)} where ${where} belongs`);
  }
}

function nthNewline(data: Buffer, n: number): number {
  let at = -1;
  for (let i = 0; i < n; i++) {
    at = data.indexOf(0x0a, at + 1);
    if (at < 0) return -1;
  }
  return at;
}
