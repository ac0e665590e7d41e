// The thumbnail VM's stdout, read as a strict state machine (src/guest/thumbs.sh writes it):
//   nofear-thumbs 1 COUNT\n
//   COUNT times, in order: thumb INDEX BYTES\n + BYTES bytes (a one-page pixel stream, or none)
// Each record is read by its own PixelStreamParser with the thumbnail's limits: a record that breaks a
// pixel rule costs that file its thumbnail and the reading goes on with the next record. A broken frame
// (a bad line, a record larger than any thumbnail, a byte after the last record) ends the whole stream:
// files already read keep their thumbnails. No record is kept beyond one page of SIZE x SIZE pixels.
import { PixelStreamError } from './errors.js';
import { PixelStreamParser } from './pixel-stream.js';
import type { PixelLimits } from './limits.js';

export type ThumbEvent = { kind: 'thumb'; index: number; width: number; height: number; rgb: Buffer } | { kind: 'refused'; index: number; reason: string };

const STREAM_HEADER = /^nofear-thumbs 1 (0|[1-9][0-9]{0,4})\n$/;
const RECORD_HEADER = /^thumb (0|[1-9][0-9]{0,4}) (0|[1-9][0-9]{0,9})\n$/;
const MAX_LINE_BYTES = 40;
/** "nofear-pixels 1 1\n" and the longest PPM header of a page within the limits. */
const HEADERS_BYTES = 18 + 32;

/** The limits of one thumbnail of at most `size` pixels on its longer side. */
export function thumbLimits(size: number): PixelLimits {
  return { maxPages: 1, maxSide: size, maxTotalBytes: size * size * 3 };
}

/** The most bytes a record may hold: the guest cuts a renderer's output at one more than this. */
export const maxRecordBytes = (size: number) => HEADERS_BYTES + size * size * 3;

export class ThumbStreamError extends Error {}

interface Record {
  index: number;
  left: number;
  parser: PixelStreamParser;
  rgb: Buffer | undefined;
  filled: number;
  width: number;
  height: number;
  refused: string | undefined;
}

export class ThumbStreamParser {
  private line = Buffer.alloc(0);
  private count = -1;
  private next = 0;
  private record: Record | undefined;

  constructor(private readonly size: number) {}

  /** Every announced record arrived. */
  get complete(): boolean {
    return this.count >= 0 && this.next === this.count && this.record === undefined;
  }

  push(untrustedChunk: Buffer): ThumbEvent[] {
    const events: ThumbEvent[] = [];
    let rest = untrustedChunk;
    while (rest.length > 0) {
      if (this.complete) throw new ThumbStreamError(`sent ${rest.length} bytes after its last record`);
      if (this.record !== undefined) {
        const take = Math.min(rest.length, this.record.left);
        this.feed(this.record, rest.subarray(0, take));
        this.record.left -= take;
        rest = rest.subarray(take);
        if (this.record.left === 0) this.finishRecord(this.record, events);
        continue;
      }
      rest = this.takeLine(rest, events);
    }
    return events;
  }

  /** The stream ended: throws unless every record arrived. */
  end(): void {
    if (!this.complete) throw new ThumbStreamError(this.count < 0 ? 'sent no header' : `sent ${this.next} of its ${this.count} records`);
  }

  private takeLine(chunk: Buffer, events: ThumbEvent[]): Buffer {
    const seen = Buffer.concat([this.line, chunk.subarray(0, MAX_LINE_BYTES - this.line.length)]);
    const end = seen.indexOf(0x0a);
    if (end < 0) {
      if (seen.length >= MAX_LINE_BYTES) throw new ThumbStreamError('sent a line too long for a header');
      this.line = seen;
      return Buffer.alloc(0);
    }
    const used = end + 1 - this.line.length;
    const text = seen.subarray(0, end + 1).toString('latin1');
    this.line = Buffer.alloc(0);
    if (this.count < 0) {
      const match = STREAM_HEADER.exec(text);
      if (match === null) throw new ThumbStreamError('sent no valid header');
      this.count = Number(match[1]);
    } else this.startRecord(text, events);
    return chunk.subarray(used);
  }

  private startRecord(text: string, events: ThumbEvent[]): void {
    const match = RECORD_HEADER.exec(text);
    if (match === null || Number(match[1]) !== this.next) throw new ThumbStreamError(`sent no valid header for record ${this.next + 1}`);
    const bytes = Number(match[2]);
    if (bytes > maxRecordBytes(this.size) + 1) throw new ThumbStreamError(`announced record ${this.next + 1} as ${bytes} bytes, more than any thumbnail`);
    const record: Record = { index: this.next, left: bytes, parser: new PixelStreamParser(thumbLimits(this.size)), rgb: undefined, filled: 0, width: 0, height: 0, refused: undefined };
    if (bytes === 0) record.refused = 'the VM could not render it';
    else if (bytes > maxRecordBytes(this.size)) record.refused = `its renderer sent more than the ${maxRecordBytes(this.size)} bytes of a thumbnail`;
    this.record = record;
    if (bytes === 0) this.finishRecord(record, events);
  }

  private feed(record: Record, data: Buffer): void {
    if (record.refused !== undefined) return; // skipped: its bytes are counted, never kept
    try {
      for (const event of record.parser.push(data)) {
        if (event.kind === 'page') {
          record.rgb = Buffer.alloc(event.width * event.height * 3);
          record.width = event.width;
          record.height = event.height;
        } else if (event.kind === 'pixels' && record.rgb !== undefined) {
          event.data.copy(record.rgb, record.filled);
          record.filled += event.data.length;
        }
      }
    } catch (error) {
      if (!(error instanceof PixelStreamError)) throw error;
      record.refused = error.message;
      record.rgb = undefined;
    }
  }

  private finishRecord(record: Record, events: ThumbEvent[]): void {
    this.record = undefined;
    this.next += 1;
    if (record.refused === undefined) {
      try {
        record.parser.end();
      } catch (error) {
        if (!(error instanceof PixelStreamError)) throw error;
        record.refused = error.message;
      }
    }
    if (record.refused !== undefined || record.rgb === undefined) events.push({ kind: 'refused', index: record.index, reason: record.refused ?? 'no pixels' });
    else events.push({ kind: 'thumb', index: record.index, width: record.width, height: record.height, rgb: record.rgb });
  }
}
