// The host client's policy rules themselves (src/gui/nofear_xpra: geometry, metadata, packets, hello),
// called from Python on cases the Xvfb test cannot set up: a panel, a second monitor, odd values.
import assert from 'node:assert/strict';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../helpers/cli.js';

/** Calls `module.function(*args)` for each case in one Python process; returns the results as JSON. */
async function rules(calls: Array<[string, string, unknown[]]>): Promise<unknown[]> {
  const script = `
import importlib, json, sys
out = []
from nofear_xpra.geometry import Rect
for module, function, args in json.load(sys.stdin):
    if module == "geometry":
        args = [Rect(*a) for a in args]
    out.append(getattr(importlib.import_module("nofear_xpra." + module), function)(*args))
json.dump(out, sys.stdout, default=list)
`;
  // geometry, metadata, packets and hello import nothing of Xpra's or GTK's: no display needed.
  const result = await execa('/usr/bin/python3', ['-c', script], { input: JSON.stringify(calls), env: { PYTHONPATH: path.join(ROOT, 'src', 'gui'), PYTHONDONTWRITEBYTECODE: '1' }, extendEnv: false });
  return JSON.parse(result.stdout) as unknown[];
}

const MONITOR = [0, 0, 1920, 1080];
const WITH_PANEL = [0, 32, 1920, 1048]; // a 32 px top panel
const SECOND = [1920, 0, 1280, 1024];

describe("the host client's policy rules", () => {
  it('keeps a normal window inside the work area, clear of a panel, and never the whole monitor', async () => {
    const [underPanel, huge, bare, second] = (await rules([
      ['geometry', 'normal_window', [[100, 0, 800, 600], MONITOR, WITH_PANEL]],
      ['geometry', 'normal_window', [[-50, -50, 5000, 5000], MONITOR, WITH_PANEL]],
      ['geometry', 'normal_window', [[0, 0, 1920, 1080], MONITOR, MONITOR]],
      ['geometry', 'normal_window', [[3000, 500, 800, 600], SECOND, SECOND]],
    ])) as number[][];
    assert.deepEqual(underPanel, [100, 32, 800, 600]);
    assert.deepEqual(huge, [0, 32, 1920, 1048]);
    assert.deepEqual(bare, [0, 0, 1920, 1080 - 48], 'no panel: NoFear keeps a strip free itself');
    assert.deepEqual(second, [2400, 376, 800, 600], 'on the second monitor, inside it');
  });

  it('keeps menus on their monitor, and demotes those over half of it', async () => {
    const [menu, offScreen, cover, half] = (await rules([
      ['geometry', 'override_redirect_window', [[1800, 1000, 300, 200], MONITOR]],
      ['geometry', 'override_redirect_window', [[-5000, 0, 100, 100], MONITOR]],
      ['geometry', 'override_redirect_window', [[0, 0, 1920, 1080], MONITOR]],
      ['geometry', 'override_redirect_window', [[0, 0, 1920, 540], MONITOR]],
    ])) as Array<[number[], boolean]>;
    assert.deepEqual(menu, [[1620, 880, 300, 200], true]);
    assert.deepEqual(offScreen, [[0, 0, 100, 100], true]);
    assert.deepEqual(cover, [[0, 0, 1920, 1080], false]);
    assert.deepEqual(half, [[0, 0, 1920, 540], true], 'exactly half is not most');
  });

  it("lets the guest set only harmless properties, its class after NoFear's", async () => {
    const [filtered] = (await rules([
      [
        'metadata',
        'filter_metadata',
        [
          {
            title: 'doc',
            fullscreen: true,
            maximized: true,
            above: true,
            'skip-taskbar': true,
            opacity: 0,
            shape: {},
            strut: { top: 1080 },
            'x11-property': ['_NET_WM_STATE'],
            decorations: false,
            'window-type': ['DOCK', 'DIALOG'],
            'class-instance': ['nofear-other:x', 'Fire fox!'],
            'size-constraints': { 'minimum-size': [4000, 4000], 'maximum-size': [10, 10], gravity: 1 },
          },
          'nofear-temporary',
          [1920, 1032],
        ],
      ],
    ])) as Array<Record<string, unknown>>;
    assert.deepEqual(Object.keys(filtered ?? {}).sort(), ['class-instance', 'size-constraints', 'title', 'window-type']);
    assert.deepEqual(filtered?.['window-type'], ['DIALOG']);
    assert.deepEqual(filtered?.['class-instance'], ['nofear-temporary:nofear-other_x', 'nofear-temporary:Fire_fox_'], "another profile's prefix stays the guest's part");
    assert.deepEqual(filtered?.['size-constraints'], { 'minimum-size': [1920, 1032], 'maximum-size': [10, 10], gravity: 1 });
  });

  it('acts only on the packets it knows, the clipboard and sound only when on', async () => {
    const names = ['draw', 'new-window', 'control', 'show-desktop', 'open-url', 'pointer-grab', 'bell', 'notify_show', 'clipboard-token', 'sound-data', 'some-future-packet', null];
    const verdicts = await rules(names.map((name) => ['packets', 'verdict', [name, false, false]]));
    assert.deepEqual(
      verdicts.map((v) => v === null),
      [true, true, false, false, false, false, false, false, false, false, false, false],
    );
    assert.deepEqual(
      await rules([
        ['packets', 'verdict', ['clipboard-token', true, false]],
        ['packets', 'verdict', ['sound-data', false, true]],
      ]),
      [null, null],
    );
  });

  it("answers the hello's identity with NoFear's values and drops the rest", async () => {
    const [hello] = (await rules([
      [
        'hello',
        'anonymous_hello',
        [
          {
            hostname: 'alice-laptop',
            username: 'alice',
            name: 'Alice Liddell',
            uuid: 'f00d',
            machine_id: 'abc',
            argv: ['/home/alice/x'],
            display: ':0',
            'platform.release': '6.1.0-18-amd64',
            'build.on': 'buildd',
            'theme.default.icons': ['a'],
            'gtk.version': '3.24',
            encodings: ['h264', 'png', 'rgb', 'jpeg'],
            'encodings.core': ['h264', 'rgb24', 'png'],
            'encoding.video_scaling': true,
            screen_sizes: [[':0.0', 1920, 1080, 1, 1, [['DELL U2415', 0, 0, 1920, 1080, 1, 1]], 0, 0, 1920, 1080]],
            xkbmap_layout: 'fr',
          },
        ],
      ],
    ])) as Array<Record<string, unknown>>;
    assert.equal(hello?.hostname, 'nofear');
    assert.equal(hello?.name, 'NoFear');
    assert.deepEqual(hello?.argv, ['xpra']);
    for (const gone of ['machine_id', 'build.on', 'theme.default.icons', 'gtk.version', 'encoding.video_scaling']) assert.equal(hello?.[gone], undefined, gone);
    assert.deepEqual(hello?.encodings, ['rgb']);
    assert.deepEqual(hello?.['encodings.core'], ['rgb24']);
    assert.equal(JSON.stringify(hello).includes('DELL'), false, 'a monitor name');
    assert.equal(hello?.xkbmap_layout, 'fr', 'the keyboard layout stays: keys must type what they say');
  });
});
