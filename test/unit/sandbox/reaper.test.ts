// What crashed NoFear processes leave: a record is live while its owner runs, orphaned while only its own
// QEMU does, stale otherwise; only processes whose command line proves them ours are recognised; and
// reaping a runtime dir removes stale sandboxes and old debris, never a live one, a fresh start or a
// foreign name. Real processes and real directories.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isNoFearCommand, isSandboxProcess, liveness, reapLeftovers } from '../../../src/sandbox/reaper.js';
import type { SandboxRecord } from '../../../src/sandbox/registry.js';
import { identify, type ProcessIdentity } from '../../../src/util/proc.js';

const OWNER: ProcessIdentity = { pid: 1000, startTime: 5 };
const QEMU: ProcessIdentity = { pid: 2000, startTime: 6 };
const RECORD: SandboxRecord = { id: '0123abcd', profile: 'temporary', command: ['ls'], files: [], state: 'running', createdAt: 0, owner: OWNER, qemu: QEMU };

describe('the reaper (what crashed NoFear processes leave)', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  /** A real node process with these arguments, idle until killed; its identity once it has exec'd. */
  const nodeRunning = (args: string[]): ProcessIdentity => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    children.push(child);
    const identity = identify(child.pid ?? -1);
    assert.ok(identity !== undefined);
    return identity;
  };

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-reaper-'));
  });
  after(async () => {
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGKILL'))))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('live while the owner runs; orphaned while only its own QEMU runs; stale when QEMU is not provably its', () => {
    const running =
      (...alive: ProcessIdentity[]) =>
      (identity: ProcessIdentity | undefined) =>
        alive.includes(identity as ProcessIdentity);
    assert.equal(
      liveness(RECORD, running(OWNER, QEMU), () => true),
      'live',
    );
    assert.equal(
      liveness(RECORD, running(QEMU), () => true),
      'orphaned',
    );
    assert.equal(
      liveness(RECORD, running(QEMU), () => false),
      'stale',
    );
    assert.equal(
      liveness(RECORD, running(), () => true),
      'stale',
    );
    assert.equal(
      liveness({ ...RECORD, qemu: undefined }, running(QEMU), () => true),
      'stale',
    );
  });

  it("recognises a sandbox's process only by nofear-<id> in its command line, and only while that very process runs", () => {
    const idle = 'setInterval(() => {}, 1000)';
    const vm = nodeRunning(['-e', idle, 'nofear-0123abcd']);
    assert.equal(isSandboxProcess(vm, '0123abcd'), true);
    assert.equal(isSandboxProcess(vm, '99999999'), false);
    assert.equal(isSandboxProcess({ pid: vm.pid, startTime: vm.startTime + 1 }, '0123abcd'), false); // a recycled pid
    assert.equal(isSandboxProcess(undefined, '0123abcd'), false);
  });

  it("signals an owner only when it is node running one of NoFear's commands", () => {
    const script = path.join(dir, 'nofear-open.js');
    writeFileSync(script, 'setInterval(() => {}, 1000);\n');
    const other = path.join(dir, 'other.js');
    writeFileSync(other, 'setInterval(() => {}, 1000);\n');
    assert.equal(isNoFearCommand(nodeRunning(['--no-warnings', script, '/f/a.pdf'])), true);
    assert.equal(isNoFearCommand(nodeRunning([other, 'nofear.js'])), false);
    assert.equal(isNoFearCommand(identify(process.pid)), false); // mocha
    assert.equal(isNoFearCommand(undefined), false);
  });

  it('reaps stale sandboxes and debris older than a minute, and leaves live ones, fresh starts and foreign names', async () => {
    const base = path.join(dir, 'runtime');
    const me = identify(process.pid);
    assert.ok(me !== undefined);
    const sandbox = (id: string, record?: Partial<SandboxRecord>) => {
      mkdirSync(path.join(base, id, 'vm'), { recursive: true });
      if (record !== undefined) writeFileSync(path.join(base, id, 'sandbox.json'), JSON.stringify({ ...RECORD, id, ...record }));
      return path.join(base, id);
    };
    const live = sandbox('aaaaaaaa', { owner: me, qemu: undefined });
    const stale = sandbox('bbbbbbbb', { owner: { pid: me.pid, startTime: me.startTime + 1 }, qemu: undefined });
    const oldDebris = sandbox('cccccccc');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(oldDebris, hourAgo, hourAgo);
    const freshStart = sandbox('dddddddd');
    const foreign = sandbox('not-an-id');
    const misnamed = sandbox('eeeeeeee', { id: 'ffffffff', owner: { pid: me.pid, startTime: me.startTime + 1 } });
    utimesSync(misnamed, hourAgo, hourAgo);
    const logged: string[] = [];
    const env = { XDG_CACHE_HOME: path.join(dir, 'cache') };
    assert.equal(await reapLeftovers(base, (line) => logged.push(line), env), 3);
    assert.deepEqual(
      [live, stale, oldDebris, freshStart, foreign, misnamed].map((d) => existsSync(d)),
      [true, false, false, true, true, false],
    );
    assert.ok(logged.includes('removed leftover sandbox bbbbbbbb'), logged.join('\n'));
    assert.equal(await reapLeftovers(path.join(dir, 'no-such-runtime'), undefined, env), 0);
  });
});
