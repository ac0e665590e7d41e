// Two opens that need no application of the file's own: a .txt on a machine without a graphical text
// editor opens in xterm running less inside the VM, shown as a forwarded window (never the host's terminal);
// and on a host without Xpra, a PDF is shown as its safe PDF in the host's own viewer, with the reason.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { bin, leftoverSandboxes, startCli, type TestEnv, perTestEnv } from '../helpers/cli.js';
import { pressKey, reportedWindow, renderedScreenshot, suiteDisplay, waitForWindow, windowName, type Display } from '../helpers/xvfb.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';

const WINDOW_DEADLINE = 180_000;

/** A data dir with the MIME database and no applications at all: no text editor, no browser. */
function noApplications(dir: string): string {
  const share = path.join(dir, 'share');
  mkdirSync(path.join(share, 'applications'), { recursive: true });
  symlinkSync('/usr/share/mime', path.join(share, 'mime'));
  return share;
}

/** A PATH holding every host command but Xpra's (links to /usr/bin and /usr/local/bin). */
function pathWithoutXpra(dir: string): string {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  for (const from of ['/usr/local/bin', '/usr/bin']) {
    for (const name of readdirSync(from)) {
      if (name.startsWith('xpra')) continue;
      try {
        symlinkSync(path.join(from, name), path.join(bin, name));
      } catch {
        // the same name in both: /usr/local/bin's wins, as on the real PATH
      }
    }
  }
  return bin;
}

describe('text without an editor, and a desktop without Xpra (real QEMU, Xvfb)', function () {
  let t: TestEnv;
  let x: Display;
  let dir: string;
  suiteDisplay((display) => (x = display));
  perTestEnv('nofear-text-', (env, tmp) => {
    t = env;
    dir = tmp;
  });

  it('a .txt with no graphical text editor installed opens in a terminal window from the VM', async () => {
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'Shopping list\n\nbread\nmilk\n');
    const env = { DISPLAY: x.display, XDG_DATA_DIRS: noApplications(dir) };
    const run = startCli('nofear-open', ['--no-service', '--wait', '--verbose', file], t, { env });
    try {
      const window = await reportedWindow(run, WINDOW_DEADLINE);
      assert.match(await windowName(x.display, window), /^\[NoFear:[^\]]*\] notes\.txt$/);
      const shot = await renderedScreenshot(x.display, window, path.join(dir, 'window.png'));
      assert.ok(shot.colours > 1, 'the terminal shows nothing');
      await pressKey(x.display, window, 'q'); // less quits, xterm ends, the VM powers off
      const result = await run;
      assert.equal(result.exitCode, 0, Buffer.from(result.stderr).toString());
      assert.match(Buffer.from(result.stderr).toString(), /viewer a terminal \(xterm, less\)/);
    } finally {
      run.kill('SIGTERM');
      await run;
    }
  });

  it('with xpra hidden from the host, a PDF shows as its safe PDF in the host viewer, and the notice says why', async () => {
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, samplePdf());
    const env = { DISPLAY: x.display, PATH: pathWithoutXpra(dir), NOFEAR_QEMU: '/usr/bin/qemu-system-x86_64' };
    const result = await execa(process.execPath, [bin('nofear-open'), '--no-service', '-v', file], {
      env: { ...t.env, ...env },
      reject: false,
      timeout: 240_000,
    });
    const safe = result.stdout.trim();
    try {
      assert.equal(result.exitCode, 0, result.stderr);
      assert.match(result.stderr, /Xpra is not installed, so report\.pdf is shown as its safe PDF .* no editing, no links, forms or other interactivity\. .*sudo apt-get install xpra/);
      // In the user's cache (shared with earlier runs): "report (2).safe.pdf" when an earlier one is still there.
      assert.match(path.basename(safe), /^report( \(\d+\))?\.safe\.pdf$/);
      // The host's own viewer (mupdf: the test desktop's PDF default), started natively, shows the safe PDF.
      const window = await waitForWindow(x.display, `^${path.basename(safe).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} - `, 30_000);
      const shot = await renderedScreenshot(x.display, window, path.join(dir, 'viewer.png'));
      assert.ok(shot.colours > 1, 'the viewer shows nothing');
      assert.deepEqual(leftoverSandboxes(t), [], 'the conversion VM left its directory');
    } finally {
      // The viewer is the user's program, detached from nofear-open: the test ends it by the pid it was told.
      const pid = Number(/the viewer \S+ runs as pid (\d+)/.exec(result.stderr)?.[1]);
      if (pid > 0) process.kill(pid, 'SIGTERM');
      if (safe.endsWith('.pdf')) rmSync(safe, { force: true });
    }
  });
});
