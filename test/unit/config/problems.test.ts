// Config problems as people read them: "FILE:LINE: message", in file order with the line-less last, and
// as typed errors whose fix says where to edit (or which variable to unset).
import assert from 'node:assert/strict';
import { formatProblem, problemError, sortProblems } from '../../../src/config/problems.js';
import type { ConfigProblem } from '../../../src/config/types.js';

const FILE = '/home/u/.config/nofear/config.ini';
const AT_7: ConfigProblem = { code: 'InvalidArgument', origin: FILE, line: 7, setting: 'vm.memory', message: 'memory = 9T is more than this machine has.' };
const AT_2: ConfigProblem = { code: 'InvalidArgument', origin: FILE, line: 2, setting: 'vm.cpus', message: 'cpus = 0 is not allowed.' };
const UNREADABLE: ConfigProblem = { code: 'AccessDenied', origin: FILE, message: 'cannot be read.' };
const FROM_ENV: ConfigProblem = { code: 'InvalidArgument', origin: 'env NOFEAR_ACCEL', setting: 'vm.accel', message: 'NOFEAR_ACCEL="fast" is not allowed.' };

describe('config problems', () => {
  it('reads as FILE:LINE: message, or ORIGIN: message without a line', () => {
    assert.equal(formatProblem(AT_7), `${FILE}:7: memory = 9T is more than this machine has.`);
    assert.equal(formatProblem(FROM_ENV), 'env NOFEAR_ACCEL: NOFEAR_ACCEL="fast" is not allowed.');
  });

  it('sorts by line, those without one last, leaving the input as it was', () => {
    const input = [UNREADABLE, AT_7, FROM_ENV, AT_2];
    assert.deepEqual(sortProblems(input), [AT_2, AT_7, UNREADABLE, FROM_ENV]);
    assert.deepEqual(input, [UNREADABLE, AT_7, FROM_ENV, AT_2]);
  });

  it('becomes a typed error whose fix names the file and line to edit, or the variable to unset', () => {
    const fromFile = problemError(AT_7);
    assert.equal(fromFile.code, 'InvalidArgument');
    assert.equal(fromFile.message, formatProblem(AT_7));
    assert.equal(fromFile.fix, `edit ${FILE} (line 7)`);
    assert.equal(problemError(UNREADABLE).code, 'AccessDenied');
    assert.equal(problemError(UNREADABLE).fix, `edit ${FILE}`);
    assert.equal(problemError(FROM_ENV).fix, 'unset NOFEAR_ACCEL, or set it to an allowed value');
  });
});
