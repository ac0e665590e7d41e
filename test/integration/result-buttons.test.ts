// The batch notification of `nofear-open --convert` started from a file manager, with its buttons, on a
// real private dbus-daemon: a recording stand-in for the notification server (it sends ActionInvoked when
// told, as a user's click would) and for the file manager (FileManager1.ShowItems recorded). Several safe
// PDFs get Show in folder, which shows them all selected; one gets Open too, which starts the previous
// default PDF viewer natively (mupdf on Xvfb, pinned for the tests: a real window, not NoFear's); the wait
// also ends by its deadline and when the bus goes. No VM: the safe PDFs are the demo's sample PDF.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers/cli.js';
import { pressNotificationButton, startListener, startPrivateBus, type BusRecord, type Listener, type PrivateBus } from '../helpers/private-bus.js';
import { startXvfb, waitForWindow, windowName, type Display } from '../helpers/xvfb.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { notifyWithResultButtons } from '../../src/service/bus/result-notice.js';

/** mupdf processes on the host showing `file`: their pids, to end them. */
function viewersOf(file: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv.includes(file) && path.basename(argv[0] ?? '').startsWith('mupdf');
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("nofear-open --convert from a file manager: the notification's Open and Show in folder (private bus, Xvfb)", function () {
  let dir: string;
  let x: Display;
  let bus: PrivateBus;
  let server: Listener;
  let env: NodeJS.ProcessEnv;
  /** The stand-in numbers its notifications 1, 2, ... in the order they are shown (replaces_id 0). */
  const shownNotifies = () => server.records.filter((r) => r.method === 'Notify').length;
  const invoke = (id: number, action: string) => pressNotificationButton(bus.address, id, action);
  const notifiedAt = (count: number) => (record: BusRecord) => record.method === 'Notify' && server.records.filter((r) => r.method === 'Notify').indexOf(record) === count - 1;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-result-buttons-'));
    x = await startXvfb();
    bus = await startPrivateBus(dir, {}, { activation: false });
    server = await startListener(path.join(ROOT, 'test', 'fixtures', 'nofear-bus-listener.py'), bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications,org.freedesktop.FileManager1' });
    env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus.address, DISPLAY: x.display };
  });
  after(async () => {
    await server?.stop();
    await bus?.stop();
    await x?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('several safe PDFs: Show in folder only, which shows them all selected through FileManager1', async () => {
    const outputs = ['a.safe.pdf', 'b.safe.pdf'].map((name) => path.join(dir, name));
    const waiting = notifyWithResultButtons(env, { summary: 'NoFear converted 2 files (2 pages)', body: 'Safe PDFs made from their pixels.' }, outputs);
    const id = shownNotifies() + 1;
    const shown = await server.waitFor(notifiedAt(id), 10_000);
    assert.equal(shown.args?.[3], 'NoFear converted 2 files (2 pages)');
    assert.deepEqual(shown.args?.[5], ['show-in-folder', 'Show in folder']);
    await invoke(id + 1, 'show-in-folder'); // another notification's button: not this one's
    await invoke(id, 'show-in-folder');
    const items = await server.waitFor((r) => r.method === 'ShowItems', 10_000);
    assert.deepEqual(items.args, [outputs.map((file) => pathToFileURL(file).href), '']);
    assert.equal(await waiting, 'acted', 'the program stops waiting once the button is done');
    assert.equal(server.records.filter((r) => r.method === 'ShowItems').length, 1, 'the other id was not obeyed');
  });

  it('one safe PDF: Open starts the previous default PDF viewer natively, its own window (not NoFear, not xdg-open)', async () => {
    const safe = path.join(dir, 'report.safe.pdf');
    writeFileSync(safe, samplePdf());
    const waiting = notifyWithResultButtons(env, { summary: 'report.safe.pdf is ready', body: 'A safe PDF made from its pixels (1 page).' }, [safe]);
    const id = shownNotifies() + 1;
    const shown = await server.waitFor(notifiedAt(id), 10_000);
    assert.deepEqual(shown.args?.[5], ['open', 'Open', 'show-in-folder', 'Show in folder']);
    await invoke(id, 'open');
    try {
      assert.equal(await waiting, 'acted');
      const window = await waitForWindow(x.display, 'report\\.safe\\.pdf', 60_000);
      assert.doesNotMatch(await windowName(x.display, window), /NoFear/, "mupdf's own window, without NoFear's title");
      assert.ok(viewersOf(safe).length > 0, 'mupdf runs on the host with the safe PDF');
    } finally {
      for (const pid of viewersOf(safe)) process.kill(pid, 'SIGTERM');
    }
  });

  it('a button pressed before the Notify reply was read is still heard (the signal can come in the same read)', async () => {
    const opened: string[] = [];
    const hands = () => ({ previousDefaultFor: async () => undefined, launchNative: async () => [], showItems: async (uris: readonly string[]) => void opened.push(...uris) });
    for (let round = 0; round < 5; round++) {
      const file = path.join(dir, `at-once-${round}.safe.pdf`);
      const end = await notifyWithResultButtons(env, { summary: 'press-at-once:show-in-folder', body: '' }, [file, `${file}.2`], { waitMs: 20_000, hands });
      assert.equal(end, 'acted', `round ${round}: the press was lost`);
      assert.equal(opened.at(-2), pathToFileURL(file).href);
    }
  });

  it('ends by its deadline when nobody presses, and at once when the bus goes', async () => {
    const safe = path.join(dir, 'report.safe.pdf');
    assert.equal(await notifyWithResultButtons(env, { summary: 'report.safe.pdf is ready', body: '' }, [safe], { waitMs: 500 }), 'timed-out');
    const before = shownNotifies();
    const waiting = notifyWithResultButtons(env, { summary: 'report.safe.pdf is ready', body: '' }, [safe]);
    await server.waitFor(notifiedAt(before + 1), 10_000);
    await bus.stop();
    assert.equal(await waiting, 'bus-gone');
  });
});
