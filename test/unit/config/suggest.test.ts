// "Did you mean ...?": the closest name within two edits (a swap of neighbours is one), case slips free,
// never a guess for a name that is mostly typo.
import assert from 'node:assert/strict';
import { closest } from '../../../src/config/suggest.js';

const SECTIONS = ['vm', 'gui', 'open', 'links', 'trust', 'convert'];

describe('closest (did you mean)', () => {
  it('finds a name one or two edits away, whatever its case', () => {
    assert.equal(closest('covnert', SECTIONS), 'convert'); // a swap of neighbours: one edit
    assert.equal(closest('GUI', SECTIONS), 'gui');
    assert.equal(closest('lnks', SECTIONS), 'links');
    assert.equal(closest('trusty', SECTIONS), 'trust');
    assert.equal(closest('opn_', SECTIONS), 'open'); // two edits
  });

  it('keeps the candidate as written, and picks the nearest of several', () => {
    assert.equal(closest('memory', ['Memory_MiB', 'memry', 'memoryy']), 'memry');
    assert.equal(closest('cpu', ['CPUs', 'gpu']), 'CPUs');
  });

  it('suggests nothing three edits away, nor when the edits would replace most of a short name', () => {
    assert.equal(closest('display', SECTIONS), undefined);
    assert.equal(closest('xy', ['vm']), undefined); // two edits for a two-letter name
    assert.equal(closest('x', ['vm', 'gui']), undefined);
    assert.equal(closest('anything', []), undefined);
  });
});
