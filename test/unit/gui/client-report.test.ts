// The client wrapper's report lines cross from a process that parses the guest's stream: only the
// exact forms are believed.
import assert from 'node:assert/strict';
import { parseClientReport } from '../../../src/gui/client.js';

describe('gui/parseClientReport', () => {
  it('reads attached, no-display, and window or unmapped with an X id', () => {
    assert.deepEqual(parseClientReport('attached'), { kind: 'attached' });
    assert.deepEqual(parseClientReport('no-display'), { kind: 'no-display' });
    assert.deepEqual(parseClientReport('window 0x40000a'), { kind: 'window', xid: 0x40000a });
    assert.deepEqual(parseClientReport('unmapped 0xffffffff'), { kind: 'unmapped', xid: 0xffffffff });
  });

  it('believes nothing else: other words, spacing, case, ids too long or not hex', () => {
    for (const line of ['', 'attached ', 'Attached', 'window 0x', 'window 0x123456789', 'window 0xABC', 'window  0x1', 'window 12', 'no-display\x1b[2J']) {
      assert.deepEqual(parseClientReport(line), { kind: 'invalid' }, JSON.stringify(line));
    }
  });
});
