// nofear-open --convert --password-stdin with real VMs: a PDF protected by a password (qpdf, AES-256) and
// an .odt LibreOffice stored with one (an encrypted ODF package) convert with the right password read
// from stdin to unprotected safe PDFs; a wrong one, and none, end with their own typed errors naming the
// fix. Throughout, every /proc/*/cmdline and environ this user can read is sampled, and afterwards every
// file of the test's tree, the runtime, state, cache and nofear.log is read: neither password is anywhere
// on the host but in the test and NoFear's memory. Three runs at once (a PDF and the .odt with the right
// and the wrong password, a PDF with none), each converting one file at a time: at most three VMs at once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { bin, leftoverSandboxes, makeTestEnv, type TestEnv } from '../helpers/cli.js';
import { makeProtectedOdt } from '../helpers/office-docs.js';

const SPEC = '/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf';

async function nofearOpen(args: string[], t: TestEnv, env: Record<string, string>, input: string | undefined) {
  // Under a loaded TCG host a VM takes minutes: the runs end on the program's own exit.
  const stdio = input === undefined ? { stdin: 'ignore' as const } : { input };
  const result = await execa(process.execPath, [bin('nofear-open'), ...args], { env: { ...t.env, ...env }, reject: false, timeout: 900_000, ...stdio });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Every regular file under `root` (symlinks not followed) whose bytes hold one of `secrets`. */
function filesHolding(root: string, secrets: readonly string[]): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      const stat = lstatSync(file);
      if (stat.isDirectory()) walk(file);
      else if (stat.isFile()) {
        const bytes = readFileSync(file);
        if (secrets.some((secret) => bytes.includes(secret))) found.push(file);
      }
    }
  };
  walk(root);
  return found;
}

/** Samples every readable /proc/PID/cmdline and environ until stopped: which held a secret, and how many QEMUs were seen. */
function sampleProcesses(secrets: readonly string[]) {
  const hits = new Set<string>();
  let qemus = 0;
  let samples = 0;
  const sample = () => {
    samples++;
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      for (const part of ['cmdline', 'environ']) {
        try {
          const bytes = readFileSync(`/proc/${pid}/${part}`);
          if (part === 'cmdline' && bytes.includes('qemu-system')) qemus++;
          if (secrets.some((secret) => bytes.includes(secret))) hits.add(`${pid} ${part}: ${bytes.toString('utf8').replaceAll('\0', ' ').slice(0, 200)}`);
        } catch {
          // gone meanwhile, or another user's
        }
      }
    }
  };
  const timer = setInterval(sample, 100);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { hits: [...hits], qemus, samples };
    },
  };
}

