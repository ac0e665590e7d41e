// Issue 17, a flood of valid messages: a guest agent that writes `started` in a loop (each line valid, each
// a repeat) is stopped within 5 s with a named protocol error, and the host process stays small.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { bin, type TestEnv, perTestEnv } from '../helpers/cli.js';
import { hostileGuestEnv } from '../helpers/hostile.js';
import { sampleMax } from '../helpers/service.js';
import { buildGuestImage } from '../../src/vm/initramfs.js';
import { findGuestKernel } from '../../src/vm/kernel.js';

const FLOOD_STOP_MS = 5000;
const HOST_RSS_LIMIT_KIB = 150 * 1024;

/** The process's own peak resident size (VmHWM: QEMU and other children not counted), 0 once it is gone. */
function peakRssKiB(pid: number): number {
  try {
    return Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

describe('a flood of valid control messages (issue 17)', function () {
  let t: TestEnv;
  let hostile: Record<string, string>;
  before(async () => {
    hostile = await hostileGuestEnv();
    // Its image built here, so the measured peak is the flood's, not that of a first build.
    await buildGuestImage(await findGuestKernel(), { ...process.env, ...hostile });
  });
  perTestEnv('nofear-test-', (env) => (t = env));

  it('stops a guest writing `started` in a loop within 5 s, naming the protocol error, the host under 150 MB', async () => {
    // NOFEAR_CONSOLE=1: the guest console on stderr, where the agent says when its flood begins.
    const run = execa(process.execPath, [bin('nofear'), '-t', 'flood-started'], { env: { ...t.env, ...hostile, NOFEAR_CONSOLE: '1' }, reject: false, timeout: 240_000 });
    const rss = sampleMax(() => peakRssKiB(run.pid ?? -1));
    let floodBegan: number | undefined;
    run.stderr?.on('data', (chunk: Buffer) => {
      if (floodBegan === undefined && chunk.toString().includes('nofear-flood-begins')) floodBegan = Date.now();
    });
    const result = await run;
    const ended = Date.now();
    const peak = rss.stop();
    assert.equal(result.exitCode, 125, result.stderr);
    assert.match(result.stderr, /nofear: the guest broke the control protocol \(a second started\); the VM was stopped/);
    assert.ok(floodBegan !== undefined, 'the guest never began its flood');
    assert.ok(ended - floodBegan < FLOOD_STOP_MS, `the flooding VM ran ${ended - floodBegan} ms`);
    assert.ok(peak > 0 && peak < HOST_RSS_LIMIT_KIB, `nofear peaked at ${peak} KiB`);
  });
});
