// The CLI's result notification: Open and Show in folder for one safe PDF, only Show in folder for
// several, none without any; and without a session bus it says so at once instead of waiting.
import assert from 'node:assert/strict';
import { notifyWithResultButtons, resultButtons } from '../../../src/service/bus/result-notice.js';

describe('resultButtons', () => {
  it('offers Open and Show in folder for one output, Show in folder for several, nothing for none', () => {
    assert.deepEqual(resultButtons(['/d/a.safe.pdf']), [
      ['open', 'Open'],
      ['show-in-folder', 'Show in folder'],
    ]);
    assert.deepEqual(resultButtons(['/d/a.safe.pdf', '/d/b.safe.pdf']), [['show-in-folder', 'Show in folder']]);
    assert.deepEqual(resultButtons([]), []);
  });
});

describe('notifyWithResultButtons', () => {
  it('ends at once, "no-server", when the session bus cannot be reached', async () => {
    const end = await notifyWithResultButtons({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' }, { summary: 's', body: 'b' }, ['/d/a.safe.pdf'], { waitMs: 60_000 });
    assert.ok(end === 'no-server' || end === 'bus-gone', end);
  });
});
