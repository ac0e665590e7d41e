// The notice shapes open's and convert's notifications share (src/service/bus/notifications.ts): one in place
// of the last, and the progress notice with its Stop button.
import assert from 'node:assert/strict';
import { progressNotice, replacing, STOP_ACTION } from '../../../src/service/bus/notifications.js';

describe('notifications: the shared notice shapes', () => {
  it('replaces the notification shown before, or shows a new one when there was none', () => {
    assert.deepEqual(replacing({ summary: 's', body: 'b' }, 7), { summary: 's', body: 'b', replacesId: 7 });
    assert.deepEqual(replacing({ summary: 's', body: 'b' }, undefined), { summary: 's', body: 'b' });
    assert.equal('replacesId' in replacing({ summary: 's', body: 'b' }, undefined), false, 'no replacesId key: a new notification');
  });

  it('makes a progress notice persistent, with the Stop button', () => {
    assert.deepEqual(progressNotice('Opening a.pdf safely', 'Starting a throwaway VM… 3 s', 4), {
      summary: 'Opening a.pdf safely',
      body: 'Starting a throwaway VM… 3 s',
      actions: [[STOP_ACTION, 'Stop']],
      persistent: true,
      replacesId: 4,
    });
  });
});
