// The guest does not drive the desktop: NoFear's real host client (XpraClient, the wrapper, its
// policy and its jail) against an Xpra server that sends what root in a hostile guest can send, on
// a private Xvfb. No VM, except in the last case, where a guest program grabs the keyboard.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { XpraClient } from '../../src/gui/client.js';
import { leftoverSandboxes, makeTestEnv, startCli, type TestEnv } from '../helpers/cli.js';
import { startXvfb, type Display } from '../helpers/xvfb.js';
import { descendantRunning, DisplayWatch, grabFromAnotherClient, HostileXpraServer, inspectWindows, type SeenWindow } from '../helpers/host-client.js';

const SCREEN: [number, number] = [1280, 900]; // the private Xvfb's size (src/demo/private-display.ts)
const DEADLINE_MS = 60_000;
const CODECS = /h264|h265|vp8|vp9|mpeg|jpeg|webp|csc|video|avcodec|swscale/i;

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return fallback;
  }
}

describe('the host Xpra client against a hostile guest server', function () {
  let x: Display;
  let dir: string;
  let watch: DisplayWatch;
  let server: HostileXpraServer;
  let client: XpraClient;
  const warnings: string[] = [];

  before(async function () {
    x = await startXvfb();
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-host-client-'));
    watch = await DisplayWatch.start(x.display);
    server = await HostileXpraServer.start(path.join(dir, 'gui.sock'), 'hostile', SCREEN);
    client = new XpraClient(
      { socket: path.join(dir, 'gui.sock'), profile: 'temporary', border: { colour: 'OrangeRed', width: 3 }, clipboard: 'off', sound: false },
      { ...process.env, DISPLAY: x.display },
      { warn: (line) => warnings.push(line) },
    );
    // The server sends everything at once and the barrier window last: once it maps, the client has
    // handled every hostile packet before it (Xpra handles them in order on its main loop).
    await watch.windowNamed(/barrier/, DEADLINE_MS, client.exited);
  });

  after(async () => {
    await client?.stop();
    await server?.stop();
    await watch?.stop();
    await x?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the client in its jail, without a warning', async () => {
    const launch = await client.launched;
    assert.equal(launch?.jailed, true, launch?.note);
    assert.deepEqual(warnings, []);
  });

  it("leaves the keyboard and the pointer to other X clients after the guest's grab packets", async () => {
    assert.ok(server.events.some((e) => e.queued === 'grabs'), 'the server did not send its grabs');
    assert.deepEqual(await grabFromAnotherClient(x.display), { keyboard: 0, pointer: 0 }, '0 is GrabSuccess, 1 AlreadyGrabbed');
  });

  it('keeps the window inside the screen, not full-screen, above nothing and in the taskbar', async () => {
    const victim = watch.mapped.find((w) => w.name?.endsWith(' victim'));
    assert.ok(victim !== undefined, 'the victim window never mapped');
    const [now] = await inspectWindows(x.display, [victim.id]);
    assert.ok(now !== undefined && now.mapped, 'the victim window is gone');
    const [left, top, width, height] = now.geometry;
    assert.ok(left >= 0 && top >= 0 && left + width <= SCREEN[0] && top + height <= SCREEN[1], `outside the screen: ${now.geometry}`);
    assert.ok(width < SCREEN[0] || height < SCREEN[1], `covers the whole screen: ${now.geometry}`);
    for (const state of ['_NET_WM_STATE_FULLSCREEN', '_NET_WM_STATE_MAXIMIZED_VERT', '_NET_WM_STATE_ABOVE', '_NET_WM_STATE_SKIP_TASKBAR']) {
      assert.equal(now.state.includes(state), false, state);
    }
  });

  it('gives every window a WM_CLASS of nofear-<profile>, keeping the guest class only after it', () => {
    assert.ok(watch.mapped.length >= 3, `only ${watch.mapped.length} windows mapped`);
    for (const window of watch.mapped) {
      assert.ok(window.class !== null, `window ${window.name} has no WM_CLASS`);
      for (const part of window.class) assert.match(part, /^nofear-temporary(:|$)/, `window ${window.name}: ${window.class}`);
    }
    assert.ok(watch.mapped.some((w) => w.class?.[0] === 'nofear-temporary:firefox-esr'), 'the guest class is not kept after the prefix');
  });

  it("tells the guest nothing of the host in its hello, and offers only rgb and png", async () => {
    const hello = await server.hello(DEADLINE_MS, client.exited);
    const user = os.userInfo();
    const gecos = readOr('/etc/passwd', '').split('\n').find((line) => line.startsWith(`${user.username}:`))?.split(':')[4]?.split(',')[0] ?? '';
    assert.equal(hello.hostname, 'nofear');
    assert.equal(hello.username, 'nofear');
    assert.equal(hello.name, 'NoFear');
    assert.deepEqual(hello.argv, ['xpra']);
    assert.equal(hello.machine_id, undefined);
    const values = strings(hello);
    const secrets = [os.hostname(), user.homedir, os.release(), readOr('/etc/machine-id', ''), gecos, x.display].filter((s) => s.length >= 3);
    for (const secret of secrets) assert.equal(values.filter((v) => v.includes(secret)).length, 0, `the hello contains ${JSON.stringify(secret)}`);
    assert.equal(values.includes(user.username), false, 'the hello names the user');
    assert.deepEqual([...(hello.encodings as string[])].sort(), ['png', 'rgb']);
    for (const encoding of hello['encodings.core'] as string[]) assert.match(encoding, /^(rgb24|rgb32|png)$/);
    assert.deepEqual(Object.keys(hello).filter((key) => CODECS.test(key)), [], 'video or colourspace capabilities offered');
  });

  it('runs the client with no home, no session bus, no network and a seccomp filter', () => {
    const pid = descendantRunning(client.pid ?? -1, 'xpra-client.py');
    assert.ok(pid !== undefined, 'no client process under the jail');
    const root = `/proc/${pid}/root`;
    assert.equal(existsSync(`${root}/home`), false, 'the client sees /home');
    assert.equal(existsSync(`${root}/root/.Xauthority`) || existsSync(`${root}${os.homedir()}`), false, 'the client sees the home directory');
    assert.equal(existsSync(`${root}/run/user/${process.getuid?.()}/bus`) || existsSync(`${root}/run/dbus`), false, 'the client sees a bus socket');
    assert.equal(readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').some((v) => v.startsWith('DBUS_SESSION_BUS_ADDRESS=')), false);
    assert.notEqual(readlinkSync(`/proc/${pid}/ns/net`), readlinkSync('/proc/self/ns/net'), 'the client shares the host network namespace');
    const interfaces = readFileSync(`/proc/${pid}/net/dev`, 'latin1').split('\n').slice(2).map((l) => l.trim().split(':')[0]).filter(Boolean);
    assert.deepEqual(interfaces, ['lo']);
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    assert.match(status, /^Seccomp:\s+2$/m);
    assert.match(status, /^NoNewPrivs:\s+1$/m);
    // Only stdio, the report pipe, sockets and Xpra's own files: no file NoFear (or this test, run
    // with an inherited descriptor) leaked into it.
    const files = readdirSync(`/proc/${pid}/fd`)
      .map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`))
      .filter((target) => target.startsWith('/') && target !== '/dev/null' && !target.startsWith('/usr/'));
    assert.deepEqual(files, []);
  });

  it('maps no window without the [NoFear: marker (no Xpra dialog), and no override-redirect window over most of the screen', () => {
    // Last, so that a dialog opening late (Xpra opens some from idle callbacks) has been seen too.
    for (const window of watch.mapped) assert.ok(window.name?.startsWith('[NoFear:temporary] '), `unmarked window mapped: ${JSON.stringify(window)}`);
    const overrideRedirect = watch.mapped.filter((w) => w.override_redirect);
    assert.ok(overrideRedirect.length >= 1, 'the small menu lost override-redirect too');
    for (const window of overrideRedirect) {
      const [left, top, width, height] = window.geometry;
      assert.ok(width * height <= (SCREEN[0] * SCREEN[1]) / 2, `override-redirect over most of the screen: ${window.geometry}`);
      assert.ok(left >= 0 && top >= 0 && left + width <= SCREEN[0] && top + height <= SCREEN[1], `override-redirect off screen: ${window.geometry}`);
    }
    const cover = watch.mapped.find((w) => w.name?.endsWith(' cover')) as SeenWindow | undefined;
    assert.equal(cover?.override_redirect, false, 'the screen-covering override-redirect window kept its flag');
  });
});

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
  before(async () => {
    x = await startXvfb();
    t = makeTestEnv();
  });
  after(async () => {
    await x.stop();
    assert.deepEqual(leftoverSandboxes(t), []);
    t.cleanup();
  });

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
