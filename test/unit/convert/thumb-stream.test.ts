// The thumbnail VM's records: each file's pixels are read under one thumbnail's limits; a record that breaks
// a pixel rule costs only that file its thumbnail, a broken frame ends the stream, in any chunking.
import assert from 'node:assert/strict';
import { maxRecordBytes, ThumbStreamError, ThumbStreamParser, type ThumbEvent } from '../../../src/convert/thumb-stream.js';

const SIZE = 16;
const ppm = (width: number, height: number, fill = 9) => Buffer.concat([Buffer.from(`nofear-pixels 1 1\nP6\n${width} ${height}\n255\n`), Buffer.alloc(width * height * 3, fill)]);
const record = (index: number, body: Buffer) => Buffer.concat([Buffer.from(`thumb ${index} ${body.length}\n`), body]);
const stream = (...bodies: Buffer[]) => Buffer.concat([Buffer.from(`nofear-thumbs 1 ${bodies.length}\n`), ...bodies.map((body, index) => record(index, body))]);

function read(data: Buffer, chunk = 1 << 20): { events: ThumbEvent[]; parser: ThumbStreamParser } {
  const parser = new ThumbStreamParser(SIZE);
  const events: ThumbEvent[] = [];
  for (let at = 0; at < data.length; at += chunk) events.push(...parser.push(data.subarray(at, at + chunk)));
  return { events, parser };
}

const summary = (events: ThumbEvent[]) => events.map((e) => (e.kind === 'thumb' ? `${e.index}:${e.width}x${e.height}:${e.rgb[0]}` : `${e.index}:refused`));

describe('thumbnail stream', () => {
  it('gives each record its pixels, in any chunking, and is complete after the last', () => {
    for (const chunk of [1, 7, 1 << 20]) {
      const { events, parser } = read(stream(ppm(16, 10, 5), ppm(3, 16, 6)), chunk);
      assert.deepEqual(summary(events), ['0:16x10:5', '1:3x16:6']);
      assert.ok(parser.complete);
      parser.end();
    }
  });

  it('refuses one record that breaks a pixel rule (too large, malformed, short, empty) and reads the next', () => {
    const tooLarge = ppm(17, 2);
    const malformed = Buffer.from('nofear-pixels 1 1\nP3\n2 2\n255\n1 2 3');
    const short = ppm(4, 4).subarray(0, 40);
    const { events, parser } = read(stream(tooLarge, ppm(2, 2, 1), malformed, short, Buffer.alloc(0), ppm(1, 1, 2)), 5);
    assert.deepEqual(summary(events), ['0:refused', '1:2x2:1', '2:refused', '3:refused', '4:refused', '5:1x1:2']);
    assert.match((events[0] as { reason: string }).reason, /over the limit of 16 x 16/);
    parser.end();
  });

  it('skips a record of one byte more than a thumbnail (the guest cut a flood), and ends at a larger one', () => {
    const cut = Buffer.alloc(maxRecordBytes(SIZE) + 1, 0x41);
    assert.deepEqual(summary(read(stream(cut, ppm(1, 1, 3))).events), ['0:refused', '1:1x1:3']);
    const header = Buffer.from(`nofear-thumbs 1 2\nthumb 0 ${maxRecordBytes(SIZE) + 2}\n`);
    assert.throws(() => read(header), ThumbStreamError);
  });

  it('ends the stream at a broken frame: a bad header, records out of order, bytes after the last, records missing', () => {
    assert.throws(() => read(Buffer.from('nofear-thumbs 2 1\n')), /no valid header/);
    assert.throws(() => read(Buffer.concat([Buffer.from('nofear-thumbs 1 2\n'), record(1, ppm(1, 1))])), /record 1/);
    assert.throws(() => read(Buffer.concat([stream(ppm(1, 1)), Buffer.from('x')])), /after its last record/);
    assert.throws(() => read(Buffer.alloc(100, 0x61)), /too long/);
    const { parser } = read(Buffer.concat([Buffer.from('nofear-thumbs 1 2\n'), record(0, ppm(1, 1))]));
    assert.throws(() => parser.end(), /sent 1 of its 2 records/);
  });
});
