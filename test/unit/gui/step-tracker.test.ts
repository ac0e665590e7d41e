// The steps a sandbox reached on its way to a window: each counted once, with its time from the start, the
// window's id kept, and every listener told of each new step in order.
import assert from 'node:assert/strict';
import { StepTracker, type LaunchStep } from '../../../src/gui/step-tracker.js';

describe('gui/step-tracker', () => {
  it('records each step once with its time since the start, keeps the window, and tells every listener', () => {
    const tracker = new StepTracker(new Date(Date.now() - 1000));
    const heard: LaunchStep[][] = [[], []];
    tracker.listen((step) => heard[0]?.push(step));
    tracker.listen((step) => heard[1]?.push(step));
    assert.equal(tracker.step, 'booting');
    tracker.reach('server');
    tracker.reach('attached');
    tracker.reach('window', { xid: 0x2a });
    tracker.reach('server'); // a step reached again is not news
    assert.equal(tracker.step, 'window');
    assert.equal(tracker.windowId, 0x2a);
    assert.deepEqual(heard, [
      ['server', 'attached', 'window'],
      ['server', 'attached', 'window'],
    ]);
    assert.deepEqual(Object.keys(tracker.steps), ['booting', 'server', 'attached', 'window']);
    assert.ok((tracker.steps.server ?? 0) >= 1000, 'times are counted from the start');
  });
});
