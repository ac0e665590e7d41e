// Issue 17, guest output on the host's terminal: a guest printing OSC 52 (write the clipboard) and OSC 0
// (retitle the window) to a terminal (a pty, under util-linux `script`) shows them escaped when the job is
// not interactive; --raw-output passes them; through a pipe they arrive byte for byte; and the interactive
// shell (tty mode) passes escape sequences as any remote shell does.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { bin, runCli, type TestEnv, perTestEnv } from '../helpers/cli.js';

const GUEST = "printf '\\033]52;c;ZXZpbA==\\007\\033]0;title\\007out\\n'; printf '\\033]0;err\\007err\\n' >&2";
const STDOUT_BYTES = '\x1b]52;c;ZXZpbA==\x07\x1b]0;title\x07out\n';
const STDERR_BYTES = '\x1b]0;err\x07err\n';

/** nofear with stdout and stderr on a pty (`script`); stdin from /dev/null (pipe mode) unless `tty`. */
async function onTerminal(t: TestEnv, options: { raw?: boolean; tty?: boolean } = {}): Promise<string> {
  const stdin = options.tty ? '' : ' </dev/null';
  const command = `exec "$NODE" "$NOFEAR" -t ${options.raw ? '--raw-output ' : ''}-- sh -c "$GUEST"${stdin}`;
  const result = await execa('script', ['-q', '-e', '-c', command, '/dev/null'], {
    env: { ...t.env, SHELL: '/bin/sh', NODE: process.execPath, NOFEAR: bin('nofear'), GUEST },
    stdin: 'pipe',
    reject: false,
    timeout: 240_000,
  });
  assert.equal(result.exitCode, 0, result.stdout + result.stderr);
  return result.stdout;
}

describe('guest output on a terminal (issue 17)', function () {
  let t: TestEnv;
  perTestEnv('nofear-test-', (env) => (t = env));

  it('shows OSC 52 and OSC 0 escaped on a terminal (stdout and stderr), when the job is not interactive', async () => {
    const shown = await onTerminal(t);
    assert.match(shown, /\^\[\]52;c;ZXZpbA==\^G\^\[\]0;title\^Gout/);
    assert.match(shown, /\^\[\]0;err\^Gerr/);
    assert.doesNotMatch(shown, /[\x1b\x07]/, 'a control character reached the terminal');
  });

  it('passes them to the terminal with --raw-output', async () => {
    const shown = await onTerminal(t, { raw: true });
    assert.ok(shown.includes(STDOUT_BYTES.trimEnd()), JSON.stringify(shown));
    assert.ok(shown.includes(STDERR_BYTES.trimEnd()), JSON.stringify(shown));
  });

  it('delivers them byte for byte through pipes', async () => {
    const result = await runCli('nofear', ['-t', '--', 'sh', '-c', GUEST], t);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout.toString('latin1'), STDOUT_BYTES);
    assert.equal(result.stderr, STDERR_BYTES);
  });

  it('passes them in the interactive (tty) mode, as any remote shell does', async () => {
    const shown = await onTerminal(t, { tty: true });
    assert.ok(shown.includes('\x1b]52;c;ZXZpbA==\x07\x1b]0;title\x07out'), JSON.stringify(shown));
  });
});
