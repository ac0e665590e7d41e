// The display is checked before any VM boots: one connection attempt, with a deadline.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { displayOf, reachDisplay } from '../../../src/gui/display-check.js';
import { NoFearError } from '../../../src/errors.js';

const unavailable = (pattern: RegExp, fix: RegExp) => (error: unknown) => error instanceof NoFearError && error.code === 'Unavailable' && pattern.test(error.message) && fix.test(error.fix ?? '');

describe('the display check before the boot', () => {
  it('answers a Wayland session without XWayland with the real fix (install XWayland), not "run from a desktop session"', () => {
    assert.throws(() => displayOf({ WAYLAND_DISPLAY: 'wayland-0' }), unavailable(/Wayland session \(wayland-0\) has no XWayland/, /apt-get install xwayland.*dnf install xorg-x11-server-Xwayland/));
    assert.throws(() => displayOf({}), unavailable(/DISPLAY is not set/, /export DISPLAY=:0/));
    assert.equal(displayOf({ DISPLAY: ':0' }), ':0');
  });

  it('refuses a DISPLAY where no X server listens, and accepts one where something does', async () => {
    const number = 40000 + (process.pid % 20000);
    const socket = `/tmp/.X11-unix/X${number}`;
    await assert.rejects(
      reachDisplay({ DISPLAY: `:${number}` }),
      unavailable(new RegExp(`Can't open display :${number}: no X server answers there \\(display :${number} has no socket`), /set DISPLAY/),
    );
    mkdirSync('/tmp/.X11-unix', { recursive: true, mode: 0o1777 });
    const server = net.createServer((connection) => connection.destroy());
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      assert.equal(await reachDisplay({ DISPLAY: `:${number}` }), `:${number}`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      rmSync(socket, { force: true });
    }
  });

  it('refuses a TCP display whose port refuses the connection', async () => {
    await assert.rejects(reachDisplay({ DISPLAY: 'localhost:5990' }, 1000), unavailable(/Can't open display localhost:5990: no X server answers there \((ECONNREFUSED|no answer)/, /set DISPLAY/));
  });
});
