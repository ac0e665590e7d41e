// The guest does not drive the desktop, with a real VM: a program in the guest that grabs its
// keyboard and pointer does not hold the host's (the cases without a VM: host-client.test.ts).
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { startCli, type TestEnv } from '../helpers/cli.js';
import { DisplayWatch, grabFromAnotherClient } from '../helpers/host-client.js';
import { type Display, perSuiteDisplay } from '../helpers/xvfb.js';

// A program in the guest waits for the focus (the user clicked its window), takes the keyboard and
// the pointer of its (guest) X server, then renames its window. Xpra's server reports a grab of the
// focused window to the client; the rename reaches the host after that report, so by then the host
// client has had the chance to obey it.
const GRABBER = `
import time
from Xlib import X, display
d = display.Display()
s = d.screen()
w = s.root.create_window(0, 0, 320, 200, 0, s.root_depth, X.InputOutput, X.CopyFromParent,
                         background_pixel=s.white_pixel, event_mask=X.FocusChangeMask)
w.set_wm_name("grabber")
w.map()
d.sync()
while d.next_event().type != X.FocusIn:
    pass
for attempt in range(100):
    keyboard = s.root.grab_keyboard(True, X.GrabModeAsync, X.GrabModeAsync, X.CurrentTime)
    if keyboard == X.GrabSuccess:
        break
    time.sleep(0.1)
pointer = s.root.grab_pointer(True, X.ButtonPressMask, X.GrabModeAsync, X.GrabModeAsync, X.NONE, X.NONE, X.CurrentTime)
w.set_wm_name("grabbed %d %d" % (keyboard, pointer))
d.sync()
time.sleep(600)
`;

describe('a guest program that grabs the keyboard (VM)', function () {
  let x: Display;
  let t: TestEnv;
  perSuiteDisplay((display, env) => ([x, t] = [display, env]));

  it("does not hold the host's keyboard or pointer", async () => {
    const watch = await DisplayWatch.start(x.display);
    const run = startCli('nofear', ['-t', '-v', '--gui', '--', 'python3', '-c', GRABBER], t, { env: { DISPLAY: x.display } });
    try {
      const window = await watch.windowNamed(/^\[NoFear:temporary\] grabber$/, 240_000, run);
      await execa('xdotool', ['windowfocus', '--sync', String(window)], { env: { DISPLAY: x.display }, timeout: 10_000 });
      await watch.windowNamed(/^\[NoFear:temporary\] grabbed 0 0$/, 60_000, run);
      assert.deepEqual(await grabFromAnotherClient(x.display), { keyboard: 0, pointer: 0 }, '0 is GrabSuccess, 1 AlreadyGrabbed');
    } finally {
      run.kill('SIGTERM');
      await run;
      await watch.stop();
    }
  });
});
