// QEMU's jail with real VMs: seccomp, its own view of the filesystem, limits, never an orphan.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { leftoverSandboxes, makeTestEnv, runCli, startCli, type TestEnv } from '../helpers/cli.js';
import { identify, isAlive, type ProcessIdentity } from '../../src/util/proc.js';
import { pollUntil } from '../../src/util/poll.js';

interface Record {
  id: string;
  qemu?: ProcessIdentity;
  vmm?: ProcessIdentity;
}

/** Starts `nofear -t` with a guest that says "up" and then waits; resolves once it is up and recorded. */
async function startHolding(t: TestEnv, env: { [key: string]: string } = {}) {
  const child = startCli('nofear', ['-t', '--', 'sh', '-c', 'echo up; exec sleep 600'], t, { env });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('up')) resolve();
    });
    void child.then((r) => reject(new Error(`ended early: ${Buffer.from(r.stderr).toString()}`)));
  });
  const known = new Set<string>();
  const ids = leftoverSandboxes(t).filter((id) => !known.has(id));
  const records = ids.map((id) => JSON.parse(readFileSync(path.join(t.runtimeBase, id, 'sandbox.json'), 'utf8')) as Record);
  const record = records.find((r) => r.vmm !== undefined && isAlive(r.vmm) && r.qemu?.pid !== undefined);
  assert.ok(record?.vmm, 'the running sandbox records its QEMU');
  return { child, record, vmm: record.vmm as ProcessIdentity };
}

describe('QEMU jail (real QEMU)', function () {
  let t: TestEnv;
  beforeEach(() => {
    t = makeTestEnv();
  });
  afterEach(() => t.cleanup());

  it('runs QEMU under seccomp with its own filesystem view and bounded resources', async () => {
    // Things QEMU must not see: a session-bus-like socket and another sandbox's runtime directory.
    writeFileSync(path.join(t.env.XDG_RUNTIME_DIR ?? '', 'bus'), '');
    const other = path.join(t.runtimeBase, 'feedf00d');
    mkdirSync(other, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(other, 'sandbox.json'), '{}');
    const { child, record, vmm } = await startHolding(t);
    try {
      const status = readFileSync(`/proc/${vmm.pid}/status`, 'utf8');
      assert.match(status, /^Seccomp:\s+2$/m);
      assert.match(status, /^NoNewPrivs:\s+1$/m);
      const root = `/proc/${vmm.pid}/root`;
      assert.equal(existsSync(`${root}/home`), false, 'QEMU sees /home');
      assert.equal(existsSync(`${root}/etc/passwd`), false, 'QEMU sees /etc/passwd');
      // /tmp in the jail is empty but for the path down to this sandbox's own runtime dir (tests keep it in /tmp).
      const ownPath = t.runtimeBase.startsWith('/tmp/') ? [t.runtimeBase.split('/')[2]] : [];
      assert.deepEqual(readdirSync(`${root}/tmp`), ownPath, 'QEMU sees files in /tmp (X sockets live there)');
      assert.equal(existsSync(`${root}${t.env.XDG_RUNTIME_DIR}/bus`), false, 'QEMU sees the session bus socket');
      assert.equal(existsSync(`${root}${other}`), false, "QEMU sees another sandbox's runtime directory");
      assert.equal(existsSync(`${root}${t.runtimeBase}/${record.id}/vm/control.sock`), true, 'QEMU lacks its own sockets');
      const limits = readFileSync(`/proc/${vmm.pid}/limits`, 'utf8');
      assert.match(limits, /^Max address space\s+\d+\s+\d+\s+bytes/m);
      assert.match(limits, /^Max open files\s+1024\s+1024/m);
    } finally {
      child.kill('SIGTERM');
      await child;
    }
  });

  it('leaves no QEMU within 2 s when nofear is killed with SIGKILL, and the next start removes its directory', async () => {
    const { child, record, vmm } = await startHolding(t);
    child.kill('SIGKILL');
    await child;
    assert.ok(await pollUntil(() => !isAlive(vmm), 2000), 'QEMU outlived nofear by more than 2 s');
    assert.ok(existsSync(path.join(t.runtimeBase, record.id)), 'the killed run left its directory (as expected)');
    const ps = await runCli('nofearctl', ['ps'], t);
    assert.equal(ps.exitCode, 0, ps.stderr);
    assert.equal(existsSync(path.join(t.runtimeBase, record.id)), false, 'the leftover was not removed');
  });

  it('never touches a process that reuses a recorded pid', async () => {
    const bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      const real = identify(bystander.pid ?? -1);
      assert.ok(real);
      const id = 'abcdef12';
      mkdirSync(path.join(t.runtimeBase, id), { recursive: true, mode: 0o700 });
      // The recorded owner and QEMU had this pid once, with other start times: the pid was recycled.
      const recycled = { pid: real.pid, startTime: real.startTime - 1 };
      writeFileSync(
        path.join(t.runtimeBase, id, 'sandbox.json'),
        JSON.stringify({ id, profile: 'temporary', command: ['x'], files: [], state: 'running', createdAt: 0, owner: recycled, qemu: recycled }),
      );
      const result = await runCli('nofearctl', ['stop', '--all'], t);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(isAlive(real), true, 'the unrelated process was killed');
      assert.equal(existsSync(path.join(t.runtimeBase, id)), false);
    } finally {
      bystander.kill('SIGKILL');
    }
  });

  it('runs under setpriv --pdeathsig when bwrap is unavailable, dies with nofear, and doctor says the jail is missing', async () => {
    const env = { NOFEAR_BWRAP: '/nonexistent/bwrap' };
    const result = await runCli('nofear', ['-t', '-v', '--', 'echo', 'hi'], t, { env });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout.toString(), 'hi\n');
    assert.match(result.stderr, /jail: setpriv --pdeathsig/);
    const { child, vmm } = await startHolding(t, env);
    assert.match(readFileSync(`/proc/${vmm.pid}/status`, 'utf8'), /^Seccomp:\s+2$/m);
    child.kill('SIGKILL');
    await child;
    assert.ok(await pollUntil(() => !isAlive(vmm), 2000), 'QEMU outlived nofear under setpriv');
    const doctor = await runCli('nofearctl', ['doctor'], t, { env });
    assert.match(doctor.stdout.toString(), /WARN\s+qemu jail\s+\/nonexistent\/bwrap is missing/);
    assert.match(doctor.stdout.toString(), /fix: sudo apt-get install (-y )?bubblewrap/);
  });
});
