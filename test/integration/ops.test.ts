// Operations with real QEMU and real processes: nofearctl ps, stop, doctor, config and profiles.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { leftoverSandboxes, makeTestEnv, runCli, startCli, type TestEnv } from '../helpers/cli.js';
import { identify, isAlive, type ProcessIdentity } from '../../src/util/proc.js';
import { pollUntil } from '../../src/util/poll.js';
import type { SandboxRecord } from '../../src/sandbox/registry.js';
import type { PsRow } from '../../src/cli/ctl-ps.js';
import { chooseAccel, readAccelFacts } from '../../src/vm/accel.js';

const HOLD = ['sh', '-c', 'echo up; exec sleep 600'];

interface Holding {
  child: ReturnType<typeof startCli>;
  record: SandboxRecord;
  vmm: ProcessIdentity;
  stderr: () => string;
}

/** Starts `nofear ARGS -- sh -c 'echo up; exec sleep 600'`; resolves once the guest said "up". */
async function startHolding(t: TestEnv, args: string[], env: Record<string, string> = {}): Promise<Holding> {
  const child = startCli('nofear', [...args, '--', ...HOLD], t, { env });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('up\n')) resolve();
    });
    void child.then((r) => reject(new Error(`nofear ${args.join(' ')} ended early (${r.exitCode}): ${stderr}`)));
  });
  // Its own entry: the one whose owner is this very nofear process.
  const record = leftoverSandboxes(t)
    .map((id) => JSON.parse(readFileSync(path.join(t.runtimeBase, id, 'sandbox.json'), 'utf8')) as SandboxRecord)
    .find((r) => r.owner.pid === child.pid);
  assert.ok(record?.vmm, `no registry entry with its QEMU for nofear ${args.join(' ')}`);
  return { child, record, vmm: record.vmm, stderr: () => stderr };
}

const vmRuns = (h: Holding) => isAlive(h.vmm) || isAlive(h.record.qemu);

async function psJson(t: TestEnv): Promise<PsRow[]> {
  const result = await runCli('nofearctl', ['ps', '--json'], t);
  assert.equal(result.exitCode, 0, result.stderr);
  return JSON.parse(result.stdout.toString()) as PsRow[];
}

/** A registry entry as a crashed NoFear leaves it, whose pids now belong to `bystander` (recycled). */
function plantStale(t: TestEnv, id: string, bystander: ProcessIdentity): void {
  const recycled = { pid: bystander.pid, startTime: bystander.startTime - 1 };
  mkdirSync(path.join(t.runtimeBase, id), { recursive: true, mode: 0o700 });
  const record: SandboxRecord = {
    id,
    profile: 'temporary',
    command: ['crashed'],
    files: [],
    state: 'running',
    createdAt: Date.now() - 60_000,
    owner: recycled,
    qemu: recycled,
    vmm: recycled,
    ownerKind: 'cli',
    accel: 'tcg',
    memoryMiB: 512,
  };
  writeFileSync(path.join(t.runtimeBase, id, 'sandbox.json'), JSON.stringify(record));
}

