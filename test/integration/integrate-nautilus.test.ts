// The Nautilus extension as `integrate install` puts it, loaded by the real nautilus-python bindings
// (Debian's python3-nautilus, API 4.0, under the system /usr/bin/python3) and driven on duck-typed file
// infos: the items it offers, and the OpenFiles calls it makes on a private session bus.
// Until NoFear's service exists, test/fixtures/nofear-bus-listener.py stands in for it on that bus (it owns
// org.nofear.NoFear and answers per the D-Bus contract): a call arriving there is the assertion.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import path from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { runExtensionDriver } from '../helpers/extension-driver.js';
import { makeTree, type Tree } from '../helpers/integration-tree.js';
import { startListener, startPrivateBus, type BusRecord, type Listener, type PrivateBus } from '../helpers/private-bus.js';

interface TraceEvent {
  event: string;
  method?: string;
  files?: string[];
  viewer?: string | null;
  error?: string;
  pid: number;
}

interface DriverOutput {
  pid: number;
  host: string;
  is_menu_provider: boolean;
  directory: string[];
  file_and_directory: string[];
  remote: string[];
  empty: string[];
  two_types: string[];
  file: string[];
  file_labels: string[];
  submenu_first: Array<[string, string, boolean]> | null;
  items_updated: boolean;
  submenu_second: Array<[string, string, boolean]> | null;
  open_done: boolean;
  open_with_done: boolean;
  open_two_done: boolean;
  fail_done: boolean;
  fail_events: TraceEvent[];
  timing: { get_file_items_s: number; activate_s: number; reply_s: number };
  latin1_items: string[];
  latin1_uri: string;
  latin1_done: boolean;
  new_labels: Record<string, string>;
  edit_done: boolean;
  convert_done: boolean;
  latin1_convert_done: boolean;
  trust_label: string | null;
  trust_done: boolean;
  trust_events: TraceEvent[];
}

