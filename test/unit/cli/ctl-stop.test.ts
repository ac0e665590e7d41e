import assert from 'node:assert/strict';
import { notRunning, resultLine, selectTargets, stopTarget } from '../../../src/cli/ctl-stop.js';
import { parseCommandLine } from '../../../src/cli/grammar.js';
import { NOFEARCTL_SPEC } from '../../../src/cli/spec-nofearctl.js';
import { NoFearError } from '../../../src/errors.js';
import type { SandboxRecord } from '../../../src/sandbox/registry.js';
import { planPoliteStop } from '../../../src/sandbox/stop.js';

const record = (id: string, profile: string): SandboxRecord => ({
  id,
  profile,
  command: ['true'],
  files: [],
  state: 'running',
  createdAt: 0,
  owner: { pid: 100, startTime: 1 },
});

const records = [record('0000aaaa', 'temporary'), record('0000bbbb', 'work'), record('0000cccc', 'temporary'), record('0000dddd', 'deadbeef')];
const ids = (chosen: SandboxRecord[]) => chosen.map((r) => r.id);

describe('nofearctl stop targets', () => {
  it('takes exactly one target: an id, a profile name or --all', () => {
    assert.equal(stopTarget(false, '0000aaaa'), '0000aaaa');
    assert.equal(stopTarget(true, undefined), '--all');
    assert.throws(
      () => stopTarget(false, undefined),
      (e: unknown) => e instanceof NoFearError && e.code === 'InvalidArgument' && /needs a sandbox id/.test(e.message),
    );
    assert.throws(() => stopTarget(true, 'work'), /--all or a target, not both/);
    assert.throws(() => stopTarget(false, '../x'), /neither a sandbox id .* nor a profile name/);
    assert.throws(() => parseCommandLine(NOFEARCTL_SPEC, ['stop', 'a', 'b']), /stop takes at most 1 argument/);
  });

  it('picks one sandbox by id, every sandbox of a profile by name, or all', () => {
    assert.deepEqual(ids(selectTargets(records, '0000bbbb').chosen), ['0000bbbb']);
    assert.deepEqual(ids(selectTargets(records, 'temporary').chosen), ['0000aaaa', '0000cccc']);
    assert.deepEqual(selectTargets(records, 'work').target, { kind: 'profile', name: 'work' });
    assert.deepEqual(ids(selectTargets(records, '--all').chosen), ['0000aaaa', '0000bbbb', '0000cccc', '0000dddd']);
  });

  it('reads an 8-hex-digit name as a profile when no sandbox has that id', () => {
    assert.deepEqual(ids(selectTargets(records, 'deadbeef').chosen), ['0000dddd']);
    assert.deepEqual(selectTargets(records, '12345678'), { target: { kind: 'id', id: '12345678' }, chosen: [] });
    assert.deepEqual(selectTargets(records, 'nosuch'), { target: { kind: 'profile', name: 'nosuch' }, chosen: [] });
  });

  it('names a target that is not running with NotFound, saying what it cleaned', () => {
    const gone = notRunning({ kind: 'id', id: '12345678' }, []);
    assert.equal(gone.code, 'NotFound');
    assert.equal(gone.message, 'No sandbox 12345678 is running: it has ended already, or never existed.');
    assert.equal(gone.fix, 'nofearctl ps lists the running ones');
    assert.match(notRunning({ kind: 'profile', name: 'work' }, ['0000bbbb']).message, /^No sandbox of profile work is running: it had ended already; removed the files it left \(0000bbbb\)\.$/);
  });

  it('reports each outcome in words', () => {
    assert.equal(resultLine('0000aaaa', 'stopped', 10_000), '0000aaaa: stopped');
    assert.equal(resultLine('0000aaaa', 'killed', 10_000), '0000aaaa: killed (it did not power off within 10 s)');
    assert.equal(resultLine('0000aaaa', 'cleaned', 10_000), '0000aaaa: had already ended; removed the files it left');
  });
});

describe('stopping politely', () => {
  const own = (id: string, owner: number, over: Partial<SandboxRecord> = {}): SandboxRecord => ({ ...record(id, 'temporary'), owner: { pid: owner, startTime: 1 }, ...over });
  const live = () => true;
  // The owners stand for NoFear commands (on a real host: node .../cli/nofear.js on their command line).
  const nofearOwner = () => true;

  it('sends its owner SIGTERM (once) when every sandbox that owner holds is stopped', () => {
    const records = [own('0000aaaa', 100), own('0000bbbb', 100), own('0000cccc', 200)];
    const plan = planPoliteStop(records, new Set(['0000aaaa', '0000bbbb']), 1, live, nofearOwner);
    assert.deepEqual(
      [...plan.polite],
      [
        ['0000aaaa', 'owner'],
        ['0000bbbb', 'owner'],
      ],
    );
    assert.deepEqual(
      plan.signalOwners.map((r) => r.owner.pid),
      [100],
    );
  });

  it('stops only the VM (QEMU gets SIGTERM) when its owner holds others that must live', () => {
    const records = [own('0000aaaa', 100), own('0000bbbb', 100)];
    const plan = planPoliteStop(records, new Set(['0000aaaa']), 1, live, nofearOwner);
    assert.deepEqual([...plan.polite], [['0000aaaa', 'qemu']]);
    assert.deepEqual(plan.signalOwners, []);
  });

  it('asks the service over D-Bus for its own sandboxes, and never signals itself', () => {
    const records = [own('0000aaaa', 100, { ownerKind: 'service' }), own('0000bbbb', 1)];
    const plan = planPoliteStop(records, new Set(['0000aaaa', '0000bbbb']), 1, live, nofearOwner);
    assert.deepEqual(
      [...plan.polite],
      [
        ['0000aaaa', 'service'],
        ['0000bbbb', 'owner'],
      ],
    );
    assert.deepEqual(plan.signalOwners, []);
  });

  it('never signals an owner that is not a NoFear command (a forged record): its sandbox is asked through its QEMU', () => {
    const records = [own('0000aaaa', 100), own('0000bbbb', 200)];
    const plan = planPoliteStop(records, new Set(['0000aaaa', '0000bbbb']), 1, live, (r) => r.owner.pid === 200);
    assert.deepEqual(
      [...plan.polite],
      [
        ['0000aaaa', 'qemu'],
        ['0000bbbb', 'owner'],
      ],
    );
    assert.deepEqual(
      plan.signalOwners.map((r) => r.owner.pid),
      [200],
    );
  });

  it('a pid reused by another process (other start time) is another owner', () => {
    const records = [own('0000aaaa', 100), { ...own('0000bbbb', 100), owner: { pid: 100, startTime: 9 } }];
    assert.deepEqual([...planPoliteStop(records, new Set(['0000aaaa']), 1, live, nofearOwner).polite], [['0000aaaa', 'owner']]);
  });
});
