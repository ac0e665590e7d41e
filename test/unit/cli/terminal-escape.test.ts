import assert from 'node:assert/strict';
import { ControlEscaper } from '../../../src/cli/terminal-escape.js';

/** Escapes the chunks in order, as they would arrive from the guest, and the stream's end. */
function escape(...chunks: (string | Buffer)[]): string {
  const escaper = new ControlEscaper();
  const out = chunks.map((chunk) => escaper.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)));
  return Buffer.concat([...out, escaper.end()]).toString('latin1');
}

const utf8 = (text: string) => Buffer.from(text).toString('latin1');

describe('guest output on a terminal (ControlEscaper)', () => {
  it('shows OSC 52 (clipboard) and OSC 0 (title) as cat -v does, so the terminal obeys neither', () => {
    assert.equal(escape('\x1b]52;c;ZXZpbA==\x07'), '^[]52;c;ZXZpbA==^G');
    assert.equal(escape('\x1b]0;title\x07'), '^[]0;title^G');
    assert.equal(escape('\x1b[31mred\x1b[0m'), '^[[31mred^[[0m');
  });

  it('keeps newline, tab and carriage return, and escapes every other C0 control and DEL', () => {
    assert.equal(escape('a\tb\r\nc\n'), 'a\tb\r\nc\n');
    assert.equal(escape('\x00\x08\x0b\x0c\x1f\x7f'), '^@^H^K^L^_^?');
  });

  it('escapes C1 controls, encoded in UTF-8 (U+009B, CSI) or as raw bytes, even split across chunks', () => {
    assert.equal(escape(Buffer.from([0xc2, 0x9b]), '31m'), 'M-^[31m');
    assert.equal(escape(Buffer.from([0xc2]), Buffer.from([0x9d]), '0;x', Buffer.from([0xc2, 0x9c])), 'M-^]0;xM-^\\');
    assert.equal(escape(Buffer.from([0x9b, 0x41])), 'M-^[A');
  });

  it('passes UTF-8 text byte for byte, also when its sequences are split, and continuation bytes that look like C1', () => {
    const text = 'déjà vu, 3 € ‛quoted’ 😀 \u00a0';
    assert.equal(escape(text), utf8(text));
    const bytes = Buffer.from(text);
    assert.equal(escape(...[...bytes].map((byte) => Buffer.from([byte]))), utf8(text), 'one byte per chunk');
  });

  it('passes broken UTF-8 as it is, and a lone 0xC2 at the end', () => {
    assert.equal(escape(Buffer.from([0xff, 0xe9, 0x41, 0xc2])), '\xff\xe9A\xc2');
    assert.equal(escape(Buffer.from([0xc2, 0xc2, 0x9b])), '\xc2M-^[');
    assert.equal(escape(Buffer.from([0xe2, 0x1b])), '\xe2^[', 'a control inside a broken sequence is still escaped');
  });
});
