// The guest does not drive the desktop: NoFear's real host client (XpraClient, the wrapper, its
// policy and its jail) against an Xpra server that sends what root in a hostile guest can send, on
// a private Xvfb. No VM (guest-grab.test.ts has the case with one).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { XpraClient } from '../../src/gui/client.js';
import { startXvfb, type Display } from '../helpers/xvfb.js';
import { descendantRunning, DisplayWatch, grabFromAnotherClient, HostileXpraServer, inspectWindows, startXvfbListening, type SeenWindow } from '../helpers/host-client.js';

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
    assert.ok(server.events.some((e) => e.queued === 'grabs') && server.events.some((e) => e.queued === 'grab by metadata'), 'the server did not send its grabs');
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
    assert.ok(
      watch.mapped.some((w) => w.class?.[0] === 'nofear-temporary:firefox-esr'),
      'the guest class is not kept after the prefix',
    );
  });

  it('tells the guest nothing of the host in its hello, and offers only rgb', async () => {
    const hello = await server.hello(DEADLINE_MS, client.exited);
    const user = os.userInfo();
    const gecos =
      readOr('/etc/passwd', '')
        .split('\n')
        .find((line) => line.startsWith(`${user.username}:`))
        ?.split(':')[4]
        ?.split(',')[0] ?? '';
    assert.equal(hello.hostname, 'nofear');
    assert.equal(hello.username, 'nofear');
    assert.equal(hello.name, 'NoFear');
    assert.deepEqual(hello.argv, ['xpra']);
    assert.equal(hello.machine_id, undefined);
    const values = strings(hello);
    const secrets = [os.hostname(), user.homedir, os.release(), readOr('/etc/machine-id', ''), gecos, x.display].filter((s) => s.length >= 3);
    for (const secret of secrets) assert.equal(values.filter((v) => v.includes(secret)).length, 0, `the hello contains ${JSON.stringify(secret)}`);
    assert.equal(values.includes(user.username), false, 'the hello names the user');
    assert.deepEqual([...(hello.encodings as string[])].sort(), ['rgb']);
    for (const encoding of hello['encodings.core'] as string[]) assert.match(encoding, /^(rgb24|rgb32)$/);
    assert.deepEqual(hello['encodings.window-icon'], ['premult_argb32', 'BGRA', 'default'], 'png icons offered');
    assert.deepEqual(hello['encodings.cursor'], ['raw'], 'png cursors offered');
    assert.deepEqual(
      Object.keys(hello).filter((key) => CODECS.test(key)),
      [],
      'video or colourspace capabilities offered',
    );
  });

  it('runs the client with no home, no session bus, no network and a seccomp filter', () => {
    const pid = descendantRunning(client.pid ?? -1, 'xpra-client.py');
    assert.ok(pid !== undefined, 'no client process under the jail');
    const root = `/proc/${pid}/root`;
    assert.equal(existsSync(`${root}/home`), false, 'the client sees /home');
    assert.equal(existsSync(`${root}/root/.Xauthority`) || existsSync(`${root}${os.homedir()}`), false, 'the client sees the home directory');
    assert.equal(existsSync(`${root}/run/user/${process.getuid?.()}/bus`) || existsSync(`${root}/run/dbus`), false, 'the client sees a bus socket');
    assert.equal(
      readFileSync(`/proc/${pid}/environ`, 'latin1')
        .split('\0')
        .some((v) => v.startsWith('DBUS_SESSION_BUS_ADDRESS=')),
      false,
    );
    assert.notEqual(readlinkSync(`/proc/${pid}/ns/net`), readlinkSync('/proc/self/ns/net'), 'the client shares the host network namespace');
    const interfaces = readFileSync(`/proc/${pid}/net/dev`, 'latin1')
      .split('\n')
      .slice(2)
      .map((l) => l.trim().split(':')[0])
      .filter(Boolean);
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

  it('maps no window without the [NoFear: marker (no Xpra dialog), and no override-redirect window over most of the screen', async () => {
    // Last, so that a dialog opening late (Xpra opens some from idle callbacks) has been seen too.
    for (const window of watch.mapped) assert.ok(window.name?.startsWith('[NoFear:temporary] '), `unmarked window mapped: ${JSON.stringify(window)}`);
    // A menu the guest grows over the screen is replaced by a managed window at once: its first X
    // window may be gone before the watcher looks. Nothing else vanishes that fast (dialogs stay).
    assert.ok(watch.vanished.length <= 1, `windows that vanished unseen: ${JSON.stringify(watch.vanished)}`);
    for (const window of watch.vanished) assert.equal(window.override_redirect, true, `a managed window vanished unseen: ${window.id}`);
    const overrideRedirect = watch.mapped.filter((w) => w.override_redirect);
    assert.ok(overrideRedirect.length >= 1, 'the small menu lost override-redirect too');
    // As they were mapped, and as they are now (a menu the guest grew over the screen was demoted).
    const now = (
      await inspectWindows(
        x.display,
        overrideRedirect.map((w) => w.id),
      )
    ).filter((w) => w.mapped);
    for (const window of [...overrideRedirect, ...now]) {
      const [left, top, width, height] = window.geometry;
      assert.ok(width * height <= (SCREEN[0] * SCREEN[1]) / 2, `override-redirect over most of the screen: ${window.geometry}`);
      assert.ok(left >= 0 && top >= 0 && left + width <= SCREEN[0] && top + height <= SCREEN[1], `override-redirect off screen: ${window.geometry}`);
    }
    for (const name of [' cover', ' growing menu']) {
      const demoted = watch.mapped.filter((w) => w.name?.endsWith(name)).at(-1) as SeenWindow | undefined;
      assert.equal(demoted?.override_redirect, false, `the screen-covering override-redirect window${name} kept its flag`);
    }
  });
});

