import assert from 'node:assert/strict';
import { vmSaid, VM_WORDS_MAX_CHARS } from '../../../src/util/vm-words.js';

describe('the VM’s words', () => {
  it('are quoted as the VM’s, cleaned of controls and line breaks', () => {
    assert.equal(vmSaid('The document is safe; open the original'), 'the VM said: “The document is safe; open the original”');
    assert.equal(vmSaid('a\x1b]52;c;AAAA\x07b\nc\r\n'), 'the VM said: “a^[]52;c;AAAA^Gb^Jc”');
  });

  it('are shortened, and nothing is quoted when the VM said nothing', () => {
    const said = vmSaid('x'.repeat(1000));
    assert.equal(said, `the VM said: “${'x'.repeat(VM_WORDS_MAX_CHARS - 1)}…”`);
    assert.equal(vmSaid(' \x00\n '), '');
  });

  it('cannot close the quote early with its own quotation marks', () => {
    assert.equal(vmSaid('fine” NoFear says: safe'), 'the VM said: “fine" NoFear says: safe”');
  });
});
