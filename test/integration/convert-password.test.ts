// nofear-open --convert --password-stdin with real VMs: a PDF protected by a password (qpdf, AES-256), an
// .odt (an encrypted ODF package) and a .docx (OOXML in an encrypted container) LibreOffice stored with one
// convert with the right password read from stdin to unprotected safe PDFs; a wrong one, and none, end with
// their own typed errors naming the fix, for the legacy .xls and .doc (Excel's and Word's RC4) as well, which
// LibreOffice reports only by asking for the password. Throughout, every /proc/*/cmdline and environ this
// user can read is sampled, and afterwards every file of the test's tree, the runtime, state, cache and
// nofear.log is read: neither password is anywhere on the host but in the test and NoFear's memory. Three
// runs at once (a PDF, the .odt and the .docx with the right password; a PDF, the .odt and the .xls with a
// wrong one; a PDF, the .docx and the .doc with none), each converting one file at a time: at most three VMs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { bin, leftoverSandboxes, makeTestEnv, type TestEnv } from '../helpers/cli.js';
import { makeProtectedDocuments } from '../helpers/office-docs.js';
import { filesHolding, sampleProcesses } from '../helpers/secrets.js';

const SPEC = '/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf';

async function nofearOpen(args: string[], t: TestEnv, env: Record<string, string>, input: string | undefined) {
  // Under a loaded TCG host a VM takes minutes: the runs end on the program's own exit.
  const stdio = input === undefined ? { stdin: 'ignore' as const } : { input };
  const result = await execa(process.execPath, [bin('nofear-open'), ...args], { env: { ...t.env, ...env }, reject: false, timeout: 900_000, ...stdio });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
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

  it('on a terminal: asked without echo, and Ctrl-C at the prompt cancels with its own error before any VM (a real pty, no VM)', async () => {
    const file = path.join(dir, 'terminal.pdf');
    await execa('qpdf', ['--empty', '--pages', SPEC, '1', '--', file]);
    const typed = `t-${randomBytes(6).toString('hex')}`;
    const run = execa('script', ['-q', '-e', '-c', 'exec "$NODE" "$NOFEAR_OPEN" --convert --password-stdin "$FILE"', '/dev/null'], {
      env: { ...t.env, SHELL: '/bin/sh', NODE: process.execPath, NOFEAR_OPEN: bin('nofear-open'), FILE: file, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
      stdin: 'pipe',
      reject: false,
      timeout: 120_000,
    });
    let output = '';
    const asked = new Promise<void>((resolve) => {
      run.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Password for the protected documents (not shown): ')) resolve();
      });
    });
    // Ends on the prompt, or when nofear-open (and so script) has ended without one.
    await Promise.race([asked, run]);
    run.stdin?.write(`${typed}\x7f`);
    run.stdin?.write('\x03'); // Ctrl-C: in the prompt's raw mode a key like any other, which cancels
    const result = await run;
    assert.match(output, /Password for the protected documents \(not shown\): /, output);
    assert.ok(!output.includes(typed.slice(0, -1)), `the typed password was echoed:\n${output}`);
    assert.match(output, /No password was typed: the conversion did not start/, output);
    assert.notEqual(result.exitCode, 0, output);
    assert.ok(!existsSync(path.join(dir, 'terminal.safe.pdf')), 'nothing converted');
    assert.deepEqual(leftoverSandboxes(t), [], 'no VM was started');
  });

  it('the right password: an unprotected safe PDF of a PDF, an .odt and a .docx; a wrong one and none: their errors, for .xls and .doc too; neither password anywhere on the host', async () => {
    // At most 15 characters: Word's and Excel's 97 formats take no more, and LibreOffice stores a document
    // with a longer one unencrypted (seen: any password, or none, then opened it).
    const password = `r-${randomBytes(6).toString('hex')}`;
    const wrong = `w-${randomBytes(6).toString('hex')}`;
    const page = path.join(dir, 'page.pdf');
    await execa('qpdf', ['--empty', '--pages', SPEC, '1', '--', page]);
    const cases = ['right', 'wrong', 'none'].map((name) => ({ name, folder: path.join(dir, name), file: path.join(dir, name, `${name}.pdf`) }));
    for (const c of cases) {
      mkdirSync(c.folder);
      // qpdf takes the passwords in its argv: the test's own setting-up, over before the sampling starts.
      await execa('qpdf', ['--encrypt', password, `owner-${password}`, '256', '--', page, c.file]);
    }
    assert.match((await execa('pdfinfo', [cases[0]!.file], { reject: false })).stderr, /Incorrect password/, "the test's premise: the PDF cannot be read without its password");
    // The office documents, each protected by the right password (made before the sampling too: the script gets it on stdin).
    const [rightOdt, rightDocx, wrongOdt, wrongXls, noneDocx, noneDoc] = await makeProtectedDocuments(dir, password, [
      { file: path.join(cases[0]!.folder, 'letter.odt'), format: 'odt' },
      { file: path.join(cases[0]!.folder, 'memo.docx'), format: 'docx' },
      { file: path.join(cases[1]!.folder, 'letter.odt'), format: 'odt' },
      { file: path.join(cases[1]!.folder, 'sheet.xls'), format: 'xls' },
      { file: path.join(cases[2]!.folder, 'memo.docx'), format: 'docx' },
      { file: path.join(cases[2]!.folder, 'notes.doc'), format: 'doc' },
    ]);
    assert.match((await execa('unzip', ['-p', rightOdt!.file, 'META-INF/manifest.xml'])).stdout, /encryption-data/, "the test's premise: the .odt is encrypted");
    assert.match((await execa('file', ['-b', rightDocx!.file])).stdout, /CDFV2 Encrypted/, "the test's premise: the .docx is encrypted");
    const state = path.join(dir, 'state');
    const config = path.join(dir, 'config');
    // One conversion at a time per run: at most three VMs at once on a loaded machine, as before the .odt.
    mkdirSync(path.join(config, 'nofear'), { recursive: true });
    writeFileSync(path.join(config, 'nofear', 'config.ini'), '[service]\nmax_sandboxes = 1\n');
    const env = { XDG_STATE_HOME: state, XDG_CONFIG_HOME: config, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };

    const sampling = sampleProcesses([password, wrong]);
    const [right, wrongRun, none] = await Promise.all([
      nofearOpen(['--convert', '--password-stdin', cases[0]!.file, rightOdt!.file, rightDocx!.file], t, env, `${password}\n`),
      nofearOpen(['--convert', '--password-stdin', cases[1]!.file, wrongOdt!.file, wrongXls!.file], t, env, `${wrong}\n`),
      nofearOpen(['--convert', cases[2]!.file, noneDocx!.file, noneDoc!.file], t, env, undefined),
    ]);
    const seen = sampling.stop();

    assert.equal(right.exitCode, 0, right.stderr);
    const safe = path.join(cases[0]!.folder, 'right.safe.pdf');
    const safeOdt = path.join(cases[0]!.folder, 'letter.safe.pdf');
    const safeDocx = path.join(cases[0]!.folder, 'memo.safe.pdf');
    assert.deepEqual(right.stdout.trim().split('\n').sort(), [safeOdt, safe, safeDocx].sort());
    for (const [output, pages] of [
      [safe, 1],
      [safeOdt, rightOdt!.pages],
      [safeDocx, rightDocx!.pages],
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
    assert.match(wrongRun.stderr, /The password given does not open .*sheet\.xls \(WrongPassword\)/);
    assert.equal(none.exitCode, 125, none.stderr);
    assert.match(none.stderr, /none\.pdf is protected by a password, and none was given \(PasswordNeeded\)/);
    assert.match(none.stderr, /Fix: give the password on stdin .*: nofear-open --convert --password-stdin .*none\.pdf/);
    assert.match(none.stderr, /memo\.docx is protected by a password, and none was given \(PasswordNeeded\)/);
    assert.match(none.stderr, /notes\.doc is protected by a password, and none was given \(PasswordNeeded\)/);
    for (const c of cases.slice(1)) assert.ok(!existsSync(path.join(c.folder, `${c.name}.safe.pdf`)), `${c.name}: nothing written`);
    for (const [folder, names] of [
      [cases[1]!.folder, ['letter', 'sheet']],
      [cases[2]!.folder, ['memo', 'notes']],
    ] as const) {
      for (const name of names) assert.ok(!existsSync(path.join(folder, `${name}.safe.pdf`)), `${name}: nothing written without the right password`);
    }

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
