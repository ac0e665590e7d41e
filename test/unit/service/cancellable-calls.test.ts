// Calls a caller takes back by its own id (Convert's request option, Manager.Cancel): what is decided in
// src/service/daemon/cancellable-calls.ts, with stand-in sandboxes (the end to end: test/unit/cli/convert-cancel).
import assert from 'node:assert/strict';
import { isNoFearError } from '../../../src/errors.js';
import { CancellableCalls } from '../../../src/service/daemon/cancellable-calls.js';

const ID = '0123456789abcdef0123456789abcdef';

function standIn() {
  let end: () => void = () => {};
  const sandbox = { stops: 0, ended: new Promise<void>((resolve) => (end = resolve)), stop: async () => void sandbox.stops++ };
  return { sandbox, end: () => end() };
}

describe('service/cancellable-calls', () => {
  it('aborts the call and stops its sandboxes, also one that starts after the Cancel', async () => {
    const calls = new CancellableCalls();
    const call = calls.begin(ID);
    const before = standIn();
    call.started(before.sandbox);
    assert.equal(await calls.cancel(ID), true);
    assert.equal(call.signal.aborted, true);
    assert.ok(isNoFearError(call.signal.reason) && /Cancelled by its caller/.test(call.signal.reason.message));
    assert.equal(before.sandbox.stops, 1);
    const after = standIn();
    call.started(after.sandbox);
    await new Promise(setImmediate);
    assert.equal(after.sandbox.stops, 1, 'a sandbox that came after the Cancel is stopped at once');
  });

  it('does nothing for an id no live call has; frees an id once the call replied and its sandboxes ended', async () => {
    const calls = new CancellableCalls();
    assert.equal(await calls.cancel(ID), false);
    const call = calls.begin(ID);
    const one = standIn();
    call.started(one.sandbox);
    call.settled();
    assert.throws(
      () => calls.begin(ID),
      (error) => isNoFearError(error) && error.code === 'InvalidArgument',
      'in use while its sandbox runs',
    );
    one.end();
    await new Promise(setImmediate);
    await new Promise(setImmediate);
    assert.equal(await calls.cancel(ID), false, 'gone once its sandbox ended');
    assert.equal(one.sandbox.stops, 0);
    calls.begin(ID).settled();
  });

  it('refuses an id that is not 16 to 64 lowercase hex digits; a call without one cannot be cancelled', async () => {
    const calls = new CancellableCalls();
    for (const bad of ['', 'abc', 'ABCDEF0123456789', `${ID}${ID}0`, '0123456789abcdeg'])
      assert.throws(
        () => calls.begin(bad),
        (error) => isNoFearError(error) && error.code === 'InvalidArgument',
        bad,
      );
    await assert.rejects(calls.cancel('nope'), (error) => isNoFearError(error) && error.code === 'InvalidArgument');
    const anonymous = calls.begin(undefined);
    anonymous.started(standIn().sandbox);
    assert.equal(anonymous.signal.aborted, false);
  });
});
