// The conversion's budgets as pure decisions: the disk reserve, when a disk is short, when free space is
// looked at again, and which leftovers are abandoned.
import assert from 'node:assert/strict';
import { DiskBudget, diskShortage, type DiskSpace } from '../../../src/convert/disk-budget.js';
import { abandoned, ABANDONED_AFTER_MS, leftoverKind } from '../../../src/convert/leftovers.js';
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
    assert.deepEqual(leftoverKind('ocr-1234-aB3dE9', 'cache'), { kind: 'ocr-dir', pid: 1234 });
    assert.deepEqual(leftoverKind('ocr-aB3dE9', 'cache'), { kind: 'ocr-dir' });
    assert.equal(leftoverKind('staging', 'cache'), undefined);
    const dead = () => false;
    const live = () => true;
    assert.equal(abandoned({ kind: 'ocr-dir', pid: 7 }, 0, dead), true);
    assert.equal(abandoned({ kind: 'ocr-dir', pid: 7 }, 0, live), false);
    assert.equal(abandoned({ kind: 'ocr-dir' }, 0, dead), false);
    assert.equal(abandoned({ kind: 'temp-pdf' }, ABANDONED_AFTER_MS - 1, dead), false);
    assert.equal(abandoned({ kind: 'temp-pdf' }, ABANDONED_AFTER_MS + 1, dead), true);
  });
});
