// The terminal belongs to the status line (issue 25, defects 4 and 13): an in-process open on a real
// pseudo-terminal (util-linux `script`), under TCG, prints its TCG notice on a line of its own above the
// status line, which counts the seconds; Ctrl-C typed on that terminal stops it and leaves nothing.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { bin, leftoverSandboxes, makeTestEnv, type TestEnv } from '../helpers/cli.js';
import { startXvfb, type Display } from '../helpers/xvfb.js';
import { screenLines } from '../helpers/terminal-screen.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';

describe('the status line on a terminal (real pty, real VM start)', function () {
  let t: TestEnv;
  let x: Display;
  before(async () => {
    x = await startXvfb();
    t = makeTestEnv();
  });
  after(async () => {
    try {
      assert.deepEqual(leftoverSandboxes(t), [], 'a sandbox was left behind');
    } finally {
      await x.stop();
      t.cleanup();
    }
  });

  it('puts the TCG notice above the status line, never glued to it, and Ctrl-C stops the open', async () => {
    const file = path.join(t.dataHome, '..', 'report.pdf');
    writeFileSync(file, samplePdf());
    const run = execa('script', ['-q', '-e', '-c', 'stty cols 100 rows 30; exec "$NODE" "$NOFEAR_OPEN" --no-service "$FILE"', '/dev/null'], {
      env: { ...t.env, SHELL: '/bin/sh', NODE: process.execPath, NOFEAR_OPEN: bin('nofear-open'), FILE: file, DISPLAY: x.display, NOFEAR_ACCEL: 'tcg' },
      extendEnv: false,
      stdin: 'pipe',
      reject: false,
      timeout: 240_000,
    });
    let output = '';
    const seen = new Promise<void>((resolve) => {
      run.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        // The notice, then the status line drawn again below it and counting; or the notice glued to the
        // status line (the defect), which the assertions below then name, without waiting out the open.
        const screen = output.replaceAll('\x1b[K', '');
        if (/nofear-open: KVM not used[^\n]*\r?\n[^\n]*report\.pdf: booting a throwaway VM… \d+ s/.test(screen) || /…nofear-open: KVM not used[^\n]*\n/.test(screen)) resolve();
      });
    });
    // Ends on the event, or when nofear-open (and so script) has ended without it.
    await Promise.race([seen, run]);
    run.stdin?.write('\x03'); // Ctrl-C on the terminal: SIGINT to nofear-open, the foreground process
    const result = await run;
    const screen = screenLines(output.replaceAll('\r\n', '\n'));
    const notice = screen.findIndex((line) => line.startsWith('nofear-open: KVM not used (NOFEAR_ACCEL=tcg): running under TCG'));
    assert.ok(notice >= 0, `no TCG notice on a line of its own:\n${screen.join('\n')}`);
    assert.doesNotMatch(output, /…nofear-open:/, 'a notice glued to the status line');
    assert.match(output, /running under TCG, several times slower\r\n\r\x1b\[Kreport\.pdf: booting a throwaway VM… \d+ s/, 'the status line is drawn again below the notice');
    assert.equal(result.exitCode, 130, output);
    assert.doesNotMatch(output, /did not start|aborted/, 'Ctrl-C is no failure');
  });
});
