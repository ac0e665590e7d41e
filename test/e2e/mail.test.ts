// Mail end to end, on Xvfb with real VMs: a .eml (text body, HTML body with a remote image, PDF
// attachment) opens in NoFear's message view rendered inside a VM without network, its PDF attachment
// opens from the view in a NEW VM, and every process the host starts meanwhile is recorded (a /proc
// poll of nofear-open's process tree, test/helpers/process-recorder.ts): none parses mail. A .mbox opens
// in the same view, every message listed, recorded the same way. The message, the mailbox and an Outlook
// .msg (msgconvert in the VM) convert to PDFs of pixels. Then
// the mail-client hand-over: the file is opened with `gio open` (NoFear the default after
// `integrate install`, D-Bus activation), deleted 0.2 s after gio returns, and its window still
// comes with the message's own subject; its attachment opens through the service too. Needs dist/.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { bin, perTestEnv, type TestEnv } from '../helpers/cli.js';
import { makeTree, type Tree } from '../helpers/integration-tree.js';
import { sampleMailbox, sampleMessage, SAMPLE_SUBJECT } from '../helpers/mail-sample.js';
import { makeOutlookMessage } from '../helpers/outlook-msg.js';
import { pdfObjects } from '../helpers/pdf-check.js';
import { showBusLogOnFailure, startPrivateBus, type PrivateBus } from '../helpers/private-bus.js';
import { pressKey, renderedScreenshot, startXvfb, suiteDisplay, windowName, type Display } from '../helpers/xvfb.js';
import { BusWatcher } from '../helpers/bus-watcher.js';
import { ProcessRecorder } from '../helpers/process-recorder.js';
import { childProducer, onWindow, WindowReports, type Producer } from '../helpers/live-window.js';

const VM_MS = 240_000;
/** Using a window NoFear has reported (found again by its title each time: it may be re-created). */
const WINDOW_MS = 60_000;
const windowTitled = (name: string) => `^\\[NoFear:temporary\\] ${name.replace(/\./g, '\\.')}`;
// The attachment opens in mupdf, the tests' PDF default (test/fixtures/desktop-defaults), which q closes.
const PDF_WINDOW = windowTitled('report.pdf');

/** The window's title, and its key presses, on the window found by its title at that moment. */
const titleOf = (x: Display, title: string, producer: Producer) => onWindow(x.display, title, producer, WINDOW_MS, (id) => windowName(x.display, id));
const press = (x: Display, title: string, producer: Producer, key: string, closing = false) => onWindow(x.display, title, producer, WINDOW_MS, (id) => pressKey(x.display, id, key), closing);

/** Programs that parse MIME or mail: none may run on the host for an open. */
/** NoFear's xattr helper (src/trust/xattrs.ts): `python3 -I -S -c SCRIPT`, its script reading xattrs by name. */
const isXattrHelper = (argv: readonly string[]) => argv.at(-2) === '-c' && /os\.getxattr\(p, name\)/.test(argv.at(-1) ?? '');

const MAIL_PARSERS = /^(munpack|mpack|ripmime|reformime|reformail|formail|mhonarc|mu|notmuch|uudeview|metamail|mimedecode|mimeopen|mailx?|mutt|neomutt|thunderbird|evolution|claws-mail|msgconvert)$/;

/**
 * What the recorder saw the host start during one nofear-open of the message FILE: `vms` VMs at least, none
 * with a network, no passt, no mail parser, python only for NoFear's own X side, and nothing given the
 * message but nofear-open itself and `file --mime-type` (the type detection by magic every open makes).
 */
function hostNeverParsed(recorder: ProcessRecorder, pid: number | undefined, file: string, vms: number): void {
  const execs = recorder.recorded;
  const program = (argv: string[]) => path.basename(argv[0] ?? '');
  const qemus = execs.filter((e) => program(e.argv).startsWith('qemu-system'));
  // A TCG boot with no sign of life is booted again: more VMs than opened under load.
  assert.ok(new Set(qemus.map((q) => q.pid)).size >= vms, `fewer than ${vms} VMs (one per message opened, one per attachment)`);
  for (const qemu of qemus) assert.ok(!qemu.argv.some((arg) => /^-(netdev|nic|net)$/.test(arg)), `a VM had a network: ${qemu.argv.join(' ')}`);
  assert.ok(!execs.some((e) => program(e.argv) === 'passt'), 'passt ran');
  assert.deepEqual(
    execs.filter((e) => MAIL_PARSERS.test(program(e.argv))),
    [],
    'a mail parser ran on the host',
  );
  // Python on the host is NoFear's own only: the Xpra client, the helper holding its untrusted X cookie, and
  // the xattr helper that marks an exported attachment (src/trust/xattrs.ts: names and values, never the
  // bytes), never python's email package on the message.
  const pythons = execs.filter((e) => e.argv.slice(0, 2).some((arg) => /python/.test(path.basename(arg))));
  assert.ok(
    pythons.some((python) => python.argv.some((arg) => /xpra/.test(arg))),
    'the recorder saw the Xpra clients',
  );
  for (const python of pythons)
    assert.ok(python.argv.some((arg) => /xpra|\/src\/gui\/x11-untrusted-cookie\.py$/.test(arg)) || isXattrHelper(python.argv), `python ran on the host: ${python.argv.join(' ')}`);
  const own = execs.find((e) => e.pid === pid)?.argv.join('\0');
  const named = execs.filter((e) => e.argv.join('\0') !== own && e.argv.some((arg) => arg.includes(file)));
  assert.deepEqual(
    named.filter((e) => !(program(e.argv) === 'file' && e.argv.includes('--mime-type'))),
    [],
    'a host process was given the message',
  );
}

