// When the bus-activated service may leave (src/service/daemon/lifetime.ts): idle_exit seconds after the last hold,
// never while a sandbox or a call holds it. Node's mock timers stand in for the clock (a real wait of
// idle_exit seconds would only make the test slow); the holds and the rearm logic are the real ones.
import assert from 'node:assert/strict';
import { mock } from 'node:test';
import { IdleExit } from '../../../src/service/daemon/lifetime.js';

describe('service/lifetime: IdleExit', () => {
  let idled: number[];
  let seconds: number;
  const idle = (enabled = true) =>
    new IdleExit(
      enabled,
      () => seconds,
      (s) => idled.push(s),
    );

  beforeEach(() => {
    idled = [];
    seconds = 30;
    mock.timers.enable(['setTimeout']); // clearTimeout comes with it (Node 18 refuses to be told so)
  });
  afterEach(() => mock.timers.reset());

  it('leaves idle_exit seconds after start when nothing holds it, not a moment before', () => {
    const exit = idle();
    exit.start();
    mock.timers.tick(29_999);
    assert.deepEqual(idled, []);
    mock.timers.tick(1);
    assert.deepEqual(idled, [30]);
  });

  it('never leaves before start, after stop, when disabled, or when idle_exit is 0', () => {
    idle(); // never started
    const stopped = idle();
    stopped.start();
    stopped.stop();
    idle(false).start();
    seconds = 0;
    idle().start();
    mock.timers.tick(3_600_000);
    assert.deepEqual(idled, []);
  });

  it('stays while a hold is held, and counts the delay again from its release; a second release does nothing', () => {
    const exit = idle();
    exit.start();
    mock.timers.tick(20_000);
    const release = exit.hold();
    mock.timers.tick(3_600_000);
    assert.deepEqual(idled, []);
    release();
    mock.timers.tick(29_000);
    const other = exit.hold();
    release(); // already released: must not drop the other hold
    mock.timers.tick(3_600_000);
    assert.deepEqual(idled, []);
    other();
    mock.timers.tick(30_000);
    assert.deepEqual(idled, [30]);
  });

  it('holds during work, and releases when the work fails too', async () => {
    const exit = idle();
    exit.start();
    let during = 0;
    await exit.during(async () => {
      mock.timers.tick(60_000);
      during = idled.length;
    });
    await assert.rejects(
      exit.during(async () => {
        throw new Error('the call failed');
      }),
      /the call failed/,
    );
    assert.equal(during, 0);
    mock.timers.tick(30_000);
    assert.deepEqual(idled, [30]);
  });

  it('reads idle_exit each time it arms: a reloaded setting applies at rearm', () => {
    const exit = idle();
    exit.start();
    seconds = 5;
    exit.rearm();
    mock.timers.tick(5_000);
    assert.deepEqual(idled, [5]);
  });
});
