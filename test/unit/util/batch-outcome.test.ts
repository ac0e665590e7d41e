import assert from 'node:assert/strict';
import { invalidArgument } from '../../../src/errors.js';
import { ALL_HANDLED, batchExitStatus, batchNotice, failed, handled, NONE_HANDLED, planEach, SOME_FAILED, terminalSummary, type TargetOutcome } from '../../../src/util/batch-outcome.js';

const pdf = handled('/home/u/report.pdf');
const noViewer = failed('/home/u/random.bin', new (class extends Error {})('unused'));
const folder = failed('/home/u/folder', invalidArgument('/home/u/folder is a directory; NoFear opens files.', 'open a file inside it'));

describe('batch outcome', () => {
  it('plans each target on its own, in order: a plan, or the failure named by the target (a throw before any await too)', async () => {
    const order: string[] = [];
    const planned = await planEach(
      ['a', 'b', 'c'],
      (target) => `/home/u/${target}`,
      (target) => {
        order.push(target);
        if (target === 'b') throw invalidArgument('b is a directory', 'open a file inside it');
        return Promise.resolve(target.toUpperCase());
      },
    );
    assert.deepEqual(order, ['a', 'b', 'c']);
    assert.deepEqual(planned, ['A', { target: '/home/u/b', kind: 'failed', reason: 'b is a directory', fix: 'open a file inside it' }, 'C']);
  });

  it('exits 0 when all were handled, 3 when some failed, 125 when none was (and for an empty batch)', () => {
    assert.equal(batchExitStatus([pdf, pdf]), ALL_HANDLED);
    assert.equal(batchExitStatus([pdf, folder]), SOME_FAILED);
    assert.equal(SOME_FAILED, 3);
    assert.equal(batchExitStatus([folder, noViewer]), NONE_HANDLED);
    assert.equal(NONE_HANDLED, 125);
    assert.equal(batchExitStatus([]), NONE_HANDLED);
  });

  it("keeps a NoFearError's reason and fix; anything else is an internal error with the --verbose fix", () => {
    assert.deepEqual(folder, { target: '/home/u/folder', kind: 'failed', reason: '/home/u/folder is a directory; NoFear opens files.', fix: 'open a file inside it' });
    assert.equal(noViewer.kind, 'failed');
    assert.match(noViewer.kind === 'failed' ? noViewer.reason : '', /^internal error: unused$/);
  });

  it('makes one notification naming every failure with its fix, and none when nothing failed', () => {
    assert.equal(batchNotice([pdf], 'open'), undefined);
    const notice = batchNotice([pdf, noViewer, folder], 'open');
    assert.equal(notice?.summary, 'NoFear could not open 2 of 3 files (1 opened)');
    assert.deepEqual(notice?.body.split('\n'), [
      '• random.bin: internal error: unused Fix: run again with --verbose, and report it if it persists',
      '• folder: /home/u/folder is a directory; NoFear opens files. Fix: open a file inside it',
    ]);
    assert.equal(batchNotice([folder], 'convert')?.summary, 'NoFear could not convert folder');
  });

  it('gives the terminal one line per failure (the target named once) and a tally for a batch', () => {
    const outcomes: TargetOutcome[] = [pdf, folder, { target: 'x.bin', kind: 'failed', reason: 'No viewer.' }];
    assert.deepEqual(terminalSummary(outcomes, 'nofear-open', 'open'), [
      'nofear-open: /home/u/folder is a directory; NoFear opens files. Fix: open a file inside it',
      'nofear-open: x.bin: No viewer.',
      'nofear-open: opened 1 of 3; 2 failed (above).',
    ]);
    assert.deepEqual(terminalSummary([folder], 'nofear-open', 'open'), ['nofear-open: /home/u/folder is a directory; NoFear opens files. Fix: open a file inside it']);
    assert.deepEqual(terminalSummary([pdf, pdf], 'nofear-open', 'open'), []);
  });
});