describe("mail: a message in NoFear's view, its attachment in a new VM, its conversion (host processes recorded, Xvfb, real QEMU)", function () {
  this.timeout(900_000);
  let t: TestEnv;
  let x: Display;
  let dir: string;
  suiteDisplay((display) => (x = display));
  perTestEnv('nofear-mail-', (env, tmp) => {
    t = env;
    dir = tmp;
  });

  it('opens to the view without network; its PDF attachment opens in a second VM; the host runs no mail parser', async () => {
    const file = path.join(dir, 'mail.eml');
    writeFileSync(file, sampleMessage());
    const run = execa(process.execPath, [bin('nofear-open'), '--no-service', '--verbose', file], { env: { ...t.env, DISPLAY: x.display }, reject: false, timeout: VM_MS * 2 });
    const recorder = new ProcessRecorder(run.pid ?? 0);
    const reports = new WindowReports(run);
    const nofearOpen = childProducer(run, 'nofear-open');
    const view = windowTitled('mail.eml');
    try {
      await reports.windowFor(/\/mail\.eml$/, VM_MS);
      assert.match((await titleOf(x, view, nofearOpen)) ?? '', new RegExp(`^\\[NoFear:temporary\\] mail\\.eml — ${SAMPLE_SUBJECT}`));
      const shot = await onWindow(x.display, view, nofearOpen, WINDOW_MS, (id) => renderedScreenshot(x.display, id, path.join(dir, 'view.png')));
      assert.ok((shot?.colours ?? 0) > 1, 'the view is blank');
      // The first attachment's "Open safely" has the focus: Return exports it, and the host opens it in a new VM.
      await press(x, view, nofearOpen, 'Return');
      await reports.windowFor(/\/attachments\/a-[^/]+\/report\.pdf$/, VM_MS);
      await press(x, PDF_WINDOW, nofearOpen, 'q', true);
      await press(x, view, nofearOpen, 'Escape', true);
      const result = await run;
      assert.equal(result.exitCode, 0, result.stderr);
    } finally {
      if (run.exitCode === null) run.kill('SIGTERM'); // a failed step: nofear-open stops its VMs on SIGTERM
      await run;
      recorder.stop();
    }
    hostNeverParsed(recorder, run.pid, 'mail.eml', 2);
  });

  it('a .mbox opens in the view listing every message (the title counts them), without network; the host runs no mail parser', async () => {
    const file = path.join(dir, 'box.mbox');
    // Its first message has an HTML body, which makes libmagic call the whole file text/html: still a mailbox.
    writeFileSync(file, sampleMailbox('First of two', 'Second of two'));
    const run = execa(process.execPath, [bin('nofear-open'), '--no-service', '--verbose', file], { env: { ...t.env, DISPLAY: x.display }, reject: false, timeout: VM_MS });
    const recorder = new ProcessRecorder(run.pid ?? 0);
    const reports = new WindowReports(run);
    const nofearOpen = childProducer(run, 'nofear-open');
    const view = windowTitled('box.mbox');
    try {
      await reports.windowFor(/\/box\.mbox$/, VM_MS);
      // The count is the VM's: the view read both messages (the host never did).
      assert.match((await titleOf(x, view, nofearOpen)) ?? '', /^\[NoFear:temporary\] box\.mbox — First of two \(2 messages\)/);
      await press(x, view, nofearOpen, 'Escape', true);
      const result = await run;
      assert.equal(result.exitCode, 0, result.stderr);
    } finally {
      if (run.exitCode === null) run.kill('SIGTERM');
      await run;
      recorder.stop();
    }
    hostNeverParsed(recorder, run.pid, 'box.mbox', 1);
  });

  it('converts a message, a mailbox and an Outlook .msg (read by msgconvert in its VM) to PDFs of pixels (no text, no font, no script)', async () => {
    const eml = path.join(dir, 'mail.eml');
    writeFileSync(eml, sampleMessage());
    const mbox = path.join(dir, 'box.mbox');
    writeFileSync(mbox, sampleMailbox('First of two', 'Second of two'));
    const msg = await makeOutlookMessage(dir, 'letter.msg', 'From Outlook');
    const result = await execa(process.execPath, [bin('nofear-open'), '--no-service', '--convert', eml, mbox, msg], { env: t.env, reject: false, timeout: VM_MS * 2 });
    assert.equal(result.exitCode, 0, result.stderr);
    const outputs = result.stdout.trim().split('\n').sort();
    assert.deepEqual(
      outputs,
      ['box.safe.pdf', 'letter.safe.pdf', 'mail.safe.pdf'].map((name) => path.join(dir, name)),
    );
    for (const output of outputs) {
      const objects = pdfObjects(output);
      assert.ok(
        objects.some((o) => /\/Subtype \/Image/.test(o.head)),
        `${output}: no page image`,
      );
      assert.ok(!objects.some((o) => /\/Font|\/JavaScript|\/JS|\/URI|\/EmbeddedFile/.test(o.head)), `${output}: more than pixels`);
      const text = await execa('pdftotext', [output, '-'], { reject: false });
      assert.equal(text.stdout.trim(), '', `${output}: the safe PDF has text`);
    }
  });
});

