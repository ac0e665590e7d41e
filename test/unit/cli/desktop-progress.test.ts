// nofear-open's own progress notification (no service between): none without a session bus; with one (a
// private dbus-daemon and the stand-in notification server), a notice per open that goes at the window.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_PROGRESS, desktopProgress } from '../../../src/cli/desktop-progress.js';
import { startListener, startPrivateBus, type Listener, type PrivateBus } from '../../helpers/private-bus.js';

const LISTENER = fileURLToPath(new URL('../../fixtures/nofear-bus-listener.py', import.meta.url));

describe('cli/desktop-progress', function () {
  this.timeout(30_000); // a dbus-daemon and a Python listener start: seconds on a busy machine
  let dir: string;
  let bus: PrivateBus;
  let listener: Listener;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-desktop-progress-'));
    bus = await startPrivateBus(dir, {}, { activation: false });
    listener = await startListener(LISTENER, bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications' });
  });
  after(async () => {
    await listener?.stop();
    await bus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows nothing without a session bus', () => {
    assert.equal(desktopProgress({}, undefined), NO_PROGRESS);
  });

  it('shows a notice for an open and closes it at the window', async () => {
    const progress = desktopProgress({ DBUS_SESSION_BUS_ADDRESS: bus.address }, 20_000);
    const followed = progress.follow('/files/report.pdf', async () => undefined);
    const shown = await listener.waitFor((record) => record.method === 'Notify', 10_000);
    assert.match(JSON.stringify(shown.args), /report\.pdf/);
    followed.stepped('window');
    await listener.waitFor((record) => record.method === 'CloseNotification', 10_000);
    await progress.close();
  });
});
