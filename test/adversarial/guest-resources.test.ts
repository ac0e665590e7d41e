// Resource abuse inside the guest (run late: each is bounded by its stop deadline). The guest may
// die; the host, and the sandboxes beside it, carry on, and nothing is left behind.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { runCli, startCli, type TestEnv, perTestEnv } from '../helpers/cli.js';
import { waitForOutput } from '../helpers/proc-view.js';

describe('resource abuse in the guest', function () {
  let t: TestEnv;
  perTestEnv('nofear-test-', (env) => (t = env));

  it('survives a guest that fills its root: the write fails inside, the VM goes on', async () => {
    const result = await runCli('nofear', ['-t', '--root', '--mem', '256', '--', 'sh', '-c', 'dd if=/dev/zero of=/fill bs=1M 2>/dev/null; echo "dd status $?"; echo still-alive'], t);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout.toString(), /dd status [1-9][0-9]*\nstill-alive/);
  });

  it('reports a guest program killed for taking all guest memory', async () => {
    const hog = 'a=[]\nwhile True: a.append(bytearray(16 * 1024 * 1024))';
    const result = await runCli('nofear', ['-t', '--mem', '256', '--', '/usr/bin/python3', '-c', hog], t);
    assert.equal(result.exitCode, 137, result.stderr);
  });

  it('keeps the host and a neighbouring sandbox going during a fork bomb, and stops the bomb within its deadline', async () => {
    const neighbour = startCli('nofear', ['-t', '--', 'sh', '-c', 'echo up; read line; echo "neighbour got $line"'], t, { stdinPipe: true });
    const bomb = startCli('nofear', ['-t', '--', 'sh', '-c', 'echo bombing; b() { b | b & }; b'], t);
    await Promise.all([waitForOutput(neighbour, 'up'), waitForOutput(bomb, 'bombing')]);
    const ps = JSON.parse((await runCli('nofearctl', ['ps', '--json'], t)).stdout.toString()) as { id: string; command: string; state: string }[];
    const bombId = ps.find((row) => row.command.includes('bombing'))?.id;
    assert.ok(bombId);
    // The host still answers: a third VM boots and runs while the bomb goes on.
    const third = await runCli('nofear', ['-t', 'echo', 'host fine'], t);
    assert.equal(third.stdout.toString(), 'host fine\n');
    const started = Date.now();
    const stop = await runCli('nofearctl', ['stop', bombId], t);
    assert.equal(stop.exitCode, 0, stop.stderr);
    assert.equal((await bomb).exitCode, 143);
    assert.ok(Date.now() - started < 30_000, 'stopping the bomb overran its deadline');
    neighbour.stdin?.end('hello\n');
    const neighbourResult = await neighbour;
    assert.equal(neighbourResult.exitCode, 0);
    assert.match(Buffer.from(neighbourResult.stdout).toString(), /neighbour got hello/);
    const qemu = await execa('pgrep', ['-f', `nofear-${bombId}`], { reject: false });
    assert.equal(qemu.stdout.trim(), '');
  });
});
