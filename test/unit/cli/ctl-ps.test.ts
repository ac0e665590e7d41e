import assert from 'node:assert/strict';
import { formatPs, psRow, type ProcessProbe } from '../../../src/cli/ctl-ps.js';
import type { SandboxRecord } from '../../../src/sandbox/registry.js';
import type { ProcessIdentity } from '../../../src/util/proc.js';

/** A process table: pid → start time of what runs there now, and RSS in KiB. */
function fakeProbe(table: Record<number, { startTime: number; rssKiB?: number }>): ProcessProbe {
  return {
    alive: (p: ProcessIdentity | undefined) => p !== undefined && table[p.pid]?.startTime === p.startTime,
    rssKiB: (pid) => table[pid]?.rssKiB,
    startTime: (pid) => table[pid]?.startTime,
    // The table's processes stand for the sandbox's own (on a real host: `nofear-<id>` on their command line).
    ours: (p) => p !== undefined && table[p.pid] !== undefined,
  };
}

const record = (over: Partial<SandboxRecord> = {}): SandboxRecord => ({
  id: '0123abcd',
  profile: 'temporary',
  command: ['sh', '-c', 'echo up; exec sleep 600'],
  files: [],
  state: 'running',
  createdAt: 1_000_000,
  owner: { pid: 100, startTime: 5 },
  qemu: { pid: 200, startTime: 6 },
  vmm: { pid: 203, startTime: 7 },
  ownerKind: 'cli',
  accel: 'tcg',
  memoryMiB: 256,
  cpus: 2,
  ...over,
});

describe('nofearctl ps rows', () => {
  it('shows a running sandbox with its accelerator, memory and the RSS of QEMU itself (not its jail)', () => {
    const probe = fakeProbe({ 100: { startTime: 5 }, 200: { startTime: 6, rssKiB: 900 }, 203: { startTime: 7, rssKiB: 204_800 } });
    const row = psRow(record(), 1_000_000 + 42_400, probe);
    assert.deepEqual(
      {
        id: row.id,
        profile: row.profile,
        command: row.command,
        state: row.state,
        age: row.ageSeconds,
        accel: row.accel,
        mem: row.memoryMiB,
        pid: row.qemuPid,
        rss: row.qemuRssMiB,
        cleaned: row.cleaned,
      },
      { id: '0123abcd', profile: 'temporary', command: 'sh -c echo up; exec sleep 600', state: 'running', age: 42, accel: 'tcg', mem: 256, pid: 203, rss: 200, cleaned: false },
    );
    assert.equal(row.note, undefined);
  });

  it('shows the files a viewer opened instead of its command', () => {
    const probe = fakeProbe({ 100: { startTime: 5 } });
    assert.equal(psRow(record({ files: ['/home/u/a.pdf'], command: ['evince', '/staging/a.pdf'] }), 1_000_000, probe).command, '/home/u/a.pdf');
  });

  it('calls an entry stale when its pids now belong to other processes, and names them as left alone', () => {
    // pid 100 and 200 run again, started at other times: recycled pids, not ours.
    const probe = fakeProbe({ 100: { startTime: 99 }, 200: { startTime: 98, rssKiB: 5000 } });
    const row = psRow(record(), 1_000_000, probe);
    assert.equal(row.state, 'stale');
    assert.equal(row.qemuPid, null);
    assert.equal(row.qemuRssMiB, null);
    assert.match(row.note ?? '', /pid 100, 200 now belongs to another process, left alone/);
  });

  it('calls an entry orphaned when its owner died but its QEMU still runs', () => {
    const probe = fakeProbe({ 200: { startTime: 6 } });
    const row = psRow(record({ vmm: undefined }), 1_000_000, probe);
    assert.equal(row.state, 'orphaned');
    assert.equal(row.qemuPid, 200);
    assert.match(row.note ?? '', /left QEMU 200 running, which is stopped now/);
  });
});

describe('nofearctl ps table', () => {
  const probe = fakeProbe({ 100: { startTime: 5 }, 203: { startTime: 7, rssKiB: 102_400 } });

  it('says when nothing runs', () => {
    assert.equal(formatPs([]), 'no sandboxes running\n');
  });

  it('has one header and one line per sandbox, and says which leftovers it cleaned', () => {
    const live = psRow(record(), 1_000_000 + 3_600_000, probe);
    const stale = { ...psRow(record({ id: 'deadbeef', owner: { pid: 100, startTime: 1 }, qemu: undefined, vmm: undefined }), 1_000_000, probe), cleaned: true };
    const lines = formatPs([live, stale]).trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^ID\s+PROFILE\s+STATE\s+AGE\s+ACCEL\s+MEM\s+RSS\s+COMMAND$/);
    assert.match(lines[1] ?? '', /^0123abcd\s+temporary\s+running\s+60m\s+tcg\s+256M\s+100M\s+sh -c echo up; exec sleep 600$/);
    assert.match(lines[2] ?? '', /^deadbeef\s+temporary\s+stale\s/);
    assert.match(lines.at(-1) ?? '', /^cleaned up deadbeef \(stale\): its NoFear process and QEMU have ended; pid 100 now belongs to another process, left alone$/);
  });

  it('escapes control characters in a command taken from a file name', () => {
    const row = psRow(record({ files: ['/tmp/evil\x1b[2Jname.pdf'] }), 1_000_000, probe);
    assert.ok(!formatPs([row]).includes('\x1b'));
    assert.match(formatPs([row]), /evil\\u001b\[2Jname\.pdf/);
  });
});
