// The password's pure parts: the line read from stdin, the keys typed at the prompt, the guest's words
// cleaned of it, where it goes (the converter's argv says only that one comes), and the errors' words.
import assert from 'node:assert/strict';
import { MAX_PASSWORD_BYTES, passwordFromLine, typeKeys } from '../../../src/cli/password-input.js';
import { converterArgv, takesPassword } from '../../../src/convert/convert-file.js';
import type { ConvertPlan } from '../../../src/convert/convert-plan.js';
import { passwordRefused } from '../../../src/convert/errors.js';
import { StderrTail, withoutPassword } from '../../../src/convert/guest-job.js';
import { NoFearError } from '../../../src/errors.js';

const refusedWith = (pattern: RegExp) => (error: unknown) =>
  error instanceof NoFearError && error.code === 'InvalidArgument' && pattern.test(error.message) && /--password-stdin/.test(error.fix ?? '');

describe('the password of a protected document', () => {
  it('is the first line on stdin, without its line end, spaces and all', () => {
    assert.equal(passwordFromLine(Buffer.from('s3cret\n')), 's3cret');
    assert.equal(passwordFromLine(Buffer.from(' two words \r\nmore lines\n')), ' two words ');
    assert.equal(passwordFromLine(Buffer.from('no line end')), 'no line end');
    assert.equal(passwordFromLine(Buffer.from('Größe-ß\n')), 'Größe-ß');
  });

  it('refuses an empty line, /dev/null, a NUL, an overlong line and bytes that are not UTF-8', () => {
    assert.throws(() => passwordFromLine(Buffer.from('\n')), refusedWith(/read no password/));
    assert.throws(() => passwordFromLine(Buffer.alloc(0)), refusedWith(/\/dev\/null/));
    assert.throws(() => passwordFromLine(Buffer.from('a\0b\n')), refusedWith(/NUL/));
    assert.throws(() => passwordFromLine(Buffer.alloc(MAX_PASSWORD_BYTES + 1, 0x61)), refusedWith(/over 1024 bytes/));
    assert.throws(() => passwordFromLine(Buffer.from([0x61, 0xff, 0x0a])), refusedWith(/not UTF-8/));
  });

  it('is typed at the prompt: Enter ends, Backspace and Ctrl-U erase, Ctrl-C and Ctrl-D on nothing cancel, other controls are dropped', () => {
    assert.deepEqual(typeKeys('', 'ab'), { typed: 'ab', state: 'typing' });
    assert.deepEqual(typeKeys('ab', 'c\x7fd\r'), { typed: 'abd', state: 'entered' });
    assert.deepEqual(typeKeys('ab', '\x15xy\x1b\n'), { typed: 'xy', state: 'entered' });
    assert.deepEqual(typeKeys('ab', '\x03'), { typed: '', state: 'cancelled' });
    assert.deepEqual(typeKeys('', '\x04'), { typed: '', state: 'cancelled' });
    assert.deepEqual(typeKeys('a', '\x04'), { typed: 'a', state: 'typing' });
    assert.deepEqual(typeKeys('ü', '\b'), { typed: '', state: 'typing' });
  });

  it('is never in the converter argv, which says only that it comes on stdin; a PDF and an office document take one', () => {
    const plan = { kind: 'pdf', dpi: 150, stagedName: 'a.pdf' } as ConvertPlan;
    assert.deepEqual(converterArgv(plan).slice(3), ['pdf', '150', '/staging/a.pdf']);
    assert.deepEqual(converterArgv(plan, true), [...converterArgv(plan), 'password']);
    assert.equal(takesPassword(plan, 'x'), true);
    assert.equal(takesPassword(plan, undefined), false);
    assert.equal(takesPassword({ ...plan, kind: 'image' } as ConvertPlan, 'x'), false);
    assert.equal(takesPassword({ ...plan, kind: 'office' } as ConvertPlan, 'x'), true, 'LibreOffice is given it through UNO');
    assert.equal(takesPassword({ ...plan, kind: 'mail' } as ConvertPlan, 'x'), false);
  });

  it('is cut out of what the guest says before it is logged or quoted', () => {
    assert.equal(withoutPassword('echoing hunter2 and hunter2', 'hunter2'), 'echoing [the password] and [the password]');
    assert.equal(withoutPassword('nothing to hide', undefined), 'nothing to hide');
    const tail = new StderrTail();
    tail.push(Buffer.from('nofear-convert: the password does not open the document\n'));
    assert.equal(withoutPassword(tail.lastLine(), 'hunter2'), 'nofear-convert: the password does not open the document');
  });

  it('names the problem and the fix: none given, or a wrong one (told apart by the host, not the guest)', () => {
    const none = passwordRefused('/home/u/a b.pdf', false, 'nofear-convert: the document is protected by a password');
    assert.equal(none.code, 'AccessDenied');
    assert.equal(none.failure, 'PasswordNeeded');
    assert.match(none.message, /^\/home\/u\/a b\.pdf is protected by a password, and none was given \(PasswordNeeded\); the VM said/);
    assert.match(none.fix ?? '', /nofear-open --convert --password-stdin '\/home\/u\/a b\.pdf'$/);
    const wrong = passwordRefused('a.pdf', true, 'nofear-convert: the document is protected by a password');
    assert.equal(wrong.failure, 'WrongPassword');
    assert.match(wrong.message, /^The password given does not open a\.pdf \(WrongPassword\)/);
    assert.match(wrong.fix ?? '', /check the password .*: nofear-open --convert --password-stdin a\.pdf$/);
  });
});
