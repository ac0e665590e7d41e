// Window titles are guest data: a long one with control characters reaches the desktop cleaned and
// bounded, with NoFear's marker still first.
import assert from 'node:assert/strict';
import { startCli, type TestEnv } from '../helpers/cli.js';
import { pressKey, reportedWindow, windowName, type Display, perSuiteDisplay } from '../helpers/xvfb.js';

describe('hostile window titles', function () {
  let x: Display;
  let t: TestEnv;
  perSuiteDisplay((display, env) => ([x, t] = [display, env]));

  it('strips control characters from a 20 KB title and keeps the marker in view', async () => {
    // xmessage -title sets the title from the guest; 20 KB (the guest's Xpra drops far larger ones) with escape sequences, BEL and newlines.
    const script = 'exec xmessage -title "$(printf "evil\\033]0;spoof\\007\\nline ")$(head -c 20000 /dev/zero | tr "\\000" A)" -buttons close:3 -default close hi';
    const run = startCli('nofear', ['-t', '-v', '--gui', '--', 'sh', '-c', script], t, { env: { DISPLAY: x.display } });
    const window = await reportedWindow(run, 180_000, 'nofear');
    const title = await windowName(x.display, window);
    assert.ok(title.startsWith('[NoFear:temporary] evil'), title.slice(0, 80));
    assert.doesNotMatch(title, /[\x00-\x1f\x7f\u202e]/, 'a control or bidi character reached the desktop');
    assert.ok([...title].length <= 160, `title of ${title.length} characters`);
    await pressKey(x.display, window, 'Return');
    assert.equal((await run).exitCode, 3);
  });
});
