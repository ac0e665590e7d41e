// The phases line of NOFEAR_PHASES=1 (src/util/phases.ts): each phase is the time since the mark before
// it, the first since the process started; the benchmark parses the line back by these words.
import assert from 'node:assert/strict';
import { formatPhases } from '../../../src/util/phases.js';

describe('util/phases: formatPhases', () => {
  it('gives each phase the time since the mark before it, the first since the start', () => {
    const line = formatPhases([
      { name: 'node start + imports', at: 250 },
      { name: 'probes (jail + seccomp)', at: 400 },
      { name: 'clean-up', at: 1400.5 },
    ]);
    assert.equal(line, 'node start + imports 0.250 s, probes (jail + seccomp) 0.150 s, clean-up 1.000 s');
  });

  it('is empty with no marks', () => {
    assert.equal(formatPhases([]), '');
  });
});