describe('desktop integration: the Nautilus extension on a real bus', function () {
  this.timeout(120_000);
  let tree: Tree;
  let bus: PrivateBus | undefined;
  let listener: Listener | undefined;
  let out: DriverOutput;
  let files: string;

  const call = (method: string, match: (args: unknown[]) => boolean) => (r: BusRecord) => r.method === method && match(r.args ?? []);

  before(async () => {
    tree = makeTree();
    const install = await tree.nofearctl('integrate', 'install');
    assert.equal(install.exitCode, 0, install.stderr);
    files = path.join(tree.top, 'files');
    mkdirSync(path.join(files, 'subdir'), { recursive: true });
    for (const name of ['report.pdf', 'photo.png', 'fail.pdf', 'slow.pdf']) writeFileSync(path.join(files, name), 'x');
    writeFileSync(Buffer.from(`${files}/caf\xe9.pdf`, 'latin1'), 'x');
    // photo.png came from outside (a browser's mark): "Trust this file" must say so.
    await execa('/usr/bin/python3', ['-I', '-S', '-c', 'import os, sys; os.setxattr(sys.argv[1], "user.xdg.origin.url", b"https://example.org/photo.png")', path.join(files, 'photo.png')]);
    bus = await startPrivateBus(tree.top);
    listener = await startListener(path.join(ROOT, 'test', 'fixtures', 'nofear-bus-listener.py'), bus.address);
    const extension = path.join(tree.dataHome, 'nautilus-python', 'extensions', 'nofear_nautilus.py');
    const env = { ...tree.env, DBUS_SESSION_BUS_ADDRESS: bus.address, NOFEAR_EXTENSION_TRACE: path.join(tree.top, 'trace.jsonl') };
    out = await runExtensionDriver<DriverOutput>('nautilus', [extension, files], env, 90_000);
  });

  after(async () => {
    await listener?.stop();
    await bus?.stop();
    tree.cleanup();
  });

  it('loads as a Nautilus 4.0 MenuProvider', () => {
    assert.equal(out.host, 'Nautilus');
    assert.equal(out.is_menu_provider, true);
  });

  it('offers "Open in NoFear", "Open in NoFear with", "Edit in NoFear" and "Convert to a safe PDF with NoFear" for a regular local file', () => {
    assert.deepEqual(out.file, ['NoFear::Open', 'NoFear::OpenWith', 'NoFear::Edit', 'NoFear::Convert', 'NoFear::Trust']);
    assert.deepEqual(out.file_labels, ['Open in NoFear', 'Open in NoFear with', 'Edit in NoFear', 'Convert to a safe PDF with NoFear', 'Trust this file']);
  });

  it("offers nothing for a directory, a remote file or no selection; a file beside a directory gets its items (the service tells the directory's reason)", () => {
    assert.deepEqual(out.directory, []);
    assert.deepEqual(out.file_and_directory, ['NoFear::Open', 'NoFear::Edit', 'NoFear::Convert']);
    assert.deepEqual(out.remote, []);
    assert.deepEqual(out.empty, []);
  });

  it('offers "Open in NoFear", "Edit in NoFear" and "Convert..." for several files, the submenu only when they share a type', () => {
    assert.deepEqual(out.two_types, ['NoFear::Open', 'NoFear::Edit', 'NoFear::Convert']);
  });

  it('"Edit in NoFear" calls OpenFiles with edit=true, "Convert to a safe PDF" calls Convert, from the extension\'s process', async () => {
    assert.deepEqual(out.new_labels, { 'NoFear::Edit': 'Edit in NoFear', 'NoFear::Convert': 'Convert to a safe PDF with NoFear' });
    assert.equal(out.edit_done, true);
    const edit = await listener!.waitFor(
      call('OpenFiles', (args) => JSON.stringify(args) === JSON.stringify([[path.join(files, 'report.pdf')], { edit: true }])),
      1000,
    );
    assert.equal(edit.sender_pid, out.pid);
    assert.equal(out.convert_done, true);
    const convert = await listener!.waitFor(
      call('Convert', (args) => JSON.stringify(args) === JSON.stringify([[path.join(files, 'report.pdf')], {}])),
      1000,
    );
    assert.equal(convert.sender_pid, out.pid);
  });

  it("fills the submenu at once from GLib's applications for the type, then from ListViewers once it answered", async () => {
    // Nautilus 43 builds a selection's menu once, so the first one cannot wait for the service.
    const first = out.submenu_first ?? [];
    assert.ok(
      first.some(([, label]) => label === 'MuPDF'),
      JSON.stringify(first),
    );
    assert.ok(first.every(([name, label, sensitive]) => name.startsWith('NoFear::OpenWith::') && label !== 'NoFear' && sensitive));
    assert.equal(out.items_updated, true);
    assert.deepEqual(out.submenu_second, [
      ['NoFear::OpenWith::0', 'Document Viewer', true],
      ['NoFear::OpenWith::1', 'MuPDF', true],
    ]);
    await listener?.waitFor(
      call('ListViewers', (args) => args[0] === path.join(files, 'report.pdf')),
      1000,
    );
  });

  it("activating the item calls OpenFiles with the path, from the extension's process", async () => {
    assert.equal(out.open_done, true);
    const record = await listener!.waitFor(
      call('OpenFiles', (args) => JSON.stringify(args) === JSON.stringify([[path.join(files, 'report.pdf')], {}])),
      1000,
    );
    assert.equal(record.sender_pid, out.pid);
  });

  it('a viewer from the submenu goes as the viewer option', async () => {
    assert.equal(out.open_with_done, true);
    await listener!.waitFor(
      call('OpenFiles', (args) => JSON.stringify(args) === JSON.stringify([[path.join(files, 'report.pdf')], { viewer: 'mupdf.desktop' }])),
      1000,
    );
  });

  it('several files go in one call', async () => {
    assert.equal(out.open_two_done, true);
    await listener!.waitFor(
      call('OpenFiles', (args) => JSON.stringify(args[0]) === JSON.stringify([path.join(files, 'report.pdf'), path.join(files, 'photo.png')])),
      1000,
    );
  });

  it('never waits for the service: menu and activation return at once, the reply comes later', () => {
    assert.ok(out.timing.get_file_items_s < 0.5, `get_file_items took ${out.timing.get_file_items_s} s`);
    assert.ok(out.timing.activate_s < 0.5, `activate took ${out.timing.activate_s} s`);
    assert.ok(out.timing.reply_s >= 1.5, `the slow reply came after ${out.timing.reply_s} s (the listener waits 2 s)`);
  });

  it('a name that is not UTF-8 goes to OpenUris as a file:// URI', async () => {
    assert.deepEqual(out.latin1_items.slice(0, 1), ['NoFear::Open']);
    assert.equal(out.latin1_done, true);
    await listener!.waitFor(
      call('OpenUris', (args) => JSON.stringify(args[0]) === JSON.stringify([out.latin1_uri])),
      1000,
    );
    assert.match(out.latin1_uri, /^file:\/\/.*caf%E9\.pdf$/);
    assert.equal(out.latin1_convert_done, true);
    await listener!.waitFor(
      call('Convert', (args) => JSON.stringify(args[0]) === JSON.stringify([out.latin1_uri])),
      1000,
    );
  });

  it("Caja loads the same file through caja-python's namespace and signature, and opens through the bus", async () => {
    const extension = path.join(tree.dataHome, 'caja-python', 'extensions', 'nofear_caja.py');
    const report = path.join(files, 'report.pdf');
    const env = { ...tree.env, DBUS_SESSION_BUS_ADDRESS: bus!.address, NOFEAR_EXTENSION_TRACE: path.join(tree.top, 'caja-trace.jsonl') };
    const caja = await runExtensionDriver<{ host: string; is_menu_provider: boolean; items: string[]; labels: string[]; item_types: string[]; directory: string[]; events: string[] }>(
      'caja',
      [extension, report, path.join(files, 'subdir')],
      env,
      60_000,
    );
    assert.equal(caja.host, 'Caja');
    assert.equal(caja.is_menu_provider, true);
    assert.deepEqual(caja.items, ['NoFear::Open', 'NoFear::OpenWith', 'NoFear::Edit', 'NoFear::Convert', 'NoFear::Trust']);
    assert.deepEqual(caja.labels, ['Open in NoFear', 'Open in NoFear with', 'Edit in NoFear', 'Convert to a safe PDF with NoFear', 'Trust this file']);
    assert.deepEqual(caja.item_types, Array(5).fill('gi.repository.Caja.MenuItem'));
    assert.deepEqual(caja.directory, []);
    assert.deepEqual(
      caja.events.filter((e) => e !== 'items'),
      ['activate', 'opened'],
    );
    const calls = listener!.records.filter((r) => r.method === 'OpenFiles' && JSON.stringify(r.args) === JSON.stringify([[report], {}]));
    assert.ok(calls.length >= 2, 'the Caja call arrived besides the Nautilus one');
  });

  it('a failure is shown with its D-Bus error name in a notification', async () => {
    assert.equal(out.fail_done, true);
    assert.equal(out.fail_events.find((e) => e.event === 'failed')?.error, 'org.nofear.NoFear1.Error.NoViewer');
    const notify = await listener!.waitFor(
      call('Notify', () => true),
      5000,
    );
    const [app, , , summary, body] = notify.args ?? [];
    assert.equal(app, 'NoFear');
    assert.equal(summary, 'NoFear could not open fail.pdf');
    assert.match(String(body), /org\.nofear\.NoFear1\.Error\.NoViewer/);
  });

  it('"Trust this file" (one file only) runs nofearctl trust from the extension: the trust mark is written and the warning shown in a notification', async () => {
    assert.equal(out.trust_label, 'Trust this file');
    assert.equal(out.trust_done, true, JSON.stringify(out.trust_events));
    assert.deepEqual(
      out.trust_events.map((e) => e.event),
      ['activate', 'trusted'],
      JSON.stringify(out.trust_events),
    );
    const photo = path.join(files, 'photo.png');
    const attrs = await execa('/usr/bin/python3', ['-I', '-S', '-c', 'import os, sys; print(sorted(os.listxattr(sys.argv[1])))', photo]);
    assert.match(attrs.stdout, /user\.nofear\.trusted/);
    const notify = await listener!.waitFor(
      call('Notify', (args) => args[3] === 'photo.png is trusted'),
      5000,
    );
    assert.match(String(notify.args?.[4]), /came from outside \(downloaded from https:\/\/example\.org\/photo\.png\)/);
  });
});
