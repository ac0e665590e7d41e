// The whole chain with NoFear's real service: the D-Bus service file `integrate install` wrote lets a
// private dbus-daemon start `nofearctl service --activated` (through the installed launcher) when the
// Nautilus extension, under the real nautilus-python bindings, asks ListViewers; the submenu then lists
// what the service answered, and a refused OpenFiles reaches the user as a notification naming the error.
// Only org.freedesktop.Notifications is a stand-in here (test/fixtures/nofear-bus-listener.py). Needs dist/.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { bin, ROOT } from '../helpers/cli.js';
import { runExtensionDriver } from '../helpers/extension-driver.js';
import { makeTree, type Tree } from '../helpers/integration-tree.js';
import { startListener, showBusLogOnFailure, startPrivateBus, type Listener, type PrivateBus } from '../helpers/private-bus.js';

interface Output {
  pid: number;
  items_updated: boolean;
  submenu: Array<[string, string, string]>;
  viewers_from: string;
  gone_done: boolean;
  gone_events: Array<{ event: string; error?: string; message?: string }>;
}

describe('desktop integration: the Nautilus extension and the real, bus-activated service', function () {
  this.timeout(180_000);
  let tree: Tree;
  let bus: PrivateBus | undefined;
  let listener: Listener | undefined;
  let servicePid: number | undefined;
  let out: Output;

  before(async () => {
    assert.ok(existsSync(bin('nofearctl')), 'dist/ is missing: run make build first');
    tree = makeTree();
    const install = await tree.nofearctl('integrate', 'install');
    assert.equal(install.exitCode, 0, install.stderr);
    // No warm pool: this test starts no VM.
    mkdirSync(path.join(tree.configHome, 'nofear'), { recursive: true });
    writeFileSync(path.join(tree.configHome, 'nofear', 'config.ini'), '[pool]\nsize = 0\n');
    const files = path.join(tree.top, 'files');
    mkdirSync(files);
    writeFileSync(path.join(files, 'report.pdf'), samplePdf());
    const runtime = path.join(tree.top, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    // dbus-daemon reads the installed service file when it starts; the service inherits this environment.
    bus = await startPrivateBus(tree.top, { ...tree.env, XDG_RUNTIME_DIR: runtime, DISPLAY: '' });
    listener = await startListener(path.join(ROOT, 'test', 'fixtures', 'nofear-bus-listener.py'), bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications' });
    const extension = path.join(tree.dataHome, 'nautilus-python', 'extensions', 'nofear_nautilus.py');
    const env = { ...tree.env, DBUS_SESSION_BUS_ADDRESS: bus.address, NOFEAR_EXTENSION_TRACE: path.join(tree.top, 'trace.jsonl') };
    out = await runExtensionDriver<Output>('nautilus', [extension, files, 'real-service'], env, 120_000);
    const owner = await execa(
      'dbus-send',
      [`--bus=${bus.address}`, '--print-reply=literal', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.nofear.NoFear'],
      { reject: false, timeout: 10_000 },
    );
    servicePid = /uint32 (\d+)/.exec(owner.stdout)?.[1] === undefined ? undefined : Number(/uint32 (\d+)/.exec(owner.stdout)?.[1]);
  });

  showBusLogOnFailure(() => bus);

  after(async () => {
    await listener?.stop();
    if (servicePid !== undefined) {
      try {
        process.kill(servicePid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await bus?.stop();
    tree?.cleanup();
  });

  it("the installed service file starts NoFear's service on demand", () => {
    assert.ok(servicePid !== undefined, 'nobody owns org.nofear.NoFear');
    const cmdline = readFileSync(`/proc/${servicePid}/cmdline`, 'utf8')
      .split('\0')
      .filter((arg) => arg !== '');
    assert.deepEqual(cmdline.slice(-3), [bin('nofearctl'), 'service', '--activated']);
  });

  it('the submenu lists the viewers the service answered (desktop ids as tips)', () => {
    assert.equal(out.items_updated, true, 'ListViewers answered');
    assert.equal(out.viewers_from, 'service');
    assert.ok(
      out.submenu.some(([, label, tip]) => tip === 'mupdf.desktop' && label === 'MuPDF'),
      JSON.stringify(out.submenu),
    );
    assert.ok(
      out.submenu.every(([, , tip]) => !tip.startsWith('org.nofear.')),
      'never NoFear itself',
    );
  });

  it("a refused open is notified with the service's error name", async () => {
    assert.equal(out.gone_done, true);
    assert.equal(out.gone_events.find((e) => e.event === 'failed')?.error, 'org.nofear.NoFear1.Error.NotFound');
    const notify = await listener!.waitFor((r) => r.method === 'Notify', 5000);
    assert.match(String(notify.args?.[4]), /org\.nofear\.NoFear1\.Error\.NotFound/);
  });
});
