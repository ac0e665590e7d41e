// The desktop password prompt of a --convert started from a file manager, with the real zenity on Xvfb:
// the dialog appears (found by its title), the password typed with xdotool comes back from zenity's stdout
// pipe; Escape cancels with a named error; a prompt left open is closed by its deadline (zenity gone); with
// no prompt program on PATH the error names the package to install. No VM: the conversion around it is the
// password test's (test/integration/convert-password.test.ts).
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { askPasswordOnDesktop } from '../../src/cli/desktop-password.js';
import { startXvfb, type Display } from '../helpers/xvfb.js';
import { focusWindow, promptWindow, typeIntoPrompt } from '../helpers/desktop-prompt.js';

const TITLE = '^NoFear: password$';

const zenities = () =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('/usr/bin/zenity\0--password');
      } catch {
        return false;
      }
    });

describe('the desktop password prompt (real zenity, Xvfb, xdotool)', function () {
  let x: Display;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    x = await startXvfb();
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-prompt-'));
    env = { ...process.env, DISPLAY: x.display, PATH: '/usr/bin:/bin' };
  });
  after(async () => {
    await x?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('zenity asks; the password typed comes back from its stdout, exactly', async () => {
    const password = 'Pass wörd-42!';
    const asking = askPasswordOnDesktop(['/home/u/report.pdf'], env);
    // Real key events to the focused window (GTK ignores the synthetic ones xdotool --window sends).
    await typeIntoPrompt(x.display, TITLE, password, 60_000, asking);
    assert.equal(await asking, password);
    assert.deepEqual(zenities(), [], 'zenity has ended');
  });

  it('Escape cancels: a named error, no password', async () => {
    const asking = askPasswordOnDesktop(['/home/u/report.pdf'], env);
    await promptWindow(x.display, TITLE, 60_000, asking);
    await focusWindow(x.display, TITLE, 30_000);
    await execa('xdotool', ['key', 'Escape'], { env: { DISPLAY: x.display } });
    await assert.rejects(asking, (error: Error & { code?: string }) => error.code === 'InvalidArgument' && /No password was given at the desktop prompt \(zenity was cancelled/.test(error.message));
  });

  it('a prompt left open is closed by its deadline, zenity with it', async () => {
    const asking = askPasswordOnDesktop(['/home/u/report.pdf'], env, 3000);
    await promptWindow(x.display, TITLE, 60_000, asking);
    await assert.rejects(asking, (error: Error & { code?: string }) => error.code === 'LimitReached');
    assert.deepEqual(zenities(), [], 'zenity was killed');
  });

  it('a stop (Ctrl-C, a signal) closes the prompt at once, zenity with it, not at its deadline', async () => {
    const stop = new AbortController();
    const asking = askPasswordOnDesktop(['/home/u/report.pdf'], env, 300_000, stop.signal);
    await promptWindow(x.display, TITLE, 60_000, asking);
    const stoppedAt = Date.now();
    stop.abort();
    await assert.rejects(asking, (error: Error & { code?: string }) => error.code === 'InvalidArgument');
    assert.ok(Date.now() - stoppedAt < 60_000, 'ended by the stop, long before the 5 min deadline');
    assert.deepEqual(zenities(), [], 'zenity was killed');
  });

  it('no prompt program on PATH: Unavailable, naming the package to install', async () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync('/bin/true', path.join(bin, 'true'));
    await assert.rejects(
      askPasswordOnDesktop(['/home/u/report.pdf'], { ...env, PATH: bin }),
      (error: Error & { code?: string; fix?: string }) => error.code === 'Unavailable' && /sudo apt install zenity/.test(error.fix ?? ''),
    );
  });
});
