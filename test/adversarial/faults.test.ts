// Faults: a missing kernel, a missing /dev/kvm, QEMU killed mid-run. Each ends in a clear error or a
// clean recovery, and nothing is left behind.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { leftoverSandboxes, runCli, startCli, type TestEnv, perTestEnv } from '../helpers/cli.js';
import { isAlive, type ProcessIdentity } from '../../src/util/proc.js';

describe('faults', function () {
  let t: TestEnv;
  perTestEnv('nofear-test-', (env) => (t = env));

  it('names a missing kernel and its fix, exit 125', async () => {
    const result = await runCli('nofear', ['-t', 'true'], t, { env: { NOFEAR_KERNEL: '/nonexistent/vmlinuz' } });
    assert.equal(result.exitCode, 125);
    assert.match(result.stderr, /NOFEAR_KERNEL=\/nonexistent\/vmlinuz is not a readable file.*Fix: /);
  });

  it('falls back to TCG, saying why, when /dev/kvm is gone', async () => {
    // NOFEAR_KVM_DEVICE stands in for removing /dev/kvm (which only root could do, in a mount namespace).
    const result = await runCli('nofear', ['-t', '-v', 'echo', 'ran'], t, { env: { NOFEAR_KVM_DEVICE: '/nonexistent/kvm' } });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout.toString(), 'ran\n');
    assert.match(result.stderr, /KVM not used \(\/dev\/kvm is missing\)/);
  });

  it('reports QEMU killed with -9 mid-run as a failure and cleans up', async () => {
    const run = startCli('nofear', ['-t', '--', 'sh', '-c', 'echo up; exec sleep 600'], t);
    await new Promise<void>((resolve, reject) => {
      run.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('up') && resolve());
      void run.then(() => reject(new Error('ended early')));
    });
    const [id] = leftoverSandboxes(t);
    const record = JSON.parse(readFileSync(path.join(t.runtimeBase, id ?? '', 'sandbox.json'), 'utf8')) as { vmm: ProcessIdentity };
    process.kill(record.vmm.pid, 'SIGKILL');
    const result = await run;
    assert.equal(result.exitCode, 125);
    assert.match(Buffer.from(result.stderr).toString(), /VM stopped before the command finished/);
    assert.equal(isAlive(record.vmm), false);
    const left = await execa('pgrep', ['-f', `nofear-${id}`], { reject: false });
    assert.equal(left.stdout.trim(), '');
  });
});
