// The pixel stream's rules, table by table: a valid stream in any chunking gives its pages' bytes in
// order; every broken rule is refused with its own name, at the first byte that breaks it.
import assert from 'node:assert/strict';
import { PixelStreamError, type PixelViolation } from '../../../src/convert/errors.js';
import type { PixelLimits } from '../../../src/convert/limits.js';
import { PixelStreamParser, type PixelEvent } from '../../../src/convert/pixel-stream.js';

const LIMITS: PixelLimits = { maxPages: 3, maxSide: 100, maxTotalBytes: 3 * 100 * 100 * 3 };

const page = (width: number, height: number, fill = 7) => Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`), Buffer.alloc(width * height * 3, fill)]);
const doc = (pages: number) => Buffer.from(`nofear-pixels 1 ${pages}\n`);

/** Feeds the stream in chunks of `size` bytes; returns the events and what end() says. */
function run(stream: Buffer, size: number, limits = LIMITS): { events: PixelEvent[]; pixels: Buffer } {
  const parser = new PixelStreamParser(limits);
  const events: PixelEvent[] = [];
  for (let at = 0; at < stream.length; at += size) events.push(...parser.push(stream.subarray(at, at + size)).map((e) => (e.kind === 'pixels' ? { ...e, data: Buffer.from(e.data) } : e)));
  parser.end();
  const pixels = Buffer.concat(events.flatMap((e) => (e.kind === 'pixels' ? [e.data] : [])));
  return { events: events.filter((e) => e.kind !== 'pixels'), pixels };
}

function refusal(stream: Buffer, size = 1 << 20, limits = LIMITS): PixelViolation | undefined {
  try {
    run(stream, size, limits);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof PixelStreamError, String(error));
    assert.match(error.message, new RegExp(`\\(${error.violation}\\); the conversion was stopped and nothing was written\\.$`));
    return error.violation;
  }
}

describe('convert/pixel-stream', () => {
  const valid = Buffer.concat([doc(2), page(3, 2, 1), page(1, 1, 2)]);

  for (const size of [1, 2, 7, 19, 64, valid.length]) {
    it(`reads a valid two-page stream in chunks of ${size} bytes`, () => {
      const { events, pixels } = run(valid, size);
      assert.deepEqual(events, [
        { kind: 'document', pages: 2 },
        { kind: 'page', index: 0, width: 3, height: 2 },
        { kind: 'page-end', index: 0 },
        { kind: 'page', index: 1, width: 1, height: 1 },
        { kind: 'page-end', index: 1 },
      ]);
      assert.deepEqual(pixels, Buffer.concat([Buffer.alloc(18, 1), Buffer.alloc(3, 2)]));
    });
  }

  const cases: ReadonlyArray<[string, Buffer, PixelViolation, PixelLimits?]> = [
    ['no bytes at all', Buffer.alloc(0), 'BadHeader'],
    ['another first line', Buffer.from('%PDF-1.4\n'), 'BadHeader'],
    ['a first line that never ends', Buffer.alloc(100, 0x41), 'BadHeader'],
    ['a version it does not know', Buffer.from('nofear-pixels 2 1\n'), 'BadHeader'],
    ['a page count with a sign', Buffer.from('nofear-pixels 1 +1\n'), 'BadHeader'],
    ['no pages', doc(0), 'NoPages'],
    ['more pages than the limit', doc(4), 'TooManyPages'],
    ['pages beyond any number', Buffer.from('nofear-pixels 1 99999999999\n'), 'BadHeader'],
    ['a 16-bit page', Buffer.concat([doc(1), Buffer.from('P6\n1 1\n65535\n')]), 'BadHeader'],
    ['a grey page (P5)', Buffer.concat([doc(1), Buffer.from('P5\n1 1\n255\n')]), 'BadHeader'],
    ['a PPM comment', Buffer.concat([doc(1), Buffer.from('P6\n# hi\n1 1\n255\n')]), 'BadHeader'],
    ['a zero width', Buffer.concat([doc(1), Buffer.from('P6\n0 1\n255\n')]), 'BadHeader'],
    ['100000 x 100000 pixels', Buffer.concat([doc(1), Buffer.from('P6\n100000 100000\n255\n')]), 'PageTooLarge'],
    ['one side over the limit', Buffer.concat([doc(1), Buffer.from('P6\n101 1\n255\n')]), 'PageTooLarge'],
    [
      'more bytes in all than the limit',
      Buffer.concat([doc(3), page(100, 100), page(100, 100), Buffer.from('P6\n100 100\n255\n')]),
      'TooManyBytes',
      { ...LIMITS, maxTotalBytes: 2 * 100 * 100 * 3 + 1 },
    ],
    ['a page cut short', Buffer.concat([doc(1), page(3, 2).subarray(0, -1)]), 'TruncatedPage'],
    ['a page header cut short', Buffer.concat([doc(2), page(1, 1), Buffer.from('P6\n1 ')]), 'MissingPages'],
    ['fewer pages than announced', Buffer.concat([doc(2), page(1, 1)]), 'MissingPages'],
    ['a page more than announced', Buffer.concat([doc(1), page(1, 1), page(1, 1)]), 'UnannouncedData'],
    ['one byte after the last page', Buffer.concat([doc(1), page(1, 1), Buffer.from('\n')]), 'UnannouncedData'],
  ];
  for (const [what, stream, violation, limits] of cases) {
    it(`refuses ${what}: ${violation}`, () => {
      assert.equal(refusal(stream, 1 << 20, limits), violation);
      assert.equal(refusal(stream, 1, limits), violation, 'the same, byte by byte');
    });
  }

  it('refuses a page too large at its header, before a single pixel of it is handed on', () => {
    const parser = new PixelStreamParser(LIMITS);
    assert.deepEqual(parser.push(doc(1)), [{ kind: 'document', pages: 1 }]);
    assert.throws(
      () => parser.push(Buffer.concat([Buffer.from('P6\n100000 100000\n255\n'), Buffer.alloc(1000)])),
      (e: unknown) => e instanceof PixelStreamError && e.violation === 'PageTooLarge' && e.code === 'LimitReached',
    );
  });

  it('hands pixels on as slices of the chunk (nothing kept)', () => {
    const parser = new PixelStreamParser(LIMITS);
    const chunk = Buffer.concat([doc(1), page(2, 2, 9)]);
    const pixels = parser.push(chunk).find((e) => e.kind === 'pixels');
    assert.ok(pixels?.kind === 'pixels' && pixels.data.buffer === chunk.buffer);
    assert.equal(parser.complete, true);
  });
});
