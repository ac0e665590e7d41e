import assert from 'node:assert/strict';
import { checkMemory, parseNofearArgs, type RunArgs } from '../../../src/cli/nofear-args.js';
import { NoFearError } from '../../../src/errors.js';

const run = (argv: string[]) => parseNofearArgs(argv) as RunArgs;

describe('parseNofearArgs', () => {
  it('stops at the first non-option, so `nofear ps fauxw` runs ps fauxw', () => {
    assert.deepEqual(run(['ps', 'fauxw']).command, ['ps', 'fauxw']);
    assert.deepEqual(run(['-t', 'ls', '-la']).command, ['ls', '-la']);
    assert.deepEqual(run(['-t', '--', '-weird']).command, ['-weird']);
    assert.deepEqual(run(['-t', 'sh', '--help']).command, ['sh', '--help'], "the command's own --help is the command's");
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
    assert.equal(args.quiet, false);
    assert.throws(() => run(['--temporary=yes']));
  });
  it('groups short options: -tg is -t -g, and a value may follow its letter', () => {
    const grouped = run(['-tg', 'xclock']);
    assert.deepEqual([grouped.temporary, grouped.gui, grouped.command], [true, true, ['xclock']]);
    const attached = run(['-gspwork', 'xclock']);
    assert.deepEqual([attached.gui, attached.sound, attached.profile], [true, true, 'work']);
    assert.equal(run(['-gf', '/tmp', 'ls']).sharedFolder, '/tmp');
    assert.equal(run(['-tq', 'true']).quiet, true);
  });
  it('takes memory in MiB or with the units config.ini takes', () => {
    assert.equal(run(['--mem', '2048', 'true']).memoryMiB, 2048);
    assert.equal(run(['--mem', '2G', 'true']).memoryMiB, 2048);
    assert.equal(run(['--mem=512m', 'true']).memoryMiB, 512);
    assert.equal(run(['--mem', '1T', 'true']).memoryMiB, 1024 * 1024);
  });
  it("states the range --mem really has: 128M up to the host's RAM, both ends included", () => {
    const host = 4096 * 1024 ** 2;
    for (const ok of [128, 2048, 4096]) assert.doesNotThrow(() => checkMemory(ok, host), String(ok));
    for (const bad of [127, 64, 4097]) {
      assert.throws(
        () => checkMemory(bad, host),
        (e: unknown) => e instanceof NoFearError && /--mem takes 128M up to 4G, the host's RAM/.test(e.fix ?? ''),
        String(bad),
      );
    }
    assert.throws(() => checkMemory(run(['--mem', '5G', 'true']).memoryMiB ?? 0, host), /exceeds host physical RAM size 4096 MiB/);
  });
  it('knows the profile commands', () => {
    assert.deepEqual(parseNofearArgs(['-n', 'work']), { action: 'create', name: 'work', verbose: false, quiet: false });
    assert.deepEqual(parseNofearArgs(['--delete', 'work']), { action: 'delete', name: 'work', verbose: false, quiet: false });
    assert.deepEqual(parseNofearArgs(['-l']), { action: 'list', verbose: false, quiet: false });
  });
  it('answers --help and --version before anything else is checked', () => {
    assert.equal(parseNofearArgs(['-t', '--help']).action, 'help');
    assert.equal(parseNofearArgs(['-p', 'a', '-t', '--version']).action, 'version');
    assert.equal(parseNofearArgs(['-th']).action, 'help');
  });
  it('refuses bad input with InvalidArgument, never naming the program (runMain prefixes it once)', () => {
    for (const argv of [
      ['--bogus'],
      ['-p'],
      ['--net', 'bridge'],
      ['--mem', '1.5'],
      ['--mem', 'lots'],
      ['--cpus', '0'],
      ['-p', 'a', '-t'],
      ['-s', 'x'],
      ['-l', 'x'],
      ['-tx', 'ls'],
      ['-q', '-v', 'x'],
      ['-n', 'a', '-l'],
    ]) {
      assert.throws(
        () => parseNofearArgs(argv),
        (error: unknown) => error instanceof NoFearError && error.code === 'InvalidArgument' && !/^nofear\b/.test(error.message) && error.fix !== undefined,
        argv.join(' '),
      );
    }
  });
});