// The jail has its own network namespace: a display with no filesystem socket (abstract-only, or
// TCP as with ssh -X) is reached through NoFear's relay, and its cookie is the only one the jail gets.
describe('displays the jailed client reaches through the relay', function () {
  const cases = [
    { kind: 'abstract socket only', listen: ['-nolisten', 'tcp', '-nolisten', 'unix'], display: (n: number) => `:${n}` },
    // With the user's own cookie (NOFEAR_X_UNTRUSTED=off): the one xauth wrote for localhost:N, not :7's.
    { kind: 'TCP only', listen: ['-listen', 'tcp', '-nolisten', 'unix', '-nolisten', 'local'], display: (n: number) => `localhost:${n}`, extra: { NOFEAR_X_UNTRUSTED: 'off' } },
  ];
  for (const { kind, listen, display, extra } of cases) {
    it(`shows a guest window on a display with ${kind} that wants a cookie`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'nofear-relay-'));
      let xvfb: Awaited<ReturnType<typeof startXvfbListening>> | undefined;
      let watch: DisplayWatch | undefined;
      let server: HostileXpraServer | undefined;
      let client: XpraClient | undefined;
      try {
        const cookie = randomBytes(16).toString('hex');
        const serverAuth = path.join(dir, 'server-auth');
        await execa('xauth', ['-f', serverAuth, 'add', ':0', 'MIT-MAGIC-COOKIE-1', cookie]);
        xvfb = await startXvfbListening([...listen, '-auth', serverAuth]);
        const env = { DISPLAY: display(xvfb.number), XAUTHORITY: path.join(dir, 'client-auth') };
        await execa('xauth', ['-f', env.XAUTHORITY, 'add', env.DISPLAY, 'MIT-MAGIC-COOKIE-1', cookie]);
        await execa('xauth', ['-f', env.XAUTHORITY, 'add', ':7', 'MIT-MAGIC-COOKIE-1', randomBytes(16).toString('hex')]);
        watch = await DisplayWatch.start(env.DISPLAY, env);
        server = await HostileXpraServer.start(path.join(dir, 'gui.sock'), 'benign', SCREEN);
        client = new XpraClient(
          { socket: path.join(dir, 'gui.sock'), profile: 'relay', border: { colour: 'OrangeRed', width: 3 }, clipboard: 'off', sound: false },
          { ...process.env, ...env, ...extra },
        );
        const launch = await client.launched;
        assert.equal(launch?.jailed, true, launch?.note);
        assert.match(launch?.note ?? '', /NoFear's relay/);
        assert.equal(launch?.xAccess, extra === undefined ? 'untrusted' : 'trusted', launch?.note);
        await watch.windowNamed(/^\[NoFear:relay\] bench$/, DEADLINE_MS, client.exited);
      } finally {
        await client?.stop();
        await server?.stop();
        await watch?.stop();
        await xvfb?.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('where the jail cannot be built', function () {
  it('runs the client as before, after one warning line, and it still shows the window', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nofear-nojail-'));
    let x: Awaited<ReturnType<typeof startXvfb>> | undefined;
    let watch: DisplayWatch | undefined;
    let server: HostileXpraServer | undefined;
    let client: XpraClient | undefined;
    try {
      x = await startXvfb();
      watch = await DisplayWatch.start(x.display);
      server = await HostileXpraServer.start(path.join(dir, 'gui.sock'), 'benign', SCREEN);
      const warnings: string[] = [];
      client = new XpraClient(
        { socket: path.join(dir, 'gui.sock'), profile: 'nojail', border: { colour: 'OrangeRed', width: 3 }, clipboard: 'off', sound: false },
        { ...process.env, DISPLAY: x.display, NOFEAR_BWRAP: path.join(dir, 'no-bwrap') },
        { warn: (line) => warnings.push(line) },
      );
      await watch.windowNamed(/^\[NoFear:nojail\] bench$/, DEADLINE_MS, client.exited);
      assert.equal((await client.launched)?.jailed, false);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0] ?? '', /^the Xpra client runs without its jail: .*no-bwrap is missing/);
      assert.doesNotMatch(warnings[0] ?? '', /\n/);
    } finally {
      await client?.stop();
      await server?.stop();
      await watch?.stop();
      await x?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
