// runTool: the exit status and output of a real child, a deadline that ends it and its whole group (a
// grandchild holding the output pipe open included), input and environment as given. Real processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exitOf } from '../../../src/util/child.js';
import { killGroup, runTool } from '../../../src/util/run.js';

/** True while pid is a live process (a zombie has already ended). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('util/run runTool and killGroup', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-run-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the exit status and output, failed only on a non-zero status', async () => {
    const ok = await runTool('sh', ['-c', 'echo out; echo err >&2'], { timeoutMs: 10_000 });
    assert.deepEqual(ok, { exitCode: 0, stdout: 'out', stderr: 'err', timedOut: false, failed: false });
    const bad = await runTool('sh', ['-c', 'exit 3'], { timeoutMs: 10_000 });
    assert.equal(bad.exitCode, 3);
    assert.equal(bad.failed, true);
    assert.equal(bad.timedOut, false);
  });

  it('passes input, cwd, only the given environment, and writes stdout to a file when asked', async () => {
    const echoed = await runTool('sh', ['-c', 'cat; pwd; echo "${HOME-unset}:$ONLY"'], { timeoutMs: 10_000, input: 'in\n', cwd: dir, env: { ONLY: 'this', PATH: '/usr/bin:/bin' } });
    assert.equal(echoed.stdout, `in\n${dir}\nunset:this`);
    const file = path.join(dir, 'out.txt');
    const toFile = await runTool('sh', ['-c', 'echo to-file'], { timeoutMs: 10_000, stdoutFile: file });
    assert.equal(toFile.stdout, '', 'output sent to a file is not also kept in memory (a decompressed kernel is hundreds of MB)');
    assert.equal(readFileSync(file, 'utf8'), 'to-file\n');
  });

  it('reports a missing program as failed, not as a throw', async () => {
    const missing = await runTool(path.join(dir, 'no-such-program'), [], { timeoutMs: 10_000 });
    assert.equal(missing.failed, true);
    assert.equal(missing.timedOut, false);
  });

  it('ends a child past its deadline together with the grandchild holding its output open', async function () {
    const pidFile = path.join(dir, 'grandchild');
    const result = await runTool('sh', ['-c', `sleep 60 & echo $! > ${pidFile}.part && mv ${pidFile}.part ${pidFile}; wait`], { timeoutMs: 1000 });
    assert.equal(result.timedOut, true);
    assert.equal(result.failed, true);
    // The deadline cannot wait for the shell: on a machine too busy to start it within the second, no grandchild was made.
    if (!existsSync(pidFile)) this.skip();
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(grandchild > 0);
    // Its pipe closes a moment before the kernel shows it ended: looked at until then, within seconds (it would sleep a minute).
    const gone = Date.now() + 5000;
    while (alive(grandchild) && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(alive(grandchild), false, 'the sleep the shell started outlived the deadline');
  });

  it('killGroup signals a whole process group, and ignores an absent or gone pid', async () => {
    const child = spawn('sh', ['-c', 'sleep 60 & wait'], { detached: true, stdio: 'ignore' });
    const exited = exitOf(child);
    killGroup(child.pid, 'SIGTERM');
    assert.deepEqual(await exited, { code: null, signal: 'SIGTERM' });
    assert.doesNotThrow(() => killGroup(undefined));
    assert.doesNotThrow(() => killGroup(child.pid));
    assert.equal(existsSync(`/proc/${String(child.pid)}/stat`) && alive(child.pid ?? 0), false);
  });
});
