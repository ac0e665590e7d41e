// Every file manager's "Open in NoFear", as `nofearctl integrate install` wrote it, on a selection of a PDF,
// a file NoFear has no viewer for (random bytes) and a directory (issue 25): ONE notification names the two
// failures with their fixes, the PDF opens (its window, a real VM under Xvfb), and nofear-open exits 3.
// Nemo's .nemo_action, Thunar's uca.xml entry and Dolphin's service menu are run as those file managers
// expand them (%F → one quoted word per file, then split into an argv; stdin /dev/null, stderr a pipe);
// Nautilus's and Caja's extension is loaded by their real Python bindings and its "Open in NoFear" item
// activated (test/fixtures/extension-open-selection.py), which calls the service's OpenFiles. The real
// service is D-Bus activated on a private bus; only org.freedesktop.Notifications is a stand-in that records
// every Notify (test/fixtures/nofear-bus-listener.py). No warm pool.
// Nemo's line (double quotes, the quoting with escapes) proves the path from an action line to the window
// in a real VM; what differs between the action lines is only how the selection reaches nofear-open, so
// Thunar's and Dolphin's lines run the same real nofear-open with --dry-run after the program (the same
// words; its batch report is the same: exit 3, one notification with both fixes, and it names the PDF's
// path as one word): two cold VMs fewer. Nautilus's and Caja's extensions each open the PDF in a real VM.
// Needs dist/.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { findGuestKernel } from '../../src/vm/kernel.js';
import { bin, ROOT } from '../helpers/cli.js';
import { SYSTEM_PYTHON } from '../helpers/extension-driver.js';
import { makeTree, type Tree } from '../helpers/integration-tree.js';
import { startListener, showBusLogOnFailure, startPrivateBus, type BusRecord, type Listener, type PrivateBus } from '../helpers/private-bus.js';
import { startXvfb, windowName, type Display } from '../helpers/xvfb.js';
import { BusWatcher } from '../helpers/bus-watcher.js';

const VM_MS = 300_000;

