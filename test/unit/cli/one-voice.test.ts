// The three commands speak one grammar: "did you mean", options before files, fixes that name the mode
// they need and the command they are about, and a mistyped profile refused rather than created.
import assert from 'node:assert/strict';
import { parseCommandLine } from '../../../src/cli/grammar.js';
import { parseNofearArgs } from '../../../src/cli/nofear-args.js';
import { parseOpenArgs, type OpenArgs } from '../../../src/cli/nofear-open-args.js';
import { NOFEAR_OPEN_SPEC } from '../../../src/cli/spec-nofear.js';
import { NOFEARCTL_SPEC } from '../../../src/cli/spec-nofearctl.js';
import { NoFearError } from '../../../src/errors.js';
import { checkFirstUse } from '../../../src/profiles/first-use.js';
import { validateProfileName } from '../../../src/profiles/store.js';
import { refusal } from '../../helpers/command-lines.js';

/** The InvalidArgument thrown, or a failed assertion. */
function refused(run: () => unknown): NoFearError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof NoFearError && error.code === 'InvalidArgument', String(error));
    return error;
  }
  assert.fail('accepted');
}

describe('one grammar, one voice', () => {
  it('asks "did you mean" for a mistyped command or option', () => {
    const sotp = refused(() => parseCommandLine(NOFEARCTL_SPEC, ['sotp']));
    assert.match(sotp.message, /^unknown command "sotp": did you mean stop\?$/);
    assert.equal(sotp.fix, 'nofearctl stop --help');
    assert.match(refused(() => parseCommandLine(NOFEARCTL_SPEC, ['profiles', 'delet', 'x'])).message, /did you mean delete\?/);
    assert.match(refused(() => parseOpenArgs(['--wiat', 'a.pdf'])).message, /^unknown option --wiat: did you mean --wait\?$/);
    assert.match(refused(() => parseNofearArgs(['--tempory', 'ls'])).message, /did you mean --temporary\?/);
  });

  it('refuses nofear-open options after a file, with the line that works; -- still makes every word a file', () => {
    const late = refused(() => parseOpenArgs(['report.pdf', '--wait']));
    assert.equal(late.message, '--wait comes after a file: options go before the files (or put -- before a file named like an option).');
    assert.equal(late.fix, 'nofear-open --wait report.pdf');
    assert.match(refused(() => parseOpenArgs(['a.pdf', 'b c.pdf', '--output=x'])).fix ?? '', /^nofear-open --output=x a\.pdf 'b c\.pdf'$/);
    const parsed = parseOpenArgs(['--', 'report.pdf', '--wait']);
    assert.deepEqual(parsed.kind === 'open' ? parsed.args.targets : [], ['report.pdf', '--wait']);
    // nofear keeps stopping at CMD: its arguments are the guest's.
    const run = parseNofearArgs(['ls', '-l', '--wait']);
    assert.deepEqual(run.action === 'run' ? run.command : [], ['ls', '-l', '--wait']);
  });

  it('takes -p for --profile in nofear-open too, and its refusal names nofear-open, not another command', () => {
    const work = refused(() => parseOpenArgs(['-p', 'work', 'a.pdf']));
    assert.match(work.message, /^--profile takes only "temporary"/);
    assert.equal(work.fix, 'nofear-open a.pdf (without --profile)');
    const temporary = parseOpenArgs(['-p', 'temporary', 'a.pdf']);
    assert.equal(temporary.kind === 'open' ? (temporary.args as OpenArgs).profile : undefined, 'temporary');
  });

  it('names the mode an option goes with, and only the option that was given', () => {
    const saveBack = refused(() => parseOpenArgs(['--save-back=sometimes', 'a.odt']));
    assert.match(saveBack.fix ?? '', /^nofear-open --edit --save-back ask /);
    const output = refused(() => parseOpenArgs(['--output', 'out', 'a.pdf']));
    assert.match(output.fix ?? '', /^nofear-open --convert --output \S+ FILE/);
    assert.doesNotMatch(output.fix ?? '', /--ocr/);
    for (const error of [saveBack, output]) assert.equal(refusal(error.fix ?? ''), undefined, `${error.fix ?? ''} parses`);
    assert.doesNotMatch(refused(() => validateProfileName('a b')).fix ?? '', /nofear -p/);
  });

  it('refuses -l, -n and -d with options that shape a VM (nofear -l -t did nothing with -t)', () => {
    const error = refused(() => parseNofearArgs(['-l', '-t']));
    assert.match(error.message, /-n, -d and -l run no VM: -t would do nothing/);
    assert.equal(error.fix, 'leave out -t: nofear -l');
    assert.equal(parseNofearArgs(['-l']).action, 'list');
  });

  it('refuses a new profile name within two edits of an existing one, but creates a really new one and "default"', () => {
    const wrok = refused(() => checkFirstUse('wrok', ['default', 'work'], ['firefox']));
    assert.equal(wrok.message, 'there is no profile "wrok": did you mean work? (nofear -n wrok creates it)');
    assert.equal(wrok.fix, 'nofear -p work firefox');
    assert.doesNotThrow(() => checkFirstUse('banking', ['default', 'work'], []));
    assert.doesNotThrow(() => checkFirstUse('default', ['defaul'], []));
    assert.doesNotThrow(() => checkFirstUse('work', ['work'], []));
  });

  it('lists its late-option refusal in nofear-open --help', () => {
    assert.match(NOFEAR_OPEN_SPEC.description?.join(' ') ?? '', /Options go before the files/);
  });
});
