import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { DeflatePump } from '../../../src/convert/deflate-pump.js';
import { PngPageWriter } from '../../../src/convert/png-writer.js';

describe('convert/deflate-pump', () => {
  it('hands on the deflated bytes of everything written, in order, with back-pressure from a slow sink', async () => {
    const parts: Buffer[] = [];
    const pump = new DeflatePump(1, async (data) => void parts.push(Buffer.from(data)), 'the test stream');
    const input = Buffer.from(Array.from({ length: 1024 * 1024 }, (_, i) => (i * 7919) % 251));
    for (let at = 0; at < input.length; at += 65536) await pump.write(input.subarray(at, at + 65536));
    await pump.finish();
    assert.deepEqual(zlib.inflateSync(Buffer.concat(parts)), input);
  });

  it('fails a write once its sink has failed, instead of waiting for a drain that never comes', async () => {
    const pump = new DeflatePump(1, () => Promise.reject(new Error('disk full')), 'the test stream');
    const noise = Buffer.from(Array.from({ length: 1024 * 1024 }, () => Math.floor(Math.random() * 256)));
    await assert.rejects(
      (async () => {
        for (let i = 0; i < 64; i++) await pump.write(noise);
        await pump.finish();
      })(),
      /disk full|ended while it was written/,
    );
    pump.abort();
  });

  it('feeds the PNG writer: its IDAT chunks inflate to the rows, each after filter byte 0', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nofear-png-'));
    try {
      const file = path.join(dir, 'page.png');
      const png = await PngPageWriter.create(file, 3, 2, 300);
      const pixels = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
      await png.write(pixels.subarray(0, 5));
      await png.write(pixels.subarray(5));
      await png.finish();
      const bytes = readFileSync(file);
      const idat: Buffer[] = [];
      for (let at = 8; at < bytes.length;) {
        const length = bytes.readUInt32BE(at);
        if (bytes.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
        at += 12 + length;
      }
      assert.deepEqual(zlib.inflateSync(Buffer.concat(idat)), Buffer.concat([Buffer.from([0]), pixels.subarray(0, 9), Buffer.from([0]), pixels.subarray(9)]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
