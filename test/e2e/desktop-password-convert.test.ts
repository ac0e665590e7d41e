// `nofear-open --convert` on a password-protected PDF started as a file manager starts it: no terminal,
// stdin /dev/null, stderr a pipe, a DISPLAY (Xvfb) and a session bus (a private dbus-daemon whose
// org.freedesktop.Notifications and FileManager1 are the recording stand-in the other desktop tests use).
// The real conversion VM says PasswordNeeded, the real zenity asks (its window found on the display), the
// test types the password into it as a person would (real key events to the focused window), a second VM
// converts with it, and the "… is ready" notification offers Open and Show in folder; Open shows the safe
// PDF in the previous default viewer (mupdf). Throughout, every readable argv and environment is sampled;
// afterwards every file of the run's trees is read: the password is nowhere on the host. Two cold VMs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { bin, leftoverSandboxes, makeTestEnv, ROOT, type TestEnv } from '../helpers/cli.js';
import { pressNotificationButton, startListener, startPrivateBus, type Listener, type PrivateBus } from '../helpers/private-bus.js';
import { filesHolding, sampleProcesses } from '../helpers/secrets.js';
import { startXvfb, waitForWindow, type Display } from '../helpers/xvfb.js';
import { typeIntoPrompt } from '../helpers/desktop-prompt.js';

const SPEC = '/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf';
const VM_MS = 300_000;

/** Host processes whose argv holds `file` and whose program is `program`: to end the viewer Open started. */
function processesOf(program: string, file: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv.includes(file) && path.basename(argv[0] ?? '').startsWith(program);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('nofear-open --convert from a file manager on a protected PDF: the desktop prompt, a second conversion, Open (Xvfb, private bus, real QEMU, real zenity)', function () {
  this.timeout(2 * VM_MS + 120_000);
  let t: TestEnv;
  let dir: string;
  let x: Display;
  let bus: PrivateBus;
  let server: Listener;

  before(async () => {
    t = makeTestEnv();
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-desktop-password-'));
    x = await startXvfb();
    bus = await startPrivateBus(dir, {}, { activation: false });
    server = await startListener(path.join(ROOT, 'test', 'fixtures', 'nofear-bus-listener.py'), bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications,org.freedesktop.FileManager1' });
  });
  after(async () => {
    if (t !== undefined && leftoverSandboxes(t).length > 0) await execa(process.execPath, [bin('nofearctl'), 'stop', '--all'], { env: t.env, reject: false, timeout: 60_000 });
    await server?.stop();
    await bus?.stop();
    await x?.stop();
    t?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('PasswordNeeded → zenity asks → the typed password converts it → "report.safe.pdf is ready" with Open; the password in no argv, environment or file', async () => {
    const password = `d-${randomBytes(6).toString('hex')}`;
    const folder = path.join(dir, 'my files');
    mkdirSync(folder);
    const page = path.join(dir, 'page.pdf');
    const file = path.join(folder, 'report.pdf');
    await execa('qpdf', ['--empty', '--pages', SPEC, '1', '--', page]);
    // qpdf takes the password in its argv: the test's own setting-up, over before the sampling starts.
    await execa('qpdf', ['--encrypt', password, `owner-${password}`, '256', '--', page, file]);
    rmSync(page);
    assert.match((await execa('pdfinfo', [file], { reject: false })).stderr, /Incorrect password/, "the test's premise: the PDF cannot be read without its password");
    const state = path.join(dir, 'state');
    const config = path.join(dir, 'config');
    mkdirSync(path.join(config, 'nofear'), { recursive: true });
    writeFileSync(path.join(config, 'nofear', 'config.ini'), '[service]\nmax_sandboxes = 1\n');
    const env = { ...t.env, XDG_STATE_HOME: state, XDG_CONFIG_HOME: config, DISPLAY: x.display, DBUS_SESSION_BUS_ADDRESS: bus.address };

    const sampling = sampleProcesses([password]);
    // As a file manager starts it: stdin /dev/null ('ignore'), no terminal, stdout and stderr pipes.
    const run = execa(process.execPath, [bin('nofear-open'), '--convert', '--verbose', file], { env, stdin: 'ignore', reject: false, timeout: 2 * VM_MS });
    const safe = path.join(folder, 'report.safe.pdf');
    let viewers: number[] = [];
    try {
      // The first VM finds the PDF protected; only then does zenity ask (the wait ends if nofear-open does).
      await typeIntoPrompt(x.display, '^NoFear: password$', password, VM_MS, run);
      const shown = await server.waitFor((r) => r.method === 'Notify' && r.args?.[3] === 'report.safe.pdf is ready', VM_MS);
      assert.deepEqual(shown.args?.[5], ['open', 'Open', 'show-in-folder', 'Show in folder']);
      const id = server.records.filter((r) => r.method === 'Notify').indexOf(shown) + 1;
      await pressNotificationButton(bus.address, id, 'open');
      await waitForWindow(x.display, 'report\\.safe\\.pdf', 60_000);
      viewers = processesOf('mupdf', safe);
      assert.ok(viewers.length > 0, 'Open started mupdf on the host with the safe PDF');
    } catch (error) {
      // A failure before the notification must not leave nofear-open (and its VM) to its 10 min deadline, nor the sampling running.
      run.kill('SIGTERM');
      await run;
      sampling.stop();
      for (const pid of viewers) process.kill(pid, 'SIGTERM');
      throw error;
    }
    const result = await run;
    const seen = sampling.stop();
    for (const pid of viewers) process.kill(pid, 'SIGTERM');

    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout.trim(), safe);
    assert.match(result.stderr, /1 protected: asking for the password with a desktop prompt/, 'the first conversion found it protected');
    const info = (await execa('pdfinfo', [safe])).stdout;
    assert.match(info, /^Pages: +1$/m);
    assert.match(info, /^Encrypted: +no$/m, 'the safe PDF is not protected');
    assert.deepEqual(leftoverSandboxes(t), [], 'a sandbox directory was left behind');

    assert.ok(seen.qemus > 0, `the sampling saw the VMs' QEMU (${seen.samples} samples)`);
    assert.deepEqual(seen.hits, [], 'a process held the password in its argv or environment');
    const trees = [dir, path.dirname(path.dirname(t.runtimeBase)), path.join(homedir(), '.cache', 'nofear')];
    // The protected PDF holds only hashes of it (AES-256, revision 6), so it is read too.
    assert.deepEqual(
      trees.flatMap((tree) => filesHolding(tree, [password])),
      [],
      'a file on the host holds the password',
    );
    assert.ok(!`${result.stdout}${result.stderr}`.includes(password), 'NoFear printed the password');
  });
});