describe('nofear-open --convert --password-stdin: protected PDFs and office documents (real QEMU, real LibreOffice)', function () {
  let t: TestEnv;
  let dir: string;
  before(() => {
    t = makeTestEnv();
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-password-'));
  });
  after(() => {
    t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => assert.deepEqual(leftoverSandboxes(t), [], 'a sandbox directory was left behind'));

  it('the right password: an unprotected safe PDF of a PDF and of an .odt; a wrong one and none: their errors; neither password anywhere on the host', async () => {
    const password = `right-${randomBytes(9).toString('hex')}`;
    const wrong = `wrong-${randomBytes(9).toString('hex')}`;
    const page = path.join(dir, 'page.pdf');
    await execa('qpdf', ['--empty', '--pages', SPEC, '1', '--', page]);
    const cases = ['right', 'wrong', 'none'].map((name) => ({ name, folder: path.join(dir, name), file: path.join(dir, name, `${name}.pdf`) }));
    for (const c of cases) {
      mkdirSync(c.folder);
      // qpdf takes the passwords in its argv: the test's own setting-up, over before the sampling starts.
      await execa('qpdf', ['--encrypt', password, `owner-${password}`, '256', '--', page, c.file]);
    }
    assert.match((await execa('pdfinfo', [cases[0]!.file], { reject: false })).stderr, /Incorrect password/, "the test's premise: the PDF cannot be read without its password");
    // The same office document with each password (made before the sampling too: the script gets it on stdin).
    const [rightOdt, wrongOdt] = [await makeProtectedOdt(cases[0]!.folder, password), await makeProtectedOdt(cases[1]!.folder, password)];
    assert.match((await execa('unzip', ['-p', rightOdt.file, 'META-INF/manifest.xml'])).stdout, /encryption-data/, "the test's premise: the .odt is encrypted");
    const state = path.join(dir, 'state');
    const config = path.join(dir, 'config');
    // One conversion at a time per run: at most three VMs at once on a loaded machine, as before the .odt.
    mkdirSync(path.join(config, 'nofear'), { recursive: true });
    writeFileSync(path.join(config, 'nofear', 'config.ini'), '[service]\nmax_sandboxes = 1\n');
    const env = { XDG_STATE_HOME: state, XDG_CONFIG_HOME: config, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };

    const sampling = sampleProcesses([password, wrong]);
    const [right, wrongRun, none] = await Promise.all([
      nofearOpen(['--convert', '--password-stdin', cases[0]!.file, rightOdt.file], t, env, `${password}\n`),
      nofearOpen(['--convert', '--password-stdin', cases[1]!.file, wrongOdt.file], t, env, `${wrong}\n`),
      nofearOpen(['--convert', cases[2]!.file], t, env, undefined),
    ]);
    const seen = sampling.stop();

    assert.equal(right.exitCode, 0, right.stderr);
    const safe = path.join(cases[0]!.folder, 'right.safe.pdf');
    const safeOdt = path.join(cases[0]!.folder, 'letter.safe.pdf');
    assert.deepEqual(right.stdout.trim().split('\n').sort(), [safeOdt, safe].sort());
    for (const [output, pages] of [
      [safe, 1],
      [safeOdt, rightOdt.pages],
    ] as const) {
      const info = (await execa('pdfinfo', [output])).stdout;
      assert.match(info, new RegExp(`^Pages: +${pages}$`, 'm'), output);
      assert.match(info, /^Encrypted: +no$/m, `${output}: the safe PDF is not protected`);
    }

    assert.equal(wrongRun.exitCode, 125, wrongRun.stderr);
    assert.match(wrongRun.stderr, /The password given does not open .*wrong\.pdf \(WrongPassword\)/);
    assert.match(wrongRun.stderr, /Fix: check the password .*: nofear-open --convert --password-stdin .*wrong\.pdf/);
    assert.match(wrongRun.stderr, /The password given does not open .*letter\.odt \(WrongPassword\)/);
    assert.match(wrongRun.stderr, /Fix: check the password .*: nofear-open --convert --password-stdin .*letter\.odt/);
    assert.equal(none.exitCode, 125, none.stderr);
    assert.match(none.stderr, /none\.pdf is protected by a password, and none was given \(PasswordNeeded\)/);
    assert.match(none.stderr, /Fix: give the password on stdin .*: nofear-open --convert --password-stdin .*none\.pdf/);
    for (const c of cases.slice(1)) assert.ok(!existsSync(path.join(c.folder, `${c.name}.safe.pdf`)), `${c.name}: nothing written`);
    assert.ok(!existsSync(path.join(cases[1]!.folder, 'letter.safe.pdf')), 'the .odt with a wrong password: nothing written');

    // Nowhere on the host: no argv or environment while it ran, no file after, not in what NoFear printed or logged.
    assert.ok(seen.qemus > 0, `the sampling saw the VMs' QEMU (${seen.samples} samples)`);
    assert.deepEqual(seen.hits, [], 'a process held a password in its argv or environment');
    const log = path.join(state, 'nofear', 'nofear.log');
    assert.match(readFileSync(log, 'utf8'), /WrongPassword/, 'the failures are in nofear.log');
    const top = path.dirname(path.dirname(t.runtimeBase));
    const trees = [dir, top, path.join(homedir(), '.cache', 'nofear'), path.join(homedir(), '.local', 'state', 'nofear')];
    // The protected PDFs hold only hashes of it (AES-256, revision 6), so they are read too.
    assert.deepEqual(
      trees.flatMap((tree) => filesHolding(tree, [password, wrong])),
      [],
      'a file on the host holds a password',
    );
    for (const run of [right, wrongRun, none]) assert.ok(!`${run.stdout}${run.stderr}`.includes(password) && !`${run.stdout}${run.stderr}`.includes(wrong), 'NoFear printed a password');
  });
});
