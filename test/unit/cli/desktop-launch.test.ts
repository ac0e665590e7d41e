// Started from the desktop: no terminal on stdin, stdin /dev/null (what file managers give), and a
// display; a script's pipe, a terminal or a session without a display is not.
import assert from 'node:assert/strict';
import { openSync, closeSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fromDesktop, isDevNull } from '../../../src/cli/desktop-launch.js';

describe('fromDesktop', () => {
  const desktop = { stdinIsTerminal: false, stdinIsDevNull: true, env: { DISPLAY: ':0' } };
  it('is true for /dev/null on stdin and an X or Wayland display', () => {
    assert.equal(fromDesktop(desktop), true);
    assert.equal(fromDesktop({ ...desktop, env: { WAYLAND_DISPLAY: 'wayland-0' } }), true);
  });
  it('is false on a terminal, for a pipe or file on stdin, and without a display', () => {
    assert.equal(fromDesktop({ ...desktop, stdinIsTerminal: true }), false);
    assert.equal(fromDesktop({ ...desktop, stdinIsDevNull: false }), false);
    assert.equal(fromDesktop({ ...desktop, env: {} }), false);
    assert.equal(fromDesktop({ ...desktop, env: { DISPLAY: '' } }), false);
  });
});

describe('isDevNull', () => {
  it('tells /dev/null from a regular file and a closed descriptor', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nofear-devnull-'));
    const file = path.join(dir, 'f');
    writeFileSync(file, 'x');
    const [devNull, regular] = [openSync('/dev/null', 'r'), openSync(file, 'r')];
    try {
      assert.equal(isDevNull(devNull), true);
      assert.equal(isDevNull(regular), false);
    } finally {
      closeSync(devNull);
      closeSync(regular);
      rmSync(dir, { recursive: true });
    }
    assert.equal(isDevNull(regular), false, 'a closed descriptor');
  });
});
