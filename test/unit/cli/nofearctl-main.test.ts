// nofearctl's command (src/cli/nofearctl-main.ts), imported and run in this process on a temporary runtime
// and config dir: which command its words name, and what the commands that need no VM print.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isNoFearError } from '../../../src/errors.js';
import { findCommand, nofearctlMain } from '../../../src/cli/nofearctl-main.js';
import { capturedOutput } from '../../helpers/stderr-capture.js';
import { scopedEnv } from '../../helpers/scoped-env.js';

describe('cli/nofearctl-main', () => {
  const env = scopedEnv();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofearctl-main-'));
    mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
    mkdirSync(path.join(dir, 'config', 'nofear'), { recursive: true });
    env.set({ XDG_RUNTIME_DIR: path.join(dir, 'run'), XDG_CONFIG_HOME: path.join(dir, 'config'), NOFEAR_CONFIG: undefined });
  });
  afterEach(() => {
    env.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the command a list of words names, and refuses a word that names none, with the help that lists them', () => {
    assert.deepEqual(findCommand(['profiles', 'create']).path.slice(1), ['profiles', 'create']);
    assert.deepEqual(findCommand([]).path, ['nofearctl']);
    assert.throws(
      () => findCommand(['profiles', 'bogus']),
      (error: unknown) => isNoFearError(error) && error.code === 'InvalidArgument' && /no command "profiles bogus"/.test(error.message) && /nofearctl profiles --help/.test(error.fix ?? ''),
    );
  });

  it("`help WORDS` prints that command's usage and exits 0", async () => {
    const { result, stdout } = await capturedOutput(() => nofearctlMain(['help', 'ps']));
    assert.equal(result, 0);
    assert.match(stdout, /^usage: nofearctl ps \[--json\]/);
  });

  it('`ps --json` lists no sandbox on an empty runtime dir', async () => {
    const { result, stdout } = await capturedOutput(() => nofearctlMain(['ps', '--json']));
    assert.equal(result, 0);
    assert.deepEqual(JSON.parse(stdout), []);
  });

  it('`config` prints the settings in effect, config.ini read from XDG_CONFIG_HOME', async () => {
    writeFileSync(path.join(dir, 'config', 'nofear', 'config.ini'), '[service]\nmax_sandboxes = 3\n');
    const { result, stdout } = await capturedOutput(() => nofearctlMain(['config']));
    assert.equal(result, 0);
    assert.match(stdout, /max_sandboxes = 3/);
  });

  it("an unknown option throws the grammar's error (runMain turns it into 125 and its message)", async () => {
    await assert.rejects(nofearctlMain(['ps', '--bogus']), (error: unknown) => isNoFearError(error) && /unknown option --bogus/.test(error.message));
  });
});
