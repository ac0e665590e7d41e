// reportBatch: the failures on stderr always, in NoFear's log when there are any, and one desktop
// notification for the whole batch only without a terminal; its status 0, 3 or 125. A real dbus-daemon
// (private) with the stand-in notification server of test/fixtures/nofear-bus-listener.py.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportBatch, stderrIsTerminal } from '../../../src/cli/batch-report.js';
import { handled, type TargetOutcome } from '../../../src/util/batch-outcome.js';
import { startListener, startPrivateBus, type Listener, type PrivateBus } from '../../helpers/private-bus.js';
import { capturedStderr } from '../../helpers/stderr-capture.js';

const LISTENER = fileURLToPath(new URL('../../fixtures/nofear-bus-listener.py', import.meta.url));

describe('cli/batch-report reportBatch', function () {
  this.timeout(30_000); // a dbus-daemon and a Python listener start: seconds on a busy machine
  let dir: string;
  let bus: PrivateBus;
  let listener: Listener;
  let env: NodeJS.ProcessEnv;
  const failedOne: TargetOutcome = { target: '/files/b.bin', kind: 'failed', reason: 'No viewer for application/octet-stream.', fix: 'install one' };
  const notifies = () => listener.records.filter((record) => record.method === 'Notify');
  const log = () => path.join(dir, 'state', 'nofear', 'nofear.log');

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-batch-report-'));
    mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
    bus = await startPrivateBus(dir, {}, { activation: false });
    listener = await startListener(LISTENER, bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications' });
    env = { HOME: dir, XDG_STATE_HOME: path.join(dir, 'state'), XDG_RUNTIME_DIR: path.join(dir, 'run'), DBUS_SESSION_BUS_ADDRESS: bus.address };
  });
  after(async () => {
    await listener?.stop();
    await bus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says nothing, logs nothing and notifies nobody when every target was handled: status 0', async () => {
    const { result, text } = await capturedStderr(() => reportBatch([handled('/files/a.pdf')], { program: 'nofear-open', verb: 'open', env, terminal: false }));
    assert.equal(result, 0);
    assert.equal(text, '');
    assert.equal(existsSync(log()), false);
  });

  it('with a terminal: the failures on stderr and in the log, no notification; then without: one notification', async () => {
    const outcomes = [handled('/files/a.pdf'), failedOne];
    const onTerminal = await capturedStderr(() => reportBatch(outcomes, { program: 'nofear-open', verb: 'open', env, terminal: true }));
    assert.equal(onTerminal.result, 3);
    assert.equal(onTerminal.text, 'nofear-open: /files/b.bin: No viewer for application/octet-stream. Fix: install one\nnofear-open: opened 1 of 2; 1 failed (above).\n');
    assert.match(readFileSync(log(), 'utf8'), /^\S+ nofear-open: \/files\/b\.bin: No viewer .*\n\S+ nofear-open: opened 1 of 2; 1 failed \(above\)\.\n$/);
    const fromDesktop = await capturedStderr(() => reportBatch([failedOne], { program: 'nofear-open', verb: 'convert', env, terminal: false }));
    assert.equal(fromDesktop.result, 125);
    assert.equal(fromDesktop.text, 'nofear-open: /files/b.bin: No viewer for application/octet-stream. Fix: install one\n');
    // The terminal's report would have reached the server first: the first Notify is the desktop one.
    const notice = await listener.waitFor((record) => record.method === 'Notify', 10_000);
    assert.equal(notice.args?.[3], 'NoFear could not convert b.bin');
    assert.equal(notice.args?.[4], '• b.bin: No viewer for application/octet-stream. Fix: install one');
    assert.equal(notifies().length, 1);
  });

  it('reads stderr as a terminal only when it is one', async () => {
    assert.equal((await capturedStderr(() => stderrIsTerminal(), true)).result, true);
    assert.equal((await capturedStderr(() => stderrIsTerminal(), false)).result, false);
  });
});
