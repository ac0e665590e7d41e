// The notice shapes open's and convert's notifications share (src/service/bus/notifications.ts): one in place
// of the last, and the progress notice with its Stop button; a one-off notification where no bus listens.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { notifyOnce, progressNotice, replacing, STOP_ACTION } from '../../../src/service/bus/notifications.js';

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

  it("tells nobody, at once, when no bus listens at the address (not after the call's 2 s deadline)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nofear-notify-'));
    try {
      const started = Date.now();
      assert.equal(await notifyOnce({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(dir, 'bus')}` }, 'NoFear', 'nobody hears this'), false);
      const took = Date.now() - started;
      assert.ok(took < 1500, `waited ${took} ms for a bus that is not there`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
