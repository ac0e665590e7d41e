// shellWord: a word a person pastes into a POSIX shell comes back as the same single word. Checked by a real sh.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { shellWord } from '../../../src/util/shell-word.js';

describe('util/shell-word', () => {
  it('leaves a plain word as it is', () => {
    for (const word of ['nofearctl', '/home/me/report.pdf', 'a=b,c:d@e%f+g', '-v']) assert.equal(shellWord(word), word);
  });

  it('quotes a word with spaces, quotes, globs or shell syntax, and the empty word', () => {
    assert.equal(shellWord('my file.pdf'), "'my file.pdf'");
    assert.equal(shellWord("it's"), "'it'\\''s'");
    assert.equal(shellWord(''), "''");
    assert.equal(shellWord('*'), "'*'");
  });

  it('survives a real shell as exactly one unchanged argument', () => {
    const words = ['it\'s a "file"', '$(touch /tmp/x) `id` ;|&', 'new\nline', '~user', ' lead and trail ', '*?[a]'];
    const line = `printf '%s\\0' ${words.map(shellWord).join(' ')}`;
    const printed = execFileSync('sh', ['-c', line], { encoding: 'utf8' });
    assert.deepEqual(printed.split('\0').slice(0, -1), words);
  });
});
