// The safe PDF's notification and its buttons: Open and Show in folder offered with the result (not with
// the progress or a failure), heard for that notification only and until it is closed; Open starts the
// previous default for PDFs, Show in folder asks FileManager1 and, where nothing answers, opens the folder
// in the previous default for folders; a failure is told, never thrown into the service.
import assert from 'node:assert/strict';
import { conversionNotice } from '../../../src/service/daemon/convert-notices.js';
import type { ActionListener, ClosedListener, Notice, Notifications } from '../../../src/service/bus/notifications.js';
import { resultActions, type DesktopHands } from '../../../src/service/bus/result-actions.js';
import type { NativeApp } from '../../../src/integrate/previous-default.js';
import type { ConvertResult } from '../../../src/convert/convert-file.js';

const app = (id: string) => ({ id, entry: {}, origin: 'test' }) as unknown as NativeApp;

function hands(options: { fileManager: boolean; apps: Record<string, string> }) {
  const calls: string[] = [];
  const desktop: DesktopHands = {
    previousDefaultFor: async (mime) => (options.apps[mime] === undefined ? undefined : app(options.apps[mime])),
    launchNative: async (chosen, files) => void calls.push(`launch ${chosen.id} ${files.join(' ')}`),
    showItems: async (uris) => {
      if (!options.fileManager) throw new Error('org.freedesktop.DBus.Error.ServiceUnknown');
      calls.push(`ShowItems ${uris.join(' ')}`);
    },
  };
  return { calls, actions: resultActions(desktop) };
}

/** A notification server in memory: what was shown, and the signals a test sends. */
class FakeNotifications {
  shown: Notice[] = [];
  actions = new Set<ActionListener>();
  closed = new Set<ClosedListener>();
  async show(notice: Notice) {
    this.shown.push(notice);
    return notice.replacesId ?? this.shown.length;
  }
  async onAction(listener: ActionListener) {
    this.actions.add(listener);
  }
  offAction(listener: ActionListener) {
    this.actions.delete(listener);
  }
  async onClosed(listener: ClosedListener) {
    this.closed.add(listener);
    return () => this.closed.delete(listener);
  }
  invoke(id: number, action: string) {
    for (const heard of [...this.actions]) heard(id, action);
  }
  close(id: number) {
    for (const heard of [...this.closed]) heard(id);
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const result: ConvertResult = { output: '/home/u/Docs/a b.safe.pdf', pages: 2, bytes: 1000, ms: 10, ocr: 'off' };

describe('the safe PDF is ready: Open and Show in folder', () => {
  it('Open starts the previous default for PDFs with the safe PDF; none installed: an error naming the fix', async () => {
    const { calls, actions } = hands({ fileManager: true, apps: { 'application/pdf': 'mupdf.desktop' } });
    await actions.open('/d/a.safe.pdf');
    assert.deepEqual(calls, ['launch mupdf.desktop /d/a.safe.pdf']);
    await assert.rejects(
      hands({ fileManager: true, apps: {} }).actions.open('/d/a.safe.pdf'),
      (error: Error & { code?: string; fix?: string }) => error.code === 'Unavailable' && /PDF viewer/.test(error.fix ?? ''),
    );
  });

  it('Show in folder asks the file manager for the file (a file:// URI); without one, the folder opens in the previous default for folders', async () => {
    const withManager = hands({ fileManager: true, apps: { 'inode/directory': 'org.gnome.Nautilus.desktop' } });
    await withManager.actions.showInFolder('/home/u/a b.safe.pdf');
    assert.deepEqual(withManager.calls, ['ShowItems file:///home/u/a%20b.safe.pdf']);
    const without = hands({ fileManager: false, apps: { 'inode/directory': 'thunar.desktop' } });
    await without.actions.showInFolder('/home/u/a b.safe.pdf');
    assert.deepEqual(without.calls, ['launch thunar.desktop /home/u']);
    await assert.rejects(hands({ fileManager: false, apps: {} }).actions.showInFolder('/home/u/a.safe.pdf'), /opens folders/);
  });

  it('offers the buttons with the result only, acts for that notification only, tells a failure, and stops hearing once it is closed', async () => {
    const fake = new FakeNotifications();
    const { calls, actions } = hands({ fileManager: true, apps: {} });
    const log: string[] = [];
    const report = conversionNotice(
      fake as unknown as Notifications,
      '/home/u/Docs/a b.pdf',
      () => undefined,
      (line) => log.push(line),
      actions,
    );
    report.progress({ phase: 'booting' });
    report.done(result);
    await settle();
    await settle();
    assert.deepEqual(fake.shown[0]?.actions, [['stop', 'Stop']]);
    assert.deepEqual(fake.shown[1]?.actions, [
      ['open', 'Open'],
      ['show-in-folder', 'Show in folder'],
    ]);
    const id = fake.shown[1]?.replacesId ?? 0;
    assert.equal(id, 1, 'the result replaces the progress notification');
    fake.invoke(id + 1, 'show-in-folder'); // another notification's button
    fake.invoke(id, 'stop'); // not the result's
    fake.invoke(id, 'show-in-folder');
    await settle();
    assert.deepEqual(calls, ['ShowItems file:///home/u/Docs/a%20b.safe.pdf']);
    fake.invoke(id, 'open'); // no PDF viewer: told on the desktop, not thrown
    await settle();
    await settle();
    assert.equal(fake.shown.at(-1)?.summary, 'NoFear could not open a b.safe.pdf');
    assert.match(fake.shown.at(-1)?.body ?? '', /No application on this desktop opens PDFs natively.*Fix: install a PDF viewer/);
    fake.close(id);
    assert.equal(fake.actions.size, 0, 'no longer heard once closed');
  });

  it('offers no buttons when the service has none to give (and none on a failure)', async () => {
    const fake = new FakeNotifications();
    conversionNotice(
      fake as unknown as Notifications,
      '/d/a.pdf',
      () => undefined,
      () => undefined,
    ).done(result);
    conversionNotice(
      fake as unknown as Notifications,
      '/d/b.pdf',
      () => undefined,
      () => undefined,
      hands({ fileManager: true, apps: {} }).actions,
    ).failed(new Error('broken'));
    await settle();
    assert.deepEqual(
      fake.shown.map((notice) => notice.actions),
      [undefined, undefined],
    );
  });
});
