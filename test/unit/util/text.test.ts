import assert from 'node:assert/strict';
import { oneLine, plainText, withoutControls } from '../../../src/util/text.js';

describe('untrusted text made safe to show', () => {
  it('shows C0, DEL and C1 controls as cat -v does, on one line', () => {
    const csi = '\u009b31m';
    const osc = '\x1b]52;c;aGk=\x07';
    assert.equal(oneLine(`red ${csi}x${osc}\nnofear-service: forged`), 'red M-^[31mx^[]52;c;aGk=^G^Jnofear-service: forged');
    assert.equal(oneLine('a\tb\rc\x7f'), 'a^Ib^Mc^?');
    assert.equal(oneLine('\u0085next line'), 'M-^Enext line');
  });

  it('shows Unicode line separators, and keeps other text as it is', () => {
    assert.equal(oneLine('a\u2028b\u2029c'), 'a<U+2028>b<U+2029>c');
    assert.equal(oneLine('ünïcödé ✓ 日本語'), 'ünïcödé ✓ 日本語');
  });

  it("keeps newlines and tabs only when asked (NoFear's own multi-line messages)", () => {
    assert.equal(withoutControls('a\nb\tc\x1b[2J'), 'a^Jb^Ic^[[2J');
    assert.equal(withoutControls('a\nb\tc\x1b[2J', true), 'a\nb\tc^[[2J');
  });

  it('notification text: no markup, bounded', () => {
    assert.equal(plainText('<b>x</b> & \x1b]0;t\x07', 100), '‹b›x‹/b› + ^[]0;t^G');
    assert.equal(plainText('x'.repeat(500)).length, 300);
  });
});
