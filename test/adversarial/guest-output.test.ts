// A hostile guest agent (a real VM running test/adversarial/hostile-agent.sh): the host stays
// responsive and bounded, believes nothing malformed, and ends the VM within its deadlines.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { bin, runCli, startCli, type TestEnv, perTestEnv } from '../helpers/cli.js';
import { hostileGuestEnv } from '../helpers/hostile.js';

/** Runs nofear under /usr/bin/time to learn its peak memory. */
async function timedNofear(t: TestEnv, env: Record<string, string>, args: string[]) {
  const started = Date.now();
  const result = await execa('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, bin('nofear'), ...args], {
    env: { ...t.env, ...env },
    reject: false,
    timeout: 120_000,
  });
  const maxRssKiB = Number(/maxrss=(\d+)/.exec(result.stderr)?.[1] ?? 'NaN');
  return { ...result, seconds: (Date.now() - started) / 1000, maxRssKiB };
}

describe('hostile guest output', function () {
  let t: TestEnv;
  let hostile: Record<string, string>;
  before(async () => {
    hostile = await hostileGuestEnv();
  });
  perTestEnv('nofear-test-', (env) => (t = env));

  it('ends a guest that floods the control port with one endless line, with bounded memory', async () => {
    const result = await timedNofear(t, hostile, ['-t', 'flood-line']);
    assert.equal(result.exitCode, 125);
    assert.match(result.stderr, /broke the control protocol \(line too long\)/);
    assert.ok(result.maxRssKiB < 250 * 1024, `nofear grew to ${result.maxRssKiB} KiB`);
  });

  it('ends a guest that floods the control port with malformed messages', async () => {
    const result = await timedNofear(t, hostile, ['-t', 'flood-lines']);
    assert.equal(result.exitCode, 125);
    assert.match(result.stderr, /broke the control protocol \(malformed exit\)/);
    assert.ok(result.maxRssKiB < 250 * 1024, `nofear grew to ${result.maxRssKiB} KiB`);
  });

  it('does not believe an exit status out of range, nor one with control characters', async () => {
    for (const mode of ['fake-exit', 'escape']) {
      const result = await runCli('nofear', ['-t', mode], t, { env: hostile });
      assert.equal(result.exitCode, 125, mode);
      assert.match(result.stderr, /broke the control protocol/);
      assert.doesNotMatch(result.stderr, /\x1b|\x07/, 'guest control characters reached the terminal');
    }
  });

  it('stops waiting for output a guest claimed but never sent, and ends a guest that never powers off', async () => {
    const result = await timedNofear(t, hostile, ['-t', 'overclaim']);
    assert.equal(result.exitCode, 0);
    assert.ok(result.seconds < 60, `took ${result.seconds} s`);
  });

  it('lets nofearctl stop end a guest that ignores the power-off request, within its deadline', async () => {
    const run = startCli('nofear', ['-t', 'hang'], t, { env: hostile });
    // The sandbox is running once its record says so; the wait also ends if nofear ends first (its
    // stderr says why), and by the CLI's own deadline. perTestEnv's clean-up stops it if this fails.
    let ended = false;
    void run.finally(() => (ended = true)).catch(() => undefined);
    const deadline = Date.now() + 240_000;
    let id: string | undefined;
    while (Date.now() < deadline && id === undefined && !ended) {
      const ps = await runCli('nofearctl', ['ps', '--json'], t);
      const rows = JSON.parse(ps.stdout.toString() || '[]') as { id: string; state: string }[];
      id = rows.find((row) => row.state === 'running')?.id;
    }
    if (id === undefined) {
      const early = ended ? await run : undefined;
      assert.fail(early ? `nofear ended before its sandbox ran (${early.exitCode}): ${Buffer.from(early.stderr).toString()}` : 'the hostile sandbox never ran within 240 s');
    }
    const started = Date.now();
    const stop = await runCli('nofearctl', ['stop', id], t);
    const stopS = (Date.now() - started) / 1000;
    assert.equal(stop.exitCode, 0, stop.stderr);
    const result = await run;
    const totalS = (Date.now() - started) / 1000;
    assert.ok(totalS < 20, `stop took longer than its deadline: nofearctl stop ${stopS} s (${stop.stdout.toString().trim()}), nofear ended after ${totalS} s`);
    assert.equal(result.exitCode, 143);
  });
});
