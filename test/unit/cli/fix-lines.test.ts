// Every command a message names works as written: each fix's command line in src/ is read with the grammar.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLinesIn, fixCommandLines, refusal } from '../../helpers/command-lines.js';

const SRC = fileURLToPath(new URL('../../../src', import.meta.url));

describe('the command lines that messages name', () => {
  it('finds command lines in prose and cuts them where the prose starts', () => {
    assert.deepEqual(commandLinesIn('nofear -v CMD to see every step, or nofear -q CMD'), ['nofear -v CMD', 'nofear -q CMD']);
    assert.deepEqual(commandLinesIn('wait for it, or: nofearctl stop work'), ['nofearctl stop work']);
    assert.deepEqual(commandLinesIn('nofear-open --convert FILE makes a safe PDF'), ['nofear-open --convert FILE']);
  });

  it('refuses what the grammar refuses (the check can fail)', () => {
    assert.match(refusal('nofear-open --save-back always FILE') ?? '', /goes with --edit/);
    assert.match(refusal('nofearctl sotp') ?? '', /did you mean stop/);
    assert.equal(refusal('nofear-open --edit --save-back always FILE'), undefined);
  });

  it('every fix in src/ names a command line the grammar accepts', () => {
    const lines = fixCommandLines(SRC);
    assert.ok(lines.length > 30, `only ${lines.length} fix command lines found: the scan is broken`);
    const refused = lines.flatMap(({ where, lines: variants }) => {
      const whys = variants.map(refusal);
      return whys.includes(undefined) ? [] : [`${path.join('src', where)}: ${variants[0] ?? ''} -> ${whys[0] ?? ''}`];
    });
    assert.deepEqual(refused, []);
  });
});
