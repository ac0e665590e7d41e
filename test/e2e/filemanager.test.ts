// A real Nautilus 43 under Xvfb with NoFear's extension as `integrate install` put it: the extension's marker
// (its trace, written inside Nautilus's process) shows the items it offered for the selected file, and
// choosing "Open in NoFear" from the real context menu makes Nautilus's process call OpenFiles on the bus.
// Until NoFear's service exists, test/fixtures/nofear-bus-listener.py stands in for it on a private bus.
// Screenshots of the menus are artifacts (their paths are printed), not the assertion.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../helpers/cli.js';
import { makeTree, type Tree } from '../helpers/integration-tree.js';
import { startListener, startPrivateBus, type BusRecord, type Listener, type PrivateBus } from '../helpers/private-bus.js';
import { startXvfb, waitForWindow, type Display } from '../helpers/xvfb.js';

interface TraceEvent {
  event: string;
  method?: string;
  files?: string[];
  items?: string[];
  pid: number;
}

async function waitUntil<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

describe('desktop integration: "Open in NoFear" in a real Nautilus under Xvfb', function () {
  this.timeout(180_000);
  let tree: Tree;
  let display: Display | undefined;
  let bus: PrivateBus | undefined;
  let listener: Listener | undefined;
  let nautilus: ChildProcess | undefined;
  let files: string;
  let traceFile: string;
  const artifacts = mkdtempSync(path.join(tmpdir(), 'nofear-filemanager-artifacts-'));

  const trace = (): TraceEvent[] =>
    existsSync(traceFile)
      ? readFileSync(traceFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as TraceEvent)
      : [];
  const x = (...args: string[]) => execa('xdotool', args, { env: { DISPLAY: display?.display ?? '' }, timeout: 15_000 });
  const shoot = async (name: string) => {
    const file = path.join(artifacts, name);
    await execa('import', ['-window', 'root', file], { env: { DISPLAY: display?.display ?? '' }, timeout: 20_000 });
    console.log(`      screenshot: ${file}`);
    return file;
  };
  const fromNautilus = (method: string, match: (args: unknown[]) => boolean) => (r: BusRecord) => r.method === method && r.sender_pid === nautilus?.pid && match(r.args ?? []);

  before(async function () {
    assert.ok(existsSync('/usr/bin/nautilus'), 'Nautilus is not installed: make deps installs it (package nautilus)');
    tree = makeTree();
    const install = await tree.nofearctl('integrate', 'install');
    assert.equal(install.exitCode, 0, install.stderr);
    files = path.join(tree.top, 'files');
    mkdirSync(files);
    writeFileSync(path.join(files, 'report.pdf'), '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    traceFile = path.join(tree.top, 'extension-trace.jsonl');
    const runtime = path.join(tree.top, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    display = await startXvfb();
    bus = await startPrivateBus(tree.top, {}, { activation: false });
    listener = await startListener(path.join(ROOT, 'test', 'fixtures', 'nofear-bus-listener.py'), bus.address);
    nautilus = spawn('nautilus', ['--new-window', files], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...tree.env,
        DISPLAY: display.display,
        DBUS_SESSION_BUS_ADDRESS: bus.address,
        XDG_CACHE_HOME: path.join(tree.home, '.cache'),
        XDG_RUNTIME_DIR: runtime,
        GSK_RENDERER: 'cairo', // no GL under Xvfb
        NO_AT_BRIDGE: '1',
        GTK_A11Y: 'none',
        GIO_USE_VOLUME_MONITOR: 'unix',
        NOFEAR_EXTENSION_TRACE: traceFile,
      },
    });
    let stderr = '';
    nautilus.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    try {
      await waitForWindow(display.display, '^files$', 60_000);
    } catch (error) {
      throw new Error(`Nautilus showed no window: ${(error as Error).message}\n${stderr}`);
    }
  });

  after(async () => {
    if (nautilus?.pid !== undefined && nautilus.exitCode === null) {
      const exited = new Promise((resolve) => nautilus?.once('exit', resolve));
      try {
        process.kill(-nautilus.pid, 'SIGTERM');
      } catch {
        // gone
      }
      await Promise.race([exited, sleep(5000)]);
      try {
        process.kill(-nautilus.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await listener?.stop();
    await bus?.stop();
    await display?.stop();
    tree?.cleanup();
  });

  it("Nautilus loads the installed extension (its marker comes from Nautilus's process)", async () => {
    const loaded = await waitUntil("the extension's first menu request", () => trace().find((e) => e.event === 'items'), 30_000);
    assert.equal(loaded.pid, nautilus?.pid);
  });

  it('selecting the file makes the extension offer "Open in NoFear", "Open in NoFear with", "Edit in NoFear", "Convert to a safe PDF with NoFear" and "Trust this file"', async () => {
    const window = (await x('search', '--onlyvisible', '--name', '^files$')).stdout.split('\n')[0] ?? '';
    // Without a window manager only a click gives GTK 4 the keyboard focus: click the view's empty space.
    await x('mousemove', '--window', window, '600', '400', 'click', '1');
    await sleep(300);
    await x('key', 'ctrl+a');
    const uri = `file://${path.join(files, 'report.pdf')}`;
    const offered = await waitUntil(`items for report.pdf (trace so far: ${JSON.stringify(trace())})`, () => trace().find((e) => e.event === 'items' && e.files?.[0] === uri), 30_000);
    assert.deepEqual(offered.items, ['NoFear::Open', 'NoFear::OpenWith', 'NoFear::Edit', 'NoFear::Convert', 'NoFear::Trust']);
    assert.equal(offered.pid, nautilus?.pid);
    await x('key', 'shift+F10');
    await sleep(1500);
    const shot = await shoot('nautilus-context-menu.png');
    const colours = Number((await execa('convert', [shot, '-format', '%k', 'info:'])).stdout.trim());
    assert.ok(colours > 16, 'the screenshot shows a rendered window');
  });

  it('choosing "Open in NoFear" in the real menu calls OpenFiles from Nautilus\'s process', async () => {
    // GTK 4's popover menu: Up from nothing selects the last item (Properties), then NoFear's items from the
    // bottom: "Trust this file", "Convert to a safe PDF with NoFear", "Edit in NoFear", "Open in NoFear with",
    // "Open in NoFear".
    await x('key', 'Up', 'Up', 'Up', 'Up', 'Up', 'Up');
    await sleep(300);
    await shoot('nautilus-open-in-nofear-selected.png');
    await x('key', 'Return');
    await listener!.waitFor(
      fromNautilus('OpenFiles', (args) => JSON.stringify(args) === JSON.stringify([[path.join(files, 'report.pdf')], {}])),
      30_000,
    );
  });

  it('the "Open in NoFear with" submenu passes the chosen viewer', async () => {
    await x('key', 'shift+F10');
    await sleep(1000);
    await x('key', 'Up', 'Up', 'Up', 'Up', 'Up', 'Right');
    await sleep(800);
    await shoot('nautilus-open-in-nofear-with.png');
    await x('key', 'Down', 'Return');
    const call = await listener!.waitFor(
      fromNautilus('OpenFiles', (args) => {
        const viewer = (args[1] as { viewer?: unknown } | undefined)?.viewer;
        return typeof viewer === 'string' && viewer.endsWith('.desktop') && !viewer.startsWith('org.nofear.');
      }),
      30_000,
    );
    assert.deepEqual(call.args?.[0], [path.join(files, 'report.pdf')]);
  });

  it('choosing "Edit in NoFear" in the real menu calls OpenFiles with edit=true from Nautilus\'s process', async () => {
    await x('key', 'shift+F10');
    await sleep(1000);
    await x('key', 'Up', 'Up', 'Up', 'Up');
    await sleep(300);
    await shoot('nautilus-edit-in-nofear-selected.png');
    await x('key', 'Return');
    await listener!.waitFor(
      fromNautilus('OpenFiles', (args) => JSON.stringify(args) === JSON.stringify([[path.join(files, 'report.pdf')], { edit: true }])),
      30_000,
    );
  });

  it('choosing "Convert to a safe PDF with NoFear" in the real menu calls Convert from Nautilus\'s process', async () => {
    await x('key', 'shift+F10');
    await sleep(1000);
    await x('key', 'Up', 'Up', 'Up');
    await sleep(300);
    await shoot('nautilus-convert-with-nofear-selected.png');
    await x('key', 'Return');
    await listener!.waitFor(
      fromNautilus('Convert', (args) => JSON.stringify(args) === JSON.stringify([[path.join(files, 'report.pdf')], {}])),
      30_000,
    );
  });

  it('choosing "Trust this file" in the real menu runs nofearctl trust from Nautilus\'s process: the trust mark is on the file', async () => {
    await x('key', 'shift+F10');
    await sleep(1000);
    await x('key', 'Up', 'Up');
    await sleep(300);
    await shoot('nautilus-trust-this-file-selected.png');
    await x('key', 'Return');
    const trusted = await waitUntil(
      `the trace's 'trusted' (so far: ${JSON.stringify(trace())})`,
      () => trace().find((e) => e.method === 'trust' && (e.event === 'trusted' || e.event === 'failed')),
      30_000,
    );
    assert.equal(trusted.event, 'trusted', JSON.stringify(trusted));
    assert.equal(trusted.pid, nautilus?.pid);
    const attrs = await execa('/usr/bin/python3', ['-I', '-S', '-c', 'import os, sys; print(sorted(os.listxattr(sys.argv[1])))', path.join(files, 'report.pdf')]);
    assert.match(attrs.stdout, /user\.nofear\.trusted/);
  });
});