/** g_shell_parse_argv's rules for what these lines hold: blanks split, '…' literal, "…" with \ escapes. */
function splitArgv(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= '';
      for (i++; line[i] !== '"'; i++) word += line[i] === '\\' && /["\\$`]/.test(line[i + 1] ?? '') ? (line[++i] ?? '') : (line[i] ?? '');
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

const singleQuoted = (file: string) => `'${file.replace(/'/g, `'\\''`)}'`;

describe('"Open in NoFear" from every file manager on a PDF, a file with no viewer and a directory (Xvfb, real QEMU)', function () {
  this.timeout(VM_MS + 120_000);
  let tree: Tree;
  let bus: PrivateBus;
  let listener: Listener;
  let x: Display;
  let watcher: BusWatcher;
  let selection: string[];
  const runtime = () => path.join(tree.top, 'run');
  let kernel: Record<string, string>;
  const callerEnv = () => ({ ...tree.env, ...kernel, DBUS_SESSION_BUS_ADDRESS: bus.address, DISPLAY: x.display, XDG_RUNTIME_DIR: runtime() });
  const isFailureNotice = (r: BusRecord) => r.method === 'Notify' && /^NoFear could not (open|plan)/.test(String(r.args?.[3]));
  const failureNotices = (since: number): BusRecord[] => listener.records.slice(since).filter(isFailureNotice);

  before(async () => {
    tree = makeTree();
    // The guest kernel already downloaded for this user, not a fresh download into the tree's cache.
    const found = await findGuestKernel();
    kernel = { NOFEAR_KERNEL: found.image, NOFEAR_KERNEL_MODULES: found.modulesDir };
    const install = await tree.nofearctl('integrate', 'install');
    assert.equal(install.exitCode, 0, install.stderr);
    mkdirSync(path.join(tree.configHome, 'nofear'), { recursive: true });
    writeFileSync(path.join(tree.configHome, 'nofear', 'config.ini'), '[pool]\nsize = 0\n');
    // The user's PDF viewer is mupdf (left to itself, the first match could be LibreOffice Draw, which is slow under TCG).
    writeFileSync(path.join(tree.configHome, 'mimeapps.list'), '[Default Applications]\napplication/pdf=mupdf.desktop\n');
    const files = path.join(tree.top, 'my files');
    mkdirSync(path.join(files, 'a folder'), { recursive: true });
    writeFileSync(path.join(files, 'report.pdf'), samplePdf());
    writeFileSync(path.join(files, 'random.bin'), randomBytes(8192));
    selection = [path.join(files, 'report.pdf'), path.join(files, 'random.bin'), path.join(files, 'a folder')];
    mkdirSync(runtime(), { mode: 0o700 });
    x = await startXvfb();
    bus = await startPrivateBus(tree.top, { ...tree.env, ...kernel, XDG_RUNTIME_DIR: runtime(), DISPLAY: x.display });
    listener = await startListener(path.join(ROOT, 'test', 'fixtures', 'nofear-bus-listener.py'), bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications' });
    watcher = await BusWatcher.connect(bus.address);
  });

  showBusLogOnFailure(() => bus);

  after(async () => {
    watcher?.close();
    if (bus !== undefined) await execa(process.execPath, [bin('nofearctl'), 'stop', '--all'], { env: callerEnv(), extendEnv: false, reject: false, timeout: 60_000 });
    await listener?.stop();
    await bus?.stop();
    await x?.stop();
    tree?.cleanup();
  });

  /** The one notification of this open names both failures with their fixes; the PDF's window shows; then it is stopped. */
  async function assertBatch(since: number, objectPath: string, before: () => void = () => undefined): Promise<void> {
    try {
      before();
      const xid = await watcher.windowOf(objectPath, VM_MS);
      assert.match(await windowName(x.display, xid), /^\[NoFear:temporary\] report\.pdf/);
      await assertOneNotice(since, 'open');
    } catch (error) {
      // A failed case still stops its sandbox, so that the next one does not meet "too many sandboxes".
      await watcher.stop(objectPath).catch(() => undefined);
      throw error;
    }
    await watcher.stop(objectPath);
    assert.equal(await watcher.exitOf(objectPath, 60_000), 143);
  }

  /** The batch's one notification (`open`, or `plan` for --dry-run): 2 of 3 failed, each with its fix. */
  async function assertOneNotice(since: number, verb: 'open' | 'plan'): Promise<void> {
    // Told before the PDF's sandbox starts (the service) or before nofear-open exits; heard from the stand-in's own process.
    await listener.waitFor((r) => listener.records.indexOf(r) >= since && isFailureNotice(r), 10_000);
    const notices = failureNotices(since);
    assert.equal(notices.length, 1, `one notification for the batch: ${JSON.stringify(notices)}`);
    assert.equal(notices[0]?.args?.[3], `NoFear could not ${verb} 2 of 3 files (1 ${verb === 'open' ? 'opened' : 'planned'})`);
    const body = String(notices[0]?.args?.[4]).split('\n');
    // Random bytes are whatever the sniffer makes of them (octet-stream, a DOS .COM, a PGP key, ...): the fix names that type.
    assert.match(body[0] ?? '', /^• random\.bin: No viewer for (\S+) can run in the VM .* Fix: install a graphical application that opens \1\b/);
    assert.match(body[1] ?? '', /^• a folder: .*a folder is a directory; NoFear opens files\. Fix: open a file inside it$/);
  }

  /** An action's command line as the file manager runs it: %F expanded (`quote` per file), split; its argv. */
  function expandActionLine(line: string, quote: (file: string) => string): string[] {
    const argv = splitArgv(line.replace('%F', selection.map(quote).join(' ')));
    assert.equal(argv[0], path.join(tree.bin, 'nofear-open'), `the line names the installed nofear-open: ${line}`);
    assert.deepEqual(argv.slice(-selection.length), selection, `the selection, one word per file: ${line}`);
    return argv;
  }

  /** Starts an argv as a file manager does: no terminal, stdin /dev/null, stderr a pipe. */
  const startedByFileManager = (argv: string[]) => execa(argv[0] ?? '', argv.slice(1), { env: callerEnv(), extendEnv: false, stdin: 'ignore', reject: false, timeout: VM_MS });

  /** Runs an action's line for real: the PDF opens in a VM (its window), the two failures in one notification, exit 3. */
  async function runActionLine(line: string, quote: (file: string) => string): Promise<void> {
    const since = listener.records.length;
    const result = await startedByFileManager(expandActionLine(line, quote));
    // Taken before any assertion, so that the next test waits for its own sandbox even when this one fails.
    const [objectPath] = await watcher.waitForStarted(10_000);
    await assertBatch(since, objectPath ?? '', () => {
      assert.equal(result.exitCode, 3, result.stderr);
      assert.doesNotMatch(result.stderr, /opened safely/, 'nothing said of a window on a pipe');
    });
  }

  /** Runs an action's line with --dry-run after the program (the same nofear-open, the same words): the same batch report, no VM. */
  async function planActionLine(line: string, quote: (file: string) => string): Promise<void> {
    const [program = '', ...words] = expandActionLine(line, quote);
    const since = listener.records.length;
    const started = watcher.startedCount;
    const result = await startedByFileManager([program, '--dry-run', ...words]);
    assert.equal(result.exitCode, 3, result.stderr);
    assert.deepEqual(result.stdout.match(/^file: .*$/gm), [`file: ${selection[0]}`], 'the PDF planned, its path one word');
    await assertOneNotice(since, 'plan');
    assert.equal(watcher.startedCount, started, 'no sandbox was started');
  }

  it("Nemo's .nemo_action (Quote=double)", async () => {
    const action = readFileSync(path.join(tree.dataHome, 'nemo', 'actions', 'nofear.nemo_action'), 'utf8');
    const exec = /^Exec=(.*)$/m.exec(action)?.[1] ?? '';
    await runActionLine(exec, (file) => `"${file.replace(/(["\\$`])/g, '\\$1')}"`);
  });

  it("Thunar's uca.xml entry (%F: each file shell-quoted)", async () => {
    const uca = readFileSync(path.join(tree.configHome, 'Thunar', 'uca.xml'), 'utf8');
    const entry = uca.split('</action>').find((a) => a.includes('<unique-id>org.nofear.NoFear.open</unique-id>')) ?? '';
    const command = (/<command>(.*)<\/command>/.exec(entry)?.[1] ?? '')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    await planActionLine(command, singleQuoted);
  });

  it("Dolphin's service menu (KIO: %F → one quoted word per file)", async () => {
    const menu = readFileSync(path.join(tree.dataHome, 'kio', 'servicemenus', 'nofear.desktop'), 'utf8');
    const exec = /\[Desktop Action openInNoFear\][^[]*?^Exec=(.*)$/m.exec(menu)?.[1] ?? '';
    await planActionLine(exec, singleQuoted);
  });

  for (const host of ['nautilus', 'caja'] as const) {
    it(`${host === 'nautilus' ? 'Nautilus' : 'Caja'}'s extension, loaded by its real Python bindings: "Open in NoFear" calls OpenFiles`, async () => {
      const extension = path.join(tree.dataHome, `${host}-python`, 'extensions', `nofear_${host}.py`);
      const since = listener.records.length;
      const driver = await execa(SYSTEM_PYTHON, [path.join(ROOT, 'test', 'fixtures', 'extension-open-selection.py'), host, extension, ...selection], {
        env: { ...callerEnv(), NOFEAR_EXTENSION_TRACE: path.join(tree.top, `${host}-trace.jsonl`) },
        extendEnv: false,
        reject: false,
        timeout: VM_MS,
      });
      assert.equal(driver.exitCode, 0, driver.stderr);
      const out = JSON.parse(driver.stdout) as { items: string[]; events: Array<{ event: string; files: string[] }> };
      assert.ok(out.items.includes('NoFear::Open'), driver.stdout);
      assert.deepEqual(
        out.events.map((e) => [e.event, e.files]),
        [
          ['activate', selection],
          ['opened', selection],
        ],
        driver.stdout,
      );
      const [objectPath] = await watcher.waitForStarted(VM_MS);
      await assertBatch(since, objectPath ?? '');
    });
  }
});
