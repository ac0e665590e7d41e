// Staging copies in the cache whose record is gone with its runtime dir: removed only when no live sandbox
// can own them (owner gone, no VM of it running, not one of this runtime dir's, an unmarked one only when
// old); never a copy whose owner runs in another runtime dir, one being started, a held edit or a name
// that is not a sandbox id. The verdict is a pure function (every rule); the reaper runs on real
// directories with real processes (a live one, one that has ended, one whose command line names the VM).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cacheStagingRoot, removeSandbox, stagingOwnerMark } from '../../../src/sandbox/registry.js';
import {
  bootId,
  reapLeftovers,
  markStagingOwner,
  reapStagingLeftovers,
  sandboxProcessRuns,
  stagingVerdict,
  UNMARKED_GRACE_MS,
  type StagingEntry,
  type StagingProbes,
} from '../../../src/sandbox/reaper.js';
import { identify, type ProcessIdentity } from '../../../src/util/proc.js';

const OWNER = { pid: 1000, startTime: 5, bootId: 'b' };
const probes = (over: Partial<StagingProbes> = {}): StagingProbes => ({ inThisRuntime: () => false, ownerRuns: () => false, vmRuns: () => false, ...over });
const entry = (over: Partial<StagingEntry> = {}): StagingEntry => ({ id: '0123abcd', owner: OWNER, ageMs: 0, ...over });

