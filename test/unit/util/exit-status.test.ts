// The exit-status convention: 128+N for a death by signal N, 125 for NoFear's own failure, 143 for a stop.
import assert from 'node:assert/strict';
import { NOFEAR_FAILURE, STOPPED_STATUS, signalStatus } from '../../../src/util/exit-status.js';

describe('util/exit-status', () => {
  it('reads a death by signal as 128 + its number', () => {
    assert.equal(signalStatus('SIGTERM'), 143);
    assert.equal(signalStatus('SIGINT'), 130);
    assert.equal(signalStatus('SIGKILL'), 137);
    assert.equal(signalStatus('SIGNOTREAL' as NodeJS.Signals), 128, 'a name the system does not know');
  });

  it('uses 125 for NoFear itself and SIGTERM’s status for a stop on request', () => {
    assert.equal(NOFEAR_FAILURE, 125);
    assert.equal(STOPPED_STATUS, 143);
  });
});
