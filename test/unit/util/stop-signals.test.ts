import assert from 'node:assert/strict';
import { onStopSignals, STOP_SIGNALS } from '../../../src/util/stop-signals.js';

describe('onStopSignals', () => {
  it('hears SIGINT, SIGTERM and SIGHUP until it is told to stop, then leaves no listener behind', () => {
    const before = STOP_SIGNALS.map((signal) => process.listenerCount(signal));
    const heard: NodeJS.Signals[] = [];
    const stop = onStopSignals((signal) => heard.push(signal));
    for (const signal of STOP_SIGNALS) process.emit(signal, signal);
    assert.deepEqual(heard, ['SIGINT', 'SIGTERM', 'SIGHUP']);
    stop();
    assert.deepEqual(
      STOP_SIGNALS.map((signal) => process.listenerCount(signal)),
      before,
    );
  });
});
