// Issue 25's defects 6-10, each driven through the compiled commands a person runs (dist/), so that each
// assertion fails on the behaviour of before the change (test/defects-25.md lists which test covers which
// defect and how it failed at 29f31d1). No VM: where a command would boot one, NOFEAR_QEMU names a QEMU
// that does not exist, so any boot fails at once and the answer must come before it.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { bin } from '../helpers/cli.js';

/** A display number no test machine serves (no socket, no abstract socket): nothing answers there. */
const NO_SERVER_DISPLAY = ':7193';
const NO_QEMU = '/nonexistent/qemu-system-x86_64';

describe('issue 25 defects 6-10 through the compiled commands', function () {
  this.timeout(120_000);
  let dir: string;
  let pdf: string;
  /** A home, runtime, data, config and state of its own; the kernel cache is the caller's (fetched once). */
  const baseEnv = (): Record<string, string> => ({
    HOME: path.join(dir, 'home'),
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    XDG_RUNTIME_DIR: path.join(dir, 'run'),
    XDG_DATA_HOME: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_STATE_HOME: path.join(dir, 'state'),
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'),
  });
  /** As a file manager or a script runs it: stdin /dev/null, stdout and stderr pipes. */
  const run = (name: 'nofear' | 'nofear-open' | 'nofearctl', args: string[], extra: Record<string, string> = {}) =>
    execa(process.execPath, [bin(name), ...args], { env: { ...baseEnv(), ...extra }, extendEnv: false, stdin: 'ignore', reject: false, timeout: 90_000 });

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-defects-'));
    for (const sub of ['home', 'data', 'config', 'state']) mkdirSync(path.join(dir, sub));
    mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
    pdf = path.join(dir, 'report.pdf');
    writeFileSync(pdf, samplePdf());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('doctor tells the truth (defect 6)', () => {
    it('reads [vm] accel = kvm from config.ini as the VMs do: a forced KVM that is not there is a failure, not "falling back to TCG"', async () => {
      const config = path.join(dir, 'kvm-config');
      mkdirSync(path.join(config, 'nofear'), { recursive: true });
      writeFileSync(path.join(config, 'nofear', 'config.ini'), '[vm]\naccel = kvm\n');
      const result = await run('nofearctl', ['doctor'], { XDG_CONFIG_HOME: config, NOFEAR_KVM_DEVICE: '/nonexistent/kvm' });
      const line = result.stdout.split('\n').find((l) => /accelerator/.test(l)) ?? '';
      assert.doesNotMatch(line, /falling back to TCG/, result.stdout);
      assert.match(line, /^FAIL +accelerator +KVM is forced \(accel = kvm in config\.ini\)/, result.stdout);
      assert.notEqual(result.exitCode, 0, 'a forced accelerator that cannot work is a failure');
    });

    it('checks NOFEAR_ACCEL=kvm instead of trusting it: with no /dev/kvm it fails, naming the fix', async () => {
      const result = await run('nofearctl', ['doctor'], { NOFEAR_ACCEL: 'kvm', NOFEAR_KVM_DEVICE: '/nonexistent/kvm' });
      const line = result.stdout.split('\n').find((l) => /accelerator/.test(l)) ?? '';
      assert.match(line, /^FAIL +accelerator +KVM is forced \(NOFEAR_ACCEL=kvm\) but/, result.stdout);
      assert.match(result.stdout, /fix: unset NOFEAR_ACCEL/);
    });

    it('quotes no fixed timings before this machine has been measured', async () => {
      const result = await run('nofearctl', ['doctor'], { NOFEAR_KVM_DEVICE: '/nonexistent/kvm' });
      assert.match(result.stdout, /accelerator/, result.stderr);
      assert.doesNotMatch(result.stdout, /~\d+ s/, 'a fixed figure, not a measurement');
    });
  });

  describe('the display is checked before the boot (defect 7)', () => {
    it('a DISPLAY with no X server is named before any VM (none could start here), with no sandbox made', async () => {
      const result = await run('nofear-open', ['--no-service', pdf], { DISPLAY: NO_SERVER_DISPLAY, NOFEAR_QEMU: NO_QEMU });
      assert.equal(result.exitCode, 125, result.stderr);
      assert.match(result.stderr, new RegExp(`Can't open display ${NO_SERVER_DISPLAY}: no X server answers there.* Fix: set DISPLAY`), `the display, not the VM, is the answer: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /QEMU/, 'no boot was tried');
    });

    it('Wayland without XWayland names the real fix (install XWayland), not "run nofear from a desktop session"', async () => {
      const result = await run('nofear-open', ['--no-service', pdf], { WAYLAND_DISPLAY: 'wayland-0', NOFEAR_QEMU: NO_QEMU });
      assert.equal(result.exitCode, 125, result.stderr);
      assert.match(result.stderr, /Wayland session \(wayland-0\) has no XWayland.* Fix: install XWayland/);
      assert.doesNotMatch(result.stderr, /desktop session/);
    });
  });

  it('nofear-open --help no longer says it exits once the windows are open: in-process it stays until its VMs end (defect 8)', async () => {
    const result = await run('nofear-open', ['--help']);
    assert.equal(result.exitCode, 0, result.stderr);
    const help = result.stdout.replace(/\s+/g, ' ');
    assert.doesNotMatch(help, /exits 0 once the windows are open/);
    assert.match(help, /stays in the foreground until its VMs end: close the window to finish; Ctrl-C stops it/);
  });

  describe('the three commands agree (defect 9)', () => {
    it('nofear-open takes -p as nofear does (its own answer for a profile, not "unknown option -p")', async () => {
      const result = await run('nofear-open', ['--dry-run', '-p', 'work', pdf]);
      assert.doesNotMatch(result.stderr, /unknown option -p/);
      assert.match(result.stderr, /^nofear-open: --profile takes only "temporary"/);
    });

    it('an option after a file is refused as one, not taken for a file that does not exist', async () => {
      const result = await run('nofear-open', ['--dry-run', pdf, '--wait']);
      assert.equal(result.exitCode, 125, result.stderr);
      assert.doesNotMatch(result.stderr, /--wait does not exist/);
      assert.match(result.stderr, /--wait comes after a file: options go before the files \(or put -- before a file named like an option\)\. Fix: nofear-open --wait /);
    });

    it('fixes name the command that was run and only the options given', async () => {
      const profile = await run('nofearctl', ['profiles', 'create', 'a b']);
      assert.match(profile.stderr, /^nofearctl: Bad profile name "a b"/);
      assert.doesNotMatch(profile.stderr, /Fix: nofear -p/, `a fix in another command: ${profile.stderr}`);
      const output = await run('nofear-open', ['--output', dir, pdf]);
      assert.match(output.stderr, /--output goes with --convert\. Fix: nofear-open --convert --output/);
      assert.doesNotMatch(output.stderr, /--ocr/, 'an option that was not given');
      const saveBack = await run('nofear-open', ['--save-back=sometimes', pdf]);
      assert.match(saveBack.stderr, /Fix: nofear-open --edit --save-back ask /, 'a line that works needs --edit');
    });

    it('asks "did you mean" for a mistyped subcommand, and refuses nofear -l -t instead of ignoring -t', async () => {
      const typo = await run('nofearctl', ['sotp']);
      assert.match(typo.stderr, /unknown command "sotp": did you mean stop\?/);
      const listed = await run('nofear', ['-l', '-t']);
      assert.equal(listed.exitCode, 125, listed.stdout);
      assert.match(listed.stderr, /^nofear: .*-t would do nothing with them/);
    });

    it('doctor takes --json as ps and integrate status do; ps and stop --all say "no sandboxes running" alike', async () => {
      const result = await run('nofearctl', ['doctor', '--json'], { NOFEAR_KVM_DEVICE: '/nonexistent/kvm' });
      assert.match(result.stdout, /^\{/, result.stderr);
      const report = JSON.parse(result.stdout) as { checks: { name: string; status: string }[] };
      assert.ok(
        report.checks.some((c) => c.name === 'accelerator'),
        result.stdout,
      );
      assert.equal((await run('nofearctl', ['ps'])).stdout, 'no sandboxes running');
      assert.equal((await run('nofearctl', ['stop', '--all'])).stdout, 'no sandboxes running');
    });
  });

  describe('a mistyped profile is not made silently (defect 10)', () => {
    it('nofear -p wrok, with a profile "work", is refused with "did you mean work?" and makes no profile', async () => {
      const made = await run('nofear', ['-n', 'work']);
      assert.equal(made.exitCode, 0, made.stderr);
      const typo = await run('nofear', ['-p', 'wrok', '--', 'true'], { NOFEAR_QEMU: NO_QEMU });
      assert.equal(typo.exitCode, 125, typo.stderr);
      assert.match(typo.stderr, /there is no profile "wrok": did you mean work\? \(nofear -n wrok creates it\) Fix: nofear -p work true/);
      const listed = await run('nofear', ['-l']);
      assert.doesNotMatch(listed.stdout, /^wrok /m, 'the typo made a profile');
    });

    it('a really new name is made on first use, with a notice on stderr even when it is not a terminal', async () => {
      const fresh = await run('nofear', ['-p', 'client-2024', '--', 'true'], { NOFEAR_QEMU: NO_QEMU });
      assert.match(fresh.stderr, /^nofear: creating profile client-2024 \(it did not exist; nofear -l lists the profiles\)$/m);
    });
  });
});
