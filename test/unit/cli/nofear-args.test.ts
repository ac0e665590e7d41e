import assert from 'node:assert/strict';
import { parseNofearArgs, type RunArgs } from '../../../src/cli/nofear-args.js';
import { NoFearError } from '../../../src/errors.js';

const run = (argv: string[]) => parseNofearArgs(argv) as RunArgs;

describe('parseNofearArgs', () => {
  it('stops at the first non-option, so `nofear ps fauxw` runs ps fauxw', () => {
    assert.deepEqual(run(['ps', 'fauxw']).command, ['ps', 'fauxw']);
    assert.deepEqual(run(['-t', 'ls', '-la']).command, ['ls', '-la']);
    assert.deepEqual(run(['-t', '--', '-weird']).command, ['-weird']);
  });
  it('takes the original and the long forms', () => {
    const args = run(['-p', 'work', '-g', '-s', '-f', '/tmp', '--net', 'user', '--mem=512', '--cpus', '1', '--root', '-v', 'xclock']);
    assert.equal(args.profile, 'work');
    assert.equal(args.gui, true);
    assert.equal(args.sound, true);
    assert.equal(args.sharedFolder, '/tmp');
    assert.equal(args.net, 'user');
    assert.equal(args.memoryMiB, 512);
    assert.equal(args.cpus, 1);
    assert.equal(args.root, true);
    assert.equal(args.verbose, true);
    assert.throws(() => run(['--temporary=yes']));
  });
  it('knows the profile commands', () => {
    assert.deepEqual(parseNofearArgs(['-n', 'work']), { action: 'create', name: 'work', verbose: false });
    assert.deepEqual(parseNofearArgs(['-d', 'work']), { action: 'delete', name: 'work', verbose: false });
    assert.deepEqual(parseNofearArgs(['-l']), { action: 'list', verbose: false });
  });
  it('refuses bad input with InvalidArgument', () => {
    for (const argv of [['--bogus'], ['-p'], ['--net', 'bridge'], ['--mem', '1.5'], ['--cpus', '0'], ['-p', 'a', '-t'], ['-s', 'x'], ['-l', 'x']]) {
      assert.throws(() => parseNofearArgs(argv), (error: unknown) => error instanceof NoFearError && error.code === 'InvalidArgument', argv.join(' '));
    }
  });
});
