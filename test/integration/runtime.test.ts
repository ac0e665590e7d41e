// The VM runtime end to end: real QEMU boots under TCG, the compiled `nofear` command.
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { bin, leftoverSandboxes, makeTestEnv, runCli, startCli, type TestEnv } from '../helpers/cli.js';
import { pollUntil } from '../../src/util/poll.js';
import { identify, isAlive, waitGone, type ProcessIdentity } from '../../src/util/proc.js';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The QEMU (after its jail exec'd it) whose control socket, under `runtimeBase`, listens: its guest is booting. */
function qemuUnder(runtimeBase: string): ProcessIdentity | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    const control = argv.map((arg) => /path=([^,]+\/control\.sock)/.exec(arg)?.[1]).find((found) => found?.startsWith(`${runtimeBase}/`));
    if (argv[0]?.endsWith('/qemu-system-x86_64') && control !== undefined && existsSync(control)) return identify(Number(name));
  }
  return undefined;
}

describe('nofear (VM runtime, real QEMU)', function () {
  let t: TestEnv;
  before(() => {
    t = makeTestEnv();
  });
  after(() => t.cleanup());
  afterEach(function () {
    if (this.currentTest?.state === 'passed') assert.deepEqual(leftoverSandboxes(t), [], 'a sandbox directory was left behind');
  });

  it('keeps stdout and stderr apart, returns the guest exit status, and gives the command its arguments and environment byte for byte, its hostname and a machine id', async () => {
    // Plain words travel as they are, anything else base64 (control-protocol.ts): both kinds, and an empty argument.
    const script = 'printf "[%s]" "$@"; echo; echo "$HOME $LANG"; uname -n; cat /etc/hostname; grep -c "^[0-9a-f]\\{32\\}$" /etc/machine-id; echo err >&2; exit 7';
    const result = await runCli('nofear', ['-t', '--', 'sh', '-c', script, 'sh', 'plain-word', 'two words', '$HOME*', '', 'é\ttab'], t, { env: { LANG: 'C.UTF-8' } });
    assert.equal(result.stdout.toString(), '[plain-word][two words][$HOME*][][é\ttab]\n/home/user C.UTF-8\nnofear-temporary\nnofear-temporary\n1\n');
    assert.equal(result.stderr, 'err\n');
    assert.equal(result.exitCode, 7);
  });

  it('pipes 1 MiB of random bytes through the guest byte for byte', async () => {
    const input = randomBytes(1024 * 1024);
    const result = await runCli('nofear', ['-t', '--', 'cat'], t, { input });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout.length, input.length);
    assert.ok(result.stdout.equals(input), 'the bytes that came back differ');
  });

  it("never shows the host's /etc or home, keeps /usr writes in the guest, and has no network but lo", async () => {
    const homeMarker = path.join(os.homedir(), `.nofear-home-marker-${process.pid}`);
    writeFileSync(homeMarker, 'host home secret\n');
    const etcMarker = process.env.NOFEAR_TEST_ETC_MARKER ?? '';
    const hostUser = os.userInfo().username;
    const probe = `/usr/share/nofear-probe-${process.pid}`;
    const existing = '/usr/share/common-licenses/GPL-3';
    const before = sha(existing);
    try {
      const script = [
        `ls -a ${homeMarker} 2>/dev/null && echo SEEN-HOME`,
        etcMarker ? `ls ${etcMarker} 2>/dev/null && echo SEEN-ETC` : 'true',
        // The host's own account line (root and "user" exist in the guest's generated passwd too).
        ['root', 'user'].includes(hostUser) ? 'true' : `grep -q '^${hostUser}:' /etc/passwd && echo SEEN-HOST-PASSWD`,
        `ls /home`,
        `echo written > ${probe} && cat ${probe}`,
        `echo appended >> ${existing} && tail -n 1 ${existing}`,
        `tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '`,
      ].join('; ');
      const result = await runCli('nofear', ['-t', '--root', '--', 'sh', '-c', script], t);
      const out = result.stdout.toString();
      assert.equal(result.exitCode, 0, result.stderr);
      assert.doesNotMatch(out, /SEEN-/);
      assert.deepEqual(out.trim().split('\n'), ['user', 'written', 'appended', 'lo']);
      assert.equal(existsSync(probe), false, 'a guest write reached the host /usr');
      assert.equal(sha(existing), before, 'a host file in /usr changed');
    } finally {
      rmSync(homeMarker, { force: true });
    }
  });

  it('keeps a persistent profile between runs, deletes it with -d, and -t leaves nothing on disk', async () => {
    const first = await runCli('nofear', ['-p', 'work', '--', 'sh', '-c', 'echo kept > ~/note'], t);
    assert.equal(first.exitCode, 0, first.stderr);
    const second = await runCli('nofear', ['-p', 'work', '--', 'cat', '/home/user/note'], t);
    assert.equal(second.stdout.toString(), 'kept\n');
    const listed = await runCli('nofear', ['-l'], t);
    assert.match(listed.stdout.toString(), /^work\s/m);
    const profileDir = path.join(t.dataHome, 'nofear', 'profiles', 'work');
    assert.ok(existsSync(profileDir));
    assert.equal((await runCli('nofear', ['-d', 'work'], t)).exitCode, 0);
    assert.equal(existsSync(profileDir), false);

    const temporary = await runCli('nofear', ['-t', '--', 'sh', '-c', 'echo gone > ~/note'], t);
    assert.equal(temporary.exitCode, 0, temporary.stderr);
    assert.equal(existsSync(path.join(t.dataHome, 'nofear')), true); // the profiles dir from above
    assert.deepEqual((await runCli('nofear', ['-l'], t)).stdout.toString().startsWith('no profiles'), true);
  });

  it('refuses a second VM on a profile that is in use', async () => {
    const holder = startCli('nofear', ['-p', 'busy', '--', 'sh', '-c', 'echo up; exec sleep 600'], t);
    // Wait for the event (the guest says "up"), not for a time.
    await new Promise<void>((resolve, reject) => {
      holder.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('up')) resolve();
      });
      void holder.then(() => reject(new Error('the first VM ended early')));
    });
    const second = await runCli('nofear', ['-p', 'busy', 'true'], t);
    assert.equal(second.exitCode, 125);
    assert.match(second.stderr, /in use/);
    holder.kill('SIGTERM');
    const ended = await holder;
    assert.equal(ended.exitCode, 143);
  });

  it('gives a one-line error naming the fix, exit 125 and nothing created, for bad input', async () => {
    const cases: [string[], RegExp][] = [
      [['--bogus'], /unknown option --bogus.*Fix: /],
      [['-p', 'bad/name', 'true'], /Bad profile name.*Fix: /],
      [['-t', '-f', '/nonexistent-dir', 'true'], /does not exist.*Fix: mkdir/],
      [['-t', '--mem', '99999999', 'true'], /exceeds host physical RAM.*Fix: /],
    ];
    for (const [args, message] of cases) {
      const result = await runCli('nofear', args, t);
      assert.equal(result.exitCode, 125, args.join(' '));
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, `not one line: ${result.stderr}`);
      assert.equal(result.stdout.length, 0);
    }
    assert.equal(existsSync(path.join(t.dataHome, 'nofear', 'profiles', 'bad')), false);
    assert.deepEqual(leftoverSandboxes(t), []);
  });

  for (const [signal, status] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const) {
    it(`stops the VM on ${signal}, exits ${status} and leaves nothing behind`, async () => {
      const child = startCli('nofear', ['-t', '--', 'sh', '-c', 'echo up; exec sleep 600'], t);
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('up')) resolve();
        });
        void child.then(() => reject(new Error('ended before the guest was up')));
      });
      const [id] = leftoverSandboxes(t);
      assert.ok(id, 'the running sandbox has a runtime directory');
      child.kill(signal);
      const result = await child;
      assert.equal(result.exitCode, status);
      assert.deepEqual(leftoverSandboxes(t), []);
      const qemu = await execa('pgrep', ['-f', `nofear-${id}`], { reject: false });
      assert.equal(qemu.stdout.trim(), '', 'QEMU is still running');
    });
  }

  it('gives an interactive command a terminal of the host window size', async () => {
    // script(1) provides the pseudo-terminal a person's shell would have.
    const command = `stty rows 40 cols 100; ${process.execPath} ${bin('nofear')} -t -- sh -c 'tty; stty size; exit 3'`;
    const result = await execa('script', ['-qec', command, '/dev/null'], { env: t.env, reject: false, timeout: 240_000 });
    assert.match(result.stdout, /\/dev\/hvc1/);
    assert.match(result.stdout, /40 100/);
    assert.equal(result.exitCode, 3);
  });

  it('falls back to TCG when a KVM that looked usable shows no sign of life, instead of hanging', async () => {
    // The probe is told KVM is fine (this machine's KVM hangs real kernels): the boot watchdog must catch it.
    const result = await runCli('nofear', ['-t', '-v', 'echo', 'fell back'], t, { env: { NOFEAR_TEST_ASSUME_KVM: '1' } });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout.toString(), 'fell back\n');
    assert.match(result.stderr, /KVM started but the guest showed no sign of life.*running under TCG/);
  });

  it('boots again when a first TCG boot shows no sign of life (its guest frozen), and leaves the frozen QEMU behind nowhere', async () => {
    const run = startCli('nofear', ['-t', '-v', 'echo', 'booted again'], t, { env: { NOFEAR_TEST_FIRST_HELLO_MS: '6000' } });
    const runEnded = new Promise<void>((resolve) => run.once('exit', () => resolve()));
    let frozen: ProcessIdentity | undefined;
    try {
      // Frozen as soon as QEMU runs, as a guest kernel (or a QEMU start-up) that hangs: a boot takes seconds, so this comes before its hello.
      const found = await Promise.race([pollUntil(() => (frozen = qemuUnder(t.runtimeBase)) !== undefined, 30_000, 10), runEnded.then(() => false)]);
      assert.ok(found && frozen, 'no QEMU appeared');
      process.kill(frozen.pid, 'SIGSTOP');
      const result = await run;
      const [stdout, stderr] = [Buffer.from(result.stdout).toString(), Buffer.from(result.stderr).toString()];
      assert.equal(result.exitCode, 0, stderr);
      assert.equal(stdout, 'booted again\n');
      // Frozen before QEMU opened all its ports (a busy machine) or after (the guest's kernel hangs): both are silence.
      assert.match(stderr, /no sign of life from (the guest|QEMU) within 6 s( \(its \w+ port never opened\))?: booting the VM again/);
      assert.equal(stderr.match(/KVM not used/g)?.length, 1, 'the TCG notice said twice');
      assert.ok(await waitGone(frozen, 5000), 'the frozen QEMU outlived its boot');
    } finally {
      // A failed run must not leave a stopped QEMU, nor its nofear, behind.
      if (frozen !== undefined && isAlive(frozen)) process.kill(frozen.pid, 'SIGKILL');
      run.kill();
      await run.catch(() => undefined);
    }
  });

  it('reuses the cached guest image on the next run', async () => {
    // Built by an earlier case, or by this first run when the case runs alone: the second run reuses it.
    const result = await runCli('nofear', ['-t', '-v', 'true'], t);
    assert.equal(result.exitCode, 0, result.stderr);
    const image = /guest image: (?:reusing the cached|built) (\S+)/.exec(result.stderr)?.[1];
    assert.ok(image, `no guest image line in: ${result.stderr}`);
    const mtime = statSync(image).mtimeMs;
    const again = await runCli('nofear', ['-t', '-v', 'true'], t);
    assert.equal(/guest image: reusing the cached (\S+)/.exec(again.stderr)?.[1], image, again.stderr);
    assert.equal(statSync(image).mtimeMs, mtime);
  });
});
