// Issue 28, finding 7: a test that fails while its sandbox runs once left QEMU and `nofear` running
// and mocha waiting on them for good (make test-adversarial hung). Now a test's clean-up stops what it
// started, and a run has an overall deadline that names the test it was in. Each case runs mocha on
// a fixture, with a private TMPDIR: afterwards no process names that directory.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../helpers/cli.js';

const FIXTURE = path.join(ROOT, 'test', 'adversarial', 'fixtures', 'fails-with-sandbox.fixture.ts');

/** Processes whose command line or environment names `dir`. */
function processesNaming(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const text = readFileSync(`/proc/${pid}/cmdline`, 'latin1') + readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (text.includes(dir)) found.push(`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').slice(0, 120)}`);
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return found;
}

async function runFixture(kind: string, deadlineS: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'nofear-fixture-run-'));
  const result = await execa(process.execPath, [path.join(ROOT, 'node_modules', '.bin', 'mocha'), '--timeout', '300000', FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: dir, NOFEAR_FIXTURE: kind, NOFEAR_SUITE_DEADLINE_S: String(deadlineS) },
    reject: false,
    all: true,
    timeout: (deadlineS + 120) * 1000, // the backstop, as run-suites.sh's timeout(1): never reached if the deadline works
  });
  return { dir, result };
}

describe('a test that fails or leaks (issue 28, finding 7)', function () {
  this.timeout(600_000);

  it('that fails while its sandbox runs: the run ends, and nothing it started is left', async () => {
    const { dir, result } = await runFixture('sandbox', 400);
    try {
      assert.equal(result.timedOut, false, 'the run did not end by itself');
      assert.equal(result.exitCode, 1, result.all);
      assert.match(result.all ?? '', /deliberate failure with a running sandbox/);
      assert.deepEqual(processesNaming(dir), [], 'left running');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('that leaks a child: the run ends at its deadline, naming the test, and kills the child', async () => {
    const { dir, result } = await runFixture('leak', 15);
    try {
      assert.equal(result.timedOut, false, 'the run did not end by itself');
      assert.equal(result.exitCode, 124, result.all);
      assert.match(result.all ?? '', /suite deadline: 15 s passed while in: after hooks of "a suite with a failing test passes, and leaves a child that never ends"/);
      const sleeps = readdirSync('/proc')
        .filter((n) => /^\d+$/.test(n))
        .filter((pid) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'latin1') === 'sleep\u0000100000\u0000';
          } catch {
            return false;
          }
        });
      assert.deepEqual(sleeps, [], 'the leaked child outlived the run');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