describe('mail: the mail-client hand-over (gio open, D-Bus activation, the file deleted at once; Xvfb, real QEMU)', function () {
  this.timeout(900_000);
  let tree: Tree;
  let bus: PrivateBus;
  let x: Display;
  let watcher: BusWatcher;
  const callerEnv = () => ({ ...tree.env, DBUS_SESSION_BUS_ADDRESS: bus.address, DISPLAY: x.display, XDG_RUNTIME_DIR: path.join(tree.top, 'run') });

  before(async () => {
    tree = makeTree();
    // --mail's own round trip is test/integration/integrate.test.ts's; here only the type the hand-over needs.
    const install = await tree.nofearctl('integrate', 'install', '--default-for', 'message/rfc822');
    assert.equal(install.exitCode, 0, install.stderr);
    mkdirSync(path.join(tree.configHome, 'nofear'), { recursive: true });
    writeFileSync(path.join(tree.configHome, 'nofear', 'config.ini'), '[pool]\nsize = 0\n');
    mkdirSync(path.join(tree.top, 'run'), { mode: 0o700 });
    x = await startXvfb();
    bus = await startPrivateBus(tree.top, { ...tree.env, XDG_RUNTIME_DIR: path.join(tree.top, 'run'), DISPLAY: x.display });
    watcher = await BusWatcher.connect(bus.address);
  });

  showBusLogOnFailure(() => bus);

  after(async () => {
    watcher?.close();
    if (bus !== undefined) await execa(process.execPath, [bin('nofearctl'), 'stop', '--all'], { env: callerEnv(), reject: false, timeout: 60_000 });
    const owner = await execa(
      'dbus-send',
      [`--bus=${bus?.address}`, '--print-reply=literal', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.nofear.NoFear'],
      { reject: false, timeout: 10_000 },
    );
    const pid = /uint32 (\d+)/.exec(owner.stdout)?.[1];
    if (pid !== undefined) process.kill(Number(pid), 'SIGTERM');
    await bus?.stop();
    await x?.stop();
    tree?.cleanup();
  });

  it('gio open of a file deleted 0.2 s after it returns still shows its window, with its own content; its attachment opens in a new VM', async () => {
    assert.equal(await tree.gioDefault('message/rfc822'), 'org.nofear.NoFear.desktop');
    const temp = path.join(tree.top, 'tmp', 'mozilla_test0');
    mkdirSync(temp, { recursive: true });
    const file = path.join(temp, 'handover.eml');
    writeFileSync(file, sampleMessage('Handed over'));
    const opened = await execa('gio', ['open', file], { env: callerEnv(), extendEnv: false, reject: false, timeout: 120_000 });
    assert.equal(opened.exitCode, 0, opened.stderr);
    await delay(200); // the mail client's habit under test, not a synchronisation
    rmSync(temp, { recursive: true });
    const [message = ''] = await watcher.waitForStarted(VM_MS);
    const sandbox = (objectPath: string): Producer => ({ what: `sandbox ${objectPath}`, alive: () => !watcher.hasExited(objectPath) });
    await watcher.windowOf(message, VM_MS);
    const view = windowTitled('handover.eml');
    assert.match((await titleOf(x, view, sandbox(message))) ?? '', /^\[NoFear:temporary\] handover\.eml — Handed over/);
    await press(x, view, sandbox(message), 'Return');
    const [attached = ''] = await watcher.waitForStarted(VM_MS);
    assert.notEqual(attached, message, 'the attachment has a VM of its own');
    await watcher.windowOf(attached, VM_MS);
    assert.match((await titleOf(x, PDF_WINDOW, sandbox(attached))) ?? '', /^\[NoFear:temporary\] report\.pdf/);
    await press(x, PDF_WINDOW, sandbox(attached), 'q', true);
    await press(x, view, sandbox(message), 'Escape', true);
    assert.equal(await watcher.exitOf(attached, VM_MS), 0);
    assert.equal(await watcher.exitOf(message, VM_MS), 0);
  });
});
