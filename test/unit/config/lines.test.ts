// Where a config.ini entry is: the line of each section and key as an editor numbers it, the last of a
// repeated key (the one `ini` keeps), and its raw value without an inline comment.
import assert from 'node:assert/strict';
import { LineIndex } from '../../../src/config/lines.js';

const TEXT = ['top = 1', '; a comment', '', '[vm]', 'memory = 2G ; the guest RAM', 'cpus=2', '[ "gui" ]', 'border # colour', '[vm]', 'memory = 4G', '[a\\.b]', 'list[] = x', "'quoted' = 'v'"].join(
  '\r\n',
);

describe('LineIndex (config.ini line numbers)', () => {
  const index = new LineIndex(TEXT);

  it('numbers sections and keys as an editor does, counting comments and blank lines', () => {
    assert.equal(index.keyLine('', 'top')?.line, 1);
    assert.equal(index.sectionLine('vm'), 4);
    assert.deepEqual(index.keyLine('vm', 'cpus'), { line: 6, rawValue: '2' });
  });

  it('points at the last of a repeated key, and at the first header of a repeated section', () => {
    assert.deepEqual(index.keyLine('vm', 'memory'), { line: 10, rawValue: '4G' });
    assert.equal(index.sectionLine('vm'), 4);
  });

  it('drops an inline comment from the value, and gives a bare key no value', () => {
    assert.deepEqual(new LineIndex('[vm]\nmemory = 2G ; the guest RAM').keyLine('vm', 'memory'), { line: 2, rawValue: '2G' });
    assert.deepEqual(index.keyLine('gui', 'border # colour'), { line: 8, rawValue: undefined });
  });

  it('normalises names as ini does: quotes and spaces off, "[]" off a list key, an escaped dot kept as a dot', () => {
    assert.equal(index.sectionLine('gui'), 7);
    assert.equal(index.sectionLine('a.b'), 11);
    assert.deepEqual(index.keyLine('a.b', 'list'), { line: 12, rawValue: 'x' });
    assert.deepEqual(index.keyLine('a.b', 'quoted'), { line: 13, rawValue: "'v'" });
  });

  it('knows nothing of sections and keys that are not there', () => {
    assert.equal(index.sectionLine('open'), undefined);
    assert.equal(index.keyLine('vm', 'disk'), undefined);
    assert.equal(index.keyLine('gui', 'memory'), undefined);
  });
});
