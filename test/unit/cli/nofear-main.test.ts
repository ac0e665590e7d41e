// nofear's command (src/cli/nofear-main.ts), imported and run in this process: the profile actions on a
// temporary data dir (the real mkfs.ext4 makes the disk), and the checks that refuse a run before any VM.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isNoFearError } from '../../../src/errors.js';
import { nofearMain } from '../../../src/cli/nofear-main.js';
import { capturedOutput } from '../../helpers/stderr-capture.js';
import { scopedEnv } from '../../helpers/scoped-env.js';

describe('cli/nofear-main', function () {
  this.timeout(60_000); // mkfs.ext4 on a sparse disk: quick, but slow on a busy machine
  const env = scopedEnv();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-main-'));
    env.set({ XDG_DATA_HOME: path.join(dir, 'data'), XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_RUNTIME_DIR: undefined });
  });
  afterEach(() => {
    env.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, lists and deletes a profile, and runs no VM for it', async () => {
    const none = await capturedOutput(() => nofearMain(['-l']));
    assert.equal(none.result, 0);
    assert.match(none.stdout, /^no profiles/);
    const created = await capturedOutput(() => nofearMain(['-n', 'work']));
    assert.deepEqual([created.result, created.stdout], [0, 'created profile work\n']);
    assert.ok(existsSync(path.join(dir, 'data', 'nofear', 'profiles', 'work', 'disk.img')));
    const listed = await capturedOutput(() => nofearMain(['--list']));
    assert.match(listed.stdout, /^PROFILE .*\nwork +\d.* +never\n/);
    const deleted = await capturedOutput(() => nofearMain(['-d', 'work']));
    assert.deepEqual([deleted.result, deleted.stdout], [0, 'deleted profile work\n']);
    assert.equal(existsSync(path.join(dir, 'data', 'nofear', 'profiles', 'work')), false);
    await assert.rejects(nofearMain(['-d', 'work']), (error: unknown) => isNoFearError(error) && error.code === 'NotFound' && /no profile work/.test(error.message));
  });

  it('refuses a shared folder that is missing or not a directory before any VM starts', async () => {
    await assert.rejects(
      nofearMain(['-t', '-f', path.join(dir, 'missing'), '--', 'true']),
      (error: unknown) => isNoFearError(error) && error.code === 'NotFound' && error.message.includes(`Shared folder ${path.join(dir, 'missing')} does not exist`),
    );
    await assert.rejects(
      nofearMain(['-t', '-f', '/etc/hostname', '--', 'true']),
      (error: unknown) => isNoFearError(error) && error.code === 'InvalidArgument' && /is not a directory/.test(error.message),
    );
  });

  it('refuses --gui with no command off a terminal, and a profile name that could escape its folder', async () => {
    await assert.rejects(nofearMain(['-t', '--gui']), (error: unknown) => isNoFearError(error) && /--gui without a command is an interactive shell, and needs a terminal/.test(error.message));
    await assert.rejects(nofearMain(['-n', '../x']), (error: unknown) => isNoFearError(error) && error.code === 'InvalidArgument');
    assert.equal(existsSync(path.join(dir, 'data', 'nofear', 'x')), false);
  });
});
