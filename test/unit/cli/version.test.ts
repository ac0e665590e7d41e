// --help and --version, shared by every command: the version is package.json's, printed after the
// command's own name; help prints the command's help; a run prints nothing and is not answered.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCommandLine } from '../../../src/cli/grammar.js';
import { NOFEARCTL_SPEC } from '../../../src/cli/spec-nofearctl.js';
import { answeredHelpOrVersion, nofearVersion } from '../../../src/cli/version.js';

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('--help and --version', () => {
  it('reads the version from the package.json that ships beside the program', () => {
    assert.match(PACKAGE_VERSION, /^\d+\.\d+\.\d+/);
    assert.equal(nofearVersion(), PACKAGE_VERSION);
  });

  it('answers --version with the command name and version, --help with the help, and leaves a run alone', () => {
    const written: string[] = [];
    const write = (text: string) => written.push(text);
    assert.equal(answeredHelpOrVersion(parseCommandLine(NOFEARCTL_SPEC, ['--version']), write), true);
    assert.deepEqual(written, [`nofearctl ${PACKAGE_VERSION}\n`]);
    written.length = 0;
    assert.equal(answeredHelpOrVersion(parseCommandLine(NOFEARCTL_SPEC, ['--help']), write), true);
    assert.equal(written.length, 1);
    assert.match(written[0] ?? '', /nofearctl/);
    written.length = 0;
    assert.equal(answeredHelpOrVersion(parseCommandLine(NOFEARCTL_SPEC, ['ps']), write), false);
    assert.deepEqual(written, []);
  });
});