describe('nofearctl operations (real QEMU)', function () {
  let t: TestEnv;
  let configHome: string;
  const held: Holding[] = [];
  const expectedAccel = chooseAccel(readAccelFacts({ ...process.env, NOFEAR_ACCEL: '' }));

  before(() => {
    t = makeTestEnv();
    configHome = mkdtempSync(path.join(tmpdir(), 'nofear-ops-config-'));
    // The user's own config.ini must not change what these tests see.
    t.env.XDG_CONFIG_HOME = path.join(configHome, 'empty');
  });

  after(async () => {
    // Whatever a failed test left running: nofear's QEMU dies with it.
    for (const h of held) h.child.kill('SIGKILL');
    await Promise.allSettled(held.map((h) => h.child));
    for (const h of held) {
      if (!(await pollUntil(() => !vmRuns(h), 3000))) {
        for (const p of [h.vmm, h.record.qemu]) if (p !== undefined && isAlive(p)) process.kill(p.pid, 'SIGKILL');
      }
    }
    t.cleanup();
    rmSync(configHome, { recursive: true, force: true });
  });

  describe('doctor and config (no VM)', () => {
    it('doctor reports the accelerator (here: KVM unusable, TCG fallback) and exits 0 with no display, bus or integration', async () => {
      const result = await runCli('nofearctl', ['doctor'], t, { env: { NOFEAR_ACCEL: '', DISPLAY: '', WAYLAND_DISPLAY: '', DBUS_SESSION_BUS_ADDRESS: '' } });
      const out = result.stdout.toString();
      assert.equal(result.exitCode, 0, out);
      if (expectedAccel.accel === 'tcg') {
        assert.match(out, /^WARN\s+accelerator\s+KVM unusable \(.+\): falling back to TCG, several times slower/m);
        assert.ok(out.includes(expectedAccel.reason), `doctor does not say why: ${expectedAccel.reason}`);
      } else {
        assert.match(out, /^OK\s+accelerator\s+KVM/m);
      }
      assert.doesNotMatch(out, /^FAIL/m);
      for (const name of ['display', 'session bus', 'integration']) assert.match(out, new RegExp(`^WARN\\s+${name}\\s`, 'm'));
      assert.match(out, /^OK\s+qemu\s+\/\S+qemu-system-x86_64: QEMU emulator version/m);
      assert.match(out, /^OK\s+guest kernel\s/m);
      assert.match(out, /^NoFear can run here/m);
    });

    it('doctor without QEMU on PATH names the package to install and exits 1', async () => {
      const result = await runCli('nofearctl', ['doctor'], t, { env: { PATH: '/nonexistent' } });
      const out = result.stdout.toString();
      assert.equal(result.exitCode, 1, out);
      assert.match(out, /^FAIL\s+qemu\s+qemu-system-x86_64 is not on PATH: no VM can start\n\s+fix: (sudo )?(apt-get install -y qemu-system-x86|dnf install -y qemu-system-x86-core)$/m);
      assert.match(out, /^NoFear cannot run here/m);
    });

    it('config names a bad value with its key and line, and shows the default in force', async () => {
      const dir = path.join(configHome, 'bad', 'nofear');
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, 'config.ini');
      writeFileSync(file, '[vm]\ncpus = 2\nmemory = lots\n');
      const result = await runCli('nofearctl', ['config'], t, { env: { XDG_CONFIG_HOME: path.dirname(dir), NOFEAR_ACCEL: 'sometimes' } });
      const out = result.stdout.toString();
      assert.equal(result.exitCode, 0, result.stderr);
      assert.match(out, /^vm\.memory = 1024 {2}\(default\)$/m);
      assert.ok(out.includes(`vm.cpus = 2  (${file}:2)`), out);
      assert.ok(out.includes(`${file}:3: vm.memory = "lots": not a size in MiB`), out);
      assert.match(out, /Keeping the default, 1024\./);
      // The environment's problem once, not once per layer that applies it.
      assert.equal(out.split('NOFEAR_ACCEL="sometimes" is not allowed').length - 1, 1, out);
    });
  });

  describe('sandboxes: ps, stop ID|PROFILE, profiles', () => {
    let temporary: Holding;
    let persistent: Holding;
    let badConfig: string;

    it('profiles create/list/info: a new profile has a size on disk and was never used', async () => {
      const created = await runCli('nofearctl', ['profiles', 'create', 'ops'], t);
      assert.equal(created.exitCode, 0, created.stderr);
      assert.match(created.stdout.toString(), /^created profile ops \(\d+(\.\d)? [KMG]iB on disk\)$/m);
      const again = await runCli('nofearctl', ['profiles', 'create', 'ops'], t);
      assert.equal(again.stdout.toString(), 'profile ops exists already (left unchanged)\n');
      const list = await runCli('nofearctl', ['profiles', 'list'], t);
      assert.match(list.stdout.toString(), /^ops\s+\d+(\.\d)? [KMG]iB\s+never$/m);
      const info = (await runCli('nofearctl', ['profiles', 'info', 'ops'], t)).stdout.toString();
      assert.ok(Number(/^size on disk: .* \((\d+) bytes\)$/m.exec(info)?.[1]) > 0, info);
      assert.match(info, /^last used: never$/m);
      assert.match(info, /^in use by: -$/m);
    });

    it("ps --json lists two running sandboxes with their fields, and a stale entry as stale, cleaned, its pid's new owner untouched", async () => {
      const dir = path.join(configHome, 'bad2', 'nofear');
      mkdirSync(dir, { recursive: true });
      badConfig = path.join(dir, 'config.ini');
      writeFileSync(badConfig, '[vm]\ncpus = 2\nmemory = lots\n');
      [temporary, persistent] = await Promise.all([startHolding(t, ['-t', '--mem', '256']), startHolding(t, ['-p', 'ops', '-v'], { XDG_CONFIG_HOME: path.dirname(dir) })]);
      held.push(temporary, persistent);
      // nofear -v reports the bad value too, and runs with the default.
      assert.ok(persistent.stderr().includes(`${badConfig}:3: vm.memory = "lots"`), persistent.stderr());

      const bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
      try {
        const real = identify(bystander.pid ?? -1);
        assert.ok(real);
        plantStale(t, 'abcdef12', real);
        const rows = await psJson(t);
        assert.deepEqual(rows.map((r) => r.id).sort(), [temporary.record.id, persistent.record.id, 'abcdef12'].sort());
        const expect = [
          { h: temporary, profile: 'temporary', memoryMiB: 256 },
          { h: persistent, profile: 'ops', memoryMiB: 1024 },
        ];
        for (const { h, profile, memoryMiB } of expect) {
          const row = rows.find((r) => r.id === h.record.id);
          assert.ok(row);
          assert.equal(row.profile, profile);
          assert.equal(row.command, 'sh -c echo up; exec sleep 600');
          assert.equal(row.state, 'running');
          assert.equal(typeof row.ageSeconds, 'number');
          assert.ok(row.ageSeconds >= 0 && row.ageSeconds < 600, `age ${row.ageSeconds}`);
          assert.equal(row.accel, expectedAccel.accel);
          assert.equal(row.memoryMiB, memoryMiB);
          assert.equal(row.qemuPid, h.vmm.pid);
          assert.ok((row.qemuRssMiB ?? 0) > 0, `QEMU RSS ${row.qemuRssMiB}`);
          assert.equal(row.cleaned, false);
        }
        const stale = rows.find((r) => r.id === 'abcdef12');
        assert.equal(stale?.state, 'stale');
        assert.equal(stale?.cleaned, true);
        assert.equal(stale?.qemuPid, null);
        assert.match(stale?.note ?? '', new RegExp(`pid ${real.pid} now belongs to another process, left alone`));
        assert.equal(existsSync(path.join(t.runtimeBase, 'abcdef12')), false, 'the stale entry was not removed');
        assert.equal(isAlive(real), true, 'the process that reuses the recorded pid was touched');

        // The table says so too.
        plantStale(t, 'abcdef34', real);
        const text = await runCli('nofearctl', ['ps'], t);
        assert.match(text.stdout.toString(), /^abcdef34\s+temporary\s+stale\s/m);
        assert.match(text.stdout.toString(), new RegExp(`^cleaned up abcdef34 \\(stale\\): .*pid ${real.pid} now belongs to another process, left alone$`, 'm'));
        assert.equal(existsSync(path.join(t.runtimeBase, 'abcdef34')), false);
        assert.equal(isAlive(real), true);
        assert.ok(vmRuns(temporary) && vmRuns(persistent), 'ps touched a running sandbox');
      } finally {
        bystander.kill('SIGKILL');
      }
    });

    it('a profile in use: info names its sandbox and last use, delete refuses and names nofearctl stop', async () => {
      const info = (await runCli('nofearctl', ['profiles', 'info', 'ops'], t)).stdout.toString();
      assert.match(info, new RegExp(`^in use by: sandbox ${persistent.record.id} \\(pid ${persistent.child.pid}\\)$`, 'm'));
      const used = /^last used: (.+)$/m.exec(info)?.[1] ?? '';
      assert.ok(Date.now() - Date.parse(used) < 600_000, `last used: ${used}`);
      const deleted = await runCli('nofearctl', ['profiles', 'delete', 'ops'], t);
      assert.equal(deleted.exitCode, 125);
      assert.match(deleted.stderr, /Profile ops is in use by another NoFear VM .* Fix: .*nofearctl stop ops/);
    });

    it('stop ID stops that sandbox and leaves the other running', async () => {
      const result = await runCli('nofearctl', ['stop', temporary.record.id], t);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(result.stdout.toString(), `${temporary.record.id}: stopped\n`);
      const ended = await temporary.child;
      assert.equal(ended.exitCode, 143, 'nofear ends as if by SIGTERM');
      assert.equal(vmRuns(temporary), false, 'its QEMU still runs');
      assert.equal(existsSync(path.join(t.runtimeBase, temporary.record.id)), false, 'its files are still there');
      assert.equal(isAlive(persistent.vmm), true, 'the other sandbox was stopped too');
      assert.deepEqual(
        (await psJson(t)).map((r) => r.id),
        [persistent.record.id],
      );
    });

    it('stopping a sandbox that is gone says so: NotFound, exit 125', async () => {
      const result = await runCli('nofearctl', ['stop', temporary.record.id], t);
      assert.equal(result.exitCode, 125);
      assert.equal(result.stdout.toString(), '');
      assert.equal(result.stderr, `nofearctl: No sandbox ${temporary.record.id} is running: it has ended already, or never existed. Fix: nofearctl ps lists the running ones\n`);
      const profile = await runCli('nofearctl', ['stop', 'nosuchprofile'], t);
      assert.equal(profile.exitCode, 125);
      assert.match(profile.stderr, /No sandbox of profile nosuchprofile is running/);
    });

    it("stop PROFILE stops the persistent profile's VM; then the profile can be deleted", async () => {
      const result = await runCli('nofearctl', ['stop', 'ops'], t);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(result.stdout.toString(), `${persistent.record.id}: stopped\n`);
      await persistent.child;
      assert.equal(vmRuns(persistent), false);
      const info = (await runCli('nofearctl', ['profiles', 'info', 'ops'], t)).stdout.toString();
      assert.match(info, /^in use by: -$/m);
      assert.doesNotMatch(info, /^last used: never$/m);
      const deleted = await runCli('nofearctl', ['profiles', 'delete', 'ops'], t);
      assert.equal(deleted.exitCode, 0, deleted.stderr);
      assert.equal(deleted.stdout.toString(), 'deleted profile ops\n');
      assert.doesNotMatch((await runCli('nofearctl', ['profiles', 'list'], t)).stdout.toString(), /^ops\s/m);
      const gone = await runCli('nofearctl', ['profiles', 'info', 'ops'], t);
      assert.equal(gone.exitCode, 125);
      assert.match(gone.stderr, /There is no profile ops\./);
      assert.deepEqual(leftoverSandboxes(t), []);
    });
  });

  describe('stop --all', () => {
    it('stops every sandbox and leaves no QEMU behind', async () => {
      const both = await Promise.all([startHolding(t, ['-t', '--mem', '256']), startHolding(t, ['-t', '--mem', '256'])]);
      held.push(...both);
      const result = await runCli('nofearctl', ['stop', '--all'], t);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual(result.stdout.toString().trim().split('\n').sort(), both.map((h) => `${h.record.id}: stopped`).sort());
      await Promise.all(both.map((h) => h.child));
      for (const h of both) {
        assert.equal(isAlive(h.vmm), false, `QEMU ${h.vmm.pid} still runs`);
        assert.equal(isAlive(h.record.qemu), false, `the jail ${h.record.qemu?.pid} still runs`);
      }
      assert.deepEqual(leftoverSandboxes(t), []);
      assert.equal((await runCli('nofearctl', ['ps'], t)).stdout.toString(), 'no sandboxes running\n');
      const none = await runCli('nofearctl', ['stop', '--all'], t);
      assert.deepEqual([none.exitCode, none.stdout.toString()], [0, 'no sandboxes running\n']);
    });
  });
});