describe('staging copies left in the cache (a crashed or wiped runtime dir)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const children: ChildProcess[] = [];
  const idle = (...args: string[]): ProcessIdentity => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ...args], { stdio: 'ignore' });
    children.push(child);
    const identity = identify(child.pid ?? -1);
    assert.ok(identity !== undefined);
    return identity;
  };
  /** A process that ran and has ended: its identity names nobody now. */
  const ended = (): ProcessIdentity => {
    const result = spawnSync(process.execPath, ['-e', "process.stdout.write(require('fs').readFileSync('/proc/self/stat','utf8'))"], { encoding: 'utf8' });
    const pid = Number(result.stdout.split(' ')[0]);
    const startTime = Number(result.stdout.slice(result.stdout.lastIndexOf(')') + 2).split(' ')[19]);
    return { pid, startTime };
  };
  /** A copy in the cache (a file in it, as a staged document), and its owner's mark unless `owner` is undefined. */
  const copy = async (id: string, owner: ProcessIdentity | undefined) => {
    const copyDir = path.join(cacheStagingRoot(env), id);
    if (owner !== undefined) await markStagingOwner(env, id, owner);
    mkdirSync(copyDir, { recursive: true });
    writeFileSync(path.join(copyDir, 'report.pdf'), 'staged');
    return copyDir;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-staging-leftovers-'));
    env = { XDG_CACHE_HOME: path.join(dir, 'cache') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  after(async () => {
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGKILL'))))));
  });

  it('the verdict: kept while this runtime dir has it, its owner runs, or its VM runs; unmarked kept while recent; otherwise removed', () => {
    assert.equal(stagingVerdict(entry(), probes({ inThisRuntime: () => true })).keep, true);
    assert.equal(stagingVerdict(entry(), probes({ ownerRuns: (o) => o === OWNER })).keep, true);
    assert.equal(stagingVerdict(entry(), probes({ vmRuns: (id) => id === '0123abcd' })).keep, true);
    assert.equal(stagingVerdict(entry({ owner: undefined, ageMs: UNMARKED_GRACE_MS - 1 }), probes()).keep, true);
    assert.equal(stagingVerdict(entry({ owner: undefined, ageMs: UNMARKED_GRACE_MS - 1 }), probes({ vmRuns: () => true })).keep, true);
    assert.deepEqual(stagingVerdict(entry({ owner: undefined, ageMs: UNMARKED_GRACE_MS }), probes()), { keep: false, why: 'unmarked, old, and no VM of it runs' });
    // A marked copy whose owner and VM are gone goes at once, however new: its owner will never come back.
    assert.deepEqual(stagingVerdict(entry({ ageMs: 0 }), probes()), { keep: false, why: 'its owner 1000 and its VM are gone' });
  });

  it('marks a copy with its owner (pid, start time, boot) beside it, outside the export; removeSandbox removes both', async () => {
    const me = identify(process.pid)!;
    const copyDir = await copy('0123abcd', me);
    const mark = stagingOwnerMark(env, '0123abcd');
    assert.equal(path.dirname(mark), path.dirname(copyDir), 'beside the copy, not in it (the guest writes in its export)');
    assert.deepEqual(JSON.parse(readFileSync(mark, 'utf8')), { pid: me.pid, startTime: me.startTime, bootId: bootId() });
    assert.equal(await removeSandbox(path.join(dir, 'runtime'), '0123abcd', env), true);
    assert.deepEqual([existsSync(copyDir), existsSync(mark)], [false, false]);
    await assert.rejects(markStagingOwner(env, '../x', me), /bad sandbox id/);
  });

  it('sees a VM by nofear-<id> in a running command line, and only then', () => {
    idle('nofear-5a5a5a5a');
    assert.equal(sandboxProcessRuns('5a5a5a5a'), true);
    assert.equal(sandboxProcessRuns('6b6b6b6b'), false);
  });

  it("removes the copies no live sandbox owns; keeps another runtime dir's live one, this runtime dir's, a running VM's, a recent unmarked one, held edits and foreign names", async () => {
    const base = path.join(dir, 'runtime', 'nofear');
    const gone = await copy('11111111', ended());
    const otherLogin = await copy('22222222', idle()); // its record is in another runtime dir: its owner runs
    const recycled = await copy('33333333', { ...identify(process.pid)!, startTime: identify(process.pid)!.startTime + 1 }); // a pid reused
    const unmarkedOld = await copy('44444444', undefined);
    const old = new Date(Date.now() - UNMARKED_GRACE_MS - 60_000);
    utimesSync(unmarkedOld, old, old);
    const unmarkedNew = await copy('55555555', undefined);
    idle('nofear-66666666');
    const vmRunning = await copy('66666666', ended()); // owner killed, its QEMU still up
    utimesSync(vmRunning, old, old);
    const here = await copy('77777777', ended());
    mkdirSync(path.join(base, '77777777', 'vm'), { recursive: true }); // this runtime dir's (no record yet: a fresh start)
    await markStagingOwner(env, '88888888', ended()); // a mark whose copy was never made
    const held = path.join(cacheStagingRoot(env), '.edited.nofear-0011223344556677');
    writeFileSync(held, 'an edit waiting for its save question');
    const foreign = path.join(cacheStagingRoot(env), 'notes');
    mkdirSync(foreign);
    utimesSync(foreign, old, old);

    const logged: string[] = [];
    await reapLeftovers(base, (line) => logged.push(line), env);
    assert.deepEqual(
      [gone, otherLogin, recycled, unmarkedOld, unmarkedNew, vmRunning, here, held, foreign].map((file) => existsSync(file)),
      [false, true, false, false, true, true, true, true, true],
    );
    assert.deepEqual(
      ['11111111', '22222222', '33333333', '88888888'].map((id) => existsSync(stagingOwnerMark(env, id))),
      [false, true, false, false],
      'marks go with their copies (and alone when the copy was never made)',
    );
    assert.ok(
      logged.some((line) => /^removed leftover staging copy 11111111 \(its owner \d+ and its VM are gone\)$/.test(line)),
      logged.join('\n'),
    );
    assert.equal(await reapStagingLeftovers(base, env), 0, 'a second pass finds nothing more');
  });

  it('a boot other than the one the mark was written in: the owner is gone whatever runs under its pid now', async () => {
    const me = identify(process.pid)!;
    const copyDir = await copy('9a9a9a9a', me);
    const mark = stagingOwnerMark(env, '9a9a9a9a');
    writeFileSync(mark, JSON.stringify({ pid: me.pid, startTime: me.startTime, bootId: 'another-boot' }));
    assert.equal(await reapStagingLeftovers(path.join(dir, 'runtime', 'nofear'), env), 1);
    assert.equal(existsSync(copyDir), false);
  });
});
