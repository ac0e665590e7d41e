// A staging copy in the cache whose record went with its runtime dir (a reboot empties $XDG_RUNTIME_DIR; a
// killed process's private runtime dir may be deleted whole) is removed by the next `nofearctl ps` of
// whatever runtime dir; a copy whose owner runs, its record in another runtime dir (another login of the
// same user), is left alone, and goes with its record once that owner has ended. The real compiled
// nofearctl, real processes as owners (one killed, one running); the marks are written by NoFear's own
// function, as a boot writes them. No VM: the copies are what a boot would have staged.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeTestEnv, runCli, type TestEnv } from '../helpers/cli.js';
import { cacheStagingRoot, stagingOwnerMark, type SandboxRecord } from '../../src/sandbox/registry.js';
import { markStagingOwner } from '../../src/sandbox/reaper.js';
import { identify, type ProcessIdentity } from '../../src/util/proc.js';

describe('staging copies whose runtime dir is gone (nofearctl ps, real processes, no VM)', function () {
  let dir: string;
  let here: TestEnv;
  let otherLogin: TestEnv;
  const children: ChildProcess[] = [];
  const owner = (): { child: ChildProcess; identity: ProcessIdentity } => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(child);
    const identity = identify(child.pid ?? -1);
    assert.ok(identity !== undefined);
    return { child, identity };
  };
  const kill = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGKILL'))));

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-staging-it-'));
    here = makeTestEnv();
    otherLogin = makeTestEnv();
  });
  after(async () => {
    await Promise.all(children.map(kill));
    here?.cleanup();
    otherLogin?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("removes the crashed sandbox's copy, keeps the one another login's live sandbox uses, then reaps that one with its record", async () => {
    const env = { XDG_CACHE_HOME: path.join(dir, 'cache') };
    const stage = async (id: string, by: ProcessIdentity) => {
      await markStagingOwner(env, id, by);
      const copy = path.join(cacheStagingRoot(env), id);
      mkdirSync(copy);
      writeFileSync(path.join(copy, 'report.pdf'), 'a staged copy');
      return copy;
    };
    const crashed = owner();
    const crashedCopy = await stage('c0c0c0c0', crashed.identity);
    await kill(crashed.child); // killed, and its runtime dir deleted with it: no record anywhere
    const live = owner();
    const liveCopy = await stage('d1d1d1d1', live.identity);
    // Its record, in the other login's runtime dir.
    const record: SandboxRecord = { id: 'd1d1d1d1', profile: 'temporary', command: ['x'], files: [], state: 'running', createdAt: Date.now(), owner: live.identity, ownerKind: 'cli' };
    mkdirSync(path.join(otherLogin.runtimeBase, 'd1d1d1d1', 'vm'), { recursive: true });
    writeFileSync(path.join(otherLogin.runtimeBase, 'd1d1d1d1', 'sandbox.json'), JSON.stringify(record));

    const ps = await runCli('nofearctl', ['ps'], here, { env });
    assert.equal(ps.exitCode, 0, ps.stderr);
    assert.equal(ps.stdout.toString(), 'no sandboxes running\n');
    assert.deepEqual([existsSync(crashedCopy), existsSync(stagingOwnerMark(env, 'c0c0c0c0'))], [false, false], 'the crashed sandbox left its staging copy');
    assert.deepEqual([existsSync(liveCopy), existsSync(stagingOwnerMark(env, 'd1d1d1d1'))], [true, true], "a live sandbox's copy was removed from under it");

    await kill(live.child);
    const otherPs = await runCli('nofearctl', ['ps'], otherLogin, { env });
    assert.equal(otherPs.exitCode, 0, otherPs.stderr);
    assert.deepEqual(
      [existsSync(liveCopy), existsSync(stagingOwnerMark(env, 'd1d1d1d1')), existsSync(path.join(otherLogin.runtimeBase, 'd1d1d1d1'))],
      [false, false, false],
      'the ended sandbox was reaped, its copy, mark and record together',
    );
  });
});
