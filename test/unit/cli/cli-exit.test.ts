// How every command ends: a NoFearError's problem and fix, an internal error with its own fix, status 125;
// notices only on a terminal or with --verbose, never with --quiet; runMain's status in a real child.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { invalidArgument } from '../../../src/errors.js';
import { NOFEAR_FAILURE, noticeWriter, reportFailure } from '../../../src/cli/cli-exit.js';
import { exitOf } from '../../../src/util/child.js';
import { capturedStderr } from '../../helpers/stderr-capture.js';

const MODULE = fileURLToPath(new URL('../../../src/cli/cli-exit.ts', import.meta.url));

describe('cli/cli-exit', () => {
  afterEach(() => delete process.env.NOFEAR_DEBUG);

  it('reports a NoFearError as its problem and fix on one line, status 125', async () => {
    const { result, text } = await capturedStderr(() => reportFailure('nofear-open', invalidArgument('a.pdf is a directory.', 'open a file')));
    assert.equal(result, NOFEAR_FAILURE);
    assert.equal(text, 'nofear-open: a.pdf is a directory. Fix: open a file\n');
  });

  it('reports anything else as an internal error with a fix, the stack only with NOFEAR_DEBUG=1', async () => {
    const plain = await capturedStderr(() => reportFailure('nofear', new Error('boom')));
    assert.equal(plain.result, 125);
    assert.equal(plain.text, 'nofear: internal error: boom\n  fix: run again with --verbose, and report it if it persists\n');
    assert.equal((await capturedStderr(() => reportFailure('nofear', 'a string'))).text.split('\n')[0], 'nofear: internal error: a string');
    process.env.NOFEAR_DEBUG = '1';
    const debug = await capturedStderr(() => reportFailure('nofear', new Error('boom')));
    assert.match(debug.text, /internal error: boom\n.*\nError: boom\n\s+at /);
  });

  it('shows notices with --verbose or on a terminal, never with --quiet, prefixed with the program', async () => {
    const say = (verbose: boolean, quiet: boolean, tty: boolean) => capturedStderr(() => noticeWriter(verbose, 'nofearctl', quiet)('hello'), tty).then((c) => c.text);
    assert.equal(await say(true, false, false), 'nofearctl: hello\n');
    assert.equal(await say(false, false, true), 'nofearctl: hello\n');
    assert.equal(await say(false, false, false), '', 'a pipe without --verbose');
    assert.equal(await say(true, true, true), '', '--quiet wins');
  });

  it('runMain exits 125 with the report when main throws (a real child: it ends the process)', async function () {
    this.timeout(30_000); // a Node with tsx: seconds on a busy machine
    const code = `import { runMain } from ${JSON.stringify(MODULE)}; await runMain('tool', async () => { throw new Error('boom'); });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    assert.deepEqual(await exitOf(child), { code: 125, signal: null });
    assert.match(stderr, /^tool: internal error: boom\n/);
  });
});
