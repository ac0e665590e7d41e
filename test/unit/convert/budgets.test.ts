// The conversion's budgets as pure decisions: the disk reserve, when a disk is short, when free space is
// looked at again, and which leftovers are abandoned.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DiskBudget, diskShortage, type DiskSpace } from '../../../src/convert/disk-budget.js';
import { abandoned, ABANDONED_AFTER_MS, leftoverKind, reapConversionLeftovers, workDirPrefix } from '../../../src/convert/leftovers.js';
import { diskReserveBytes, DISK_CHECK_EVERY_BYTES, jobDeadlineMs, JOB_DEADLINE_MS } from '../../../src/convert/limits.js';

const MiB = 1024 ** 2;

describe('convert: budgets', () => {
  it('keeps 5 % of a disk free, at least 16 MiB and at most 1 GiB', () => {
    assert.equal(diskReserveBytes(64 * MiB), 16 * MiB);
    assert.equal(diskReserveBytes(1000 * MiB), 50 * MiB);
    assert.equal(diskReserveBytes(1024 * 1024 * MiB), 1024 * MiB);
  });

  it('a disk is short when what is about to be written would take it under the reserve', () => {
    const space: DiskSpace = { freeBytes: 20 * MiB, totalBytes: 64 * MiB };
    assert.equal(diskShortage(space), undefined);
    assert.match(diskShortage(space, 5 * MiB) ?? '', /^20 MiB free for 5 MiB more, and NoFear keeps 16 MiB free/);
  });

  it('looks again every DISK_CHECK_EVERY_BYTES written, counting the next interval, and names the disk', () => {
    let free = 40 * MiB;
    let looks = 0;
    const budget = new DiskBudget(['/out'], 'the conversion of x.pdf', () => {
      looks++;
      return { freeBytes: free, totalBytes: 64 * MiB };
    });
    budget.wrote(DISK_CHECK_EVERY_BYTES - 1);
    assert.equal(looks, 0);
    budget.wrote(1);
    assert.equal(looks, 1);
    free = 17 * MiB; // over the reserve now, but not with two more intervals
    budget.wrote(DISK_CHECK_EVERY_BYTES / 2);
    assert.throws(() => budget.wrote(DISK_CHECK_EVERY_BYTES / 2), /the conversion of x\.pdf stopped: the disk of \/out has 17 MiB free .*nothing was written \(DiskFull\)/);
  });

  it("the job deadline: two hours, lowered only by the tests' variable", () => {
    assert.equal(jobDeadlineMs({}), JOB_DEADLINE_MS);
    assert.equal(jobDeadlineMs({ NOFEAR_TEST_JOB_DEADLINE_MS: '20000' }), 20_000);
    assert.equal(jobDeadlineMs({ NOFEAR_TEST_JOB_DEADLINE_MS: 'soon' }), JOB_DEADLINE_MS);
  });

  it('tells leftovers by name, and abandoned ones by their process or age', () => {
    assert.deepEqual(leftoverKind('.a b.safe.pdf.nofear-0123456789abcdef', 'output'), { kind: 'temp-pdf' });
    assert.deepEqual(leftoverKind('.a b.safe-2.pdf.nofear-0123456789abcdef', 'output'), { kind: 'temp-pdf' });
    assert.equal(leftoverKind('.a b.pdf.nofear-0123456789abcdef', 'output'), undefined);
    assert.equal(leftoverKind('report.safe.pdf', 'output'), undefined);
    assert.deepEqual(leftoverKind('convert-1234-aB3dE9', 'cache'), { kind: 'work-dir', pid: 1234 });
    assert.deepEqual(leftoverKind('convert-aB3dE9', 'cache'), { kind: 'work-dir' });
    assert.equal(leftoverKind('convert-1234-aB3dE9', 'output'), undefined, 'only the cache holds work directories');
    assert.equal(leftoverKind('convert-0-aB3dE9', 'cache'), undefined);
    assert.equal(leftoverKind('ocr-1234-aB3dE9', 'cache'), undefined);
    assert.equal(leftoverKind('staging', 'cache'), undefined);
    const dead = () => false;
    const live = () => true;
    assert.equal(abandoned({ kind: 'work-dir', pid: 7 }, 0, dead), true);
    assert.equal(abandoned({ kind: 'work-dir', pid: 7 }, 0, live), false);
    assert.equal(abandoned({ kind: 'work-dir' }, 0, dead), false);
    assert.equal(abandoned({ kind: 'temp-pdf' }, ABANDONED_AFTER_MS - 1, dead), false);
    assert.equal(abandoned({ kind: 'temp-pdf' }, ABANDONED_AFTER_MS + 1, dead), true);
  });

  it("sweeps the cache's work directories as convertFile names them: a dead process's and an old pid-less one's go, a live one's stays", async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'nofear-sweep-'));
    try {
      const cache = path.join(root, 'cache');
      mkdirSync(cache);
      const gone = spawnSync(process.execPath, ['-e', '']).pid ?? 0; // a process that has ended
      const dead = mkdtempSync(workDirPrefix(cache, gone));
      writeFileSync(path.join(dead, 'spool-1.ppm'), 'pixels');
      const live = mkdtempSync(workDirPrefix(cache));
      const oldNoPid = mkdtempSync(path.join(cache, 'convert-'));
      utimesSync(oldNoPid, new Date(0), new Date(0));
      const recentNoPid = mkdtempSync(path.join(cache, 'convert-'));
      mkdirSync(path.join(cache, 'kernels'));
      await reapConversionLeftovers(root, cache);
      assert.deepEqual(readdirSync(cache).sort(), [path.basename(live), path.basename(recentNoPid), 'kernels'].sort());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
