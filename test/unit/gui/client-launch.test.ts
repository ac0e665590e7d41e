// How the host Xpra client is started (src/gui/client-launch.ts): unjailed when asked or when bubblewrap
// cannot build the jail (with the reason); never unjailed for want of a way to the display; jailed with the
// display's own socket bound in, or through the real relay for a TCP display. bwrap is a stand-in script
// (the real one's answer depends on this host's user-namespace policy; only the probe runs it here), and
// the display's socket is a plain listening unix socket in /tmp/.X11-unix (the launch plan only looks for
// it; no X server is asked anything with NOFEAR_X_UNTRUSTED=off and no XAUTHORITY).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isNoFearError } from '../../../src/errors.js';
import { CLIENT_WRAPPER, planClientLaunch, soundFd, type LaunchOptions } from '../../../src/gui/client-launch.js';

const OPTIONS: LaunchOptions = { socket: '/run/n/0123abcd/gui.sock', display: ':0', profile: 'temporary', border: { colour: 'OrangeRed', width: 3 }, clipboard: 'off', sound: false };

/** The value bwrap's argv sets for `name` in the jail's environment. */
function setenvOf(argv: readonly string[], name: string): string | undefined {
  const at = argv.findIndex((arg, i) => arg === '--setenv' && argv[i + 1] === name);
  return at < 0 ? undefined : argv[at + 2];
}

describe('gui/client-launch: planClientLaunch', function () {
  this.timeout(20_000);
  let dir: string;
  let bwrapOk: string;
  let bwrapRefused: string;
  let display: { number: number; server: net.Server } | undefined;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-client-launch-'));
    const script = (name: string, body: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, `#!/bin/sh\n${body}\n`);
      chmodSync(file, 0o755);
      return file;
    };
    bwrapOk = script('bwrap-ok', 'exit 0');
    bwrapRefused = script('bwrap-refused', "echo 'bwrap: No permissions to create new namespace' >&2; exit 1");
    // A display number nobody uses: its socket is the only thing the plan looks for.
    for (let number = 4000 + (process.pid % 1000); number < 6000 && display === undefined; number++) {
      if (existsSync(`/tmp/.X11-unix/X${number}`)) continue;
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(`/tmp/.X11-unix/X${number}`, resolve));
      display = { number, server };
    }
  });
  after(async () => {
    await new Promise((resolve) => (display ? display.server.close(resolve) : resolve(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  const envWith = (vars: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ HOME: dir, XDG_RUNTIME_DIR: dir, LANG: 'C.UTF-8', NOFEAR_X_UNTRUSTED: 'off', ...vars });

  it('runs the client unjailed under setpriv when NOFEAR_CLIENT_JAIL=off, dying with NoFear and without a bus of its own', async () => {
    const launch = await planClientLaunch({ ...OPTIONS, sound: true }, envWith({ NOFEAR_CLIENT_JAIL: 'off', NOFEAR_SETPRIV: '/usr/bin/setpriv' }));
    assert.equal(launch.jailed, false);
    assert.deepEqual(launch.argv.slice(0, 6), ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--', '/usr/bin/python3', CLIENT_WRAPPER]);
    assert.equal(launch.env.DISPLAY, ':0');
    assert.equal(launch.env.DBUS_SESSION_BUS_ADDRESS, 'disabled:');
    assert.equal(launch.env.NOFEAR_SOUND_FD, String(soundFd(0)));
    assert.deepEqual(launch.fdData, []);
    assert.equal(launch.xAccess, 'trusted');
    assert.match(launch.note, /without its jail \(NOFEAR_CLIENT_JAIL=off\)/);
  });

  it('runs it unjailed, saying why and how to fix it, when bubblewrap cannot build the jail', async () => {
    const launch = await planClientLaunch(OPTIONS, envWith({ NOFEAR_BWRAP: bwrapRefused }));
    assert.equal(launch.jailed, false);
    assert.match(launch.note, /^the Xpra client runs without its jail: bubblewrap cannot build the client's jail here \(bwrap: No permissions to create new namespace\); fix: /);
  });

  it('refuses to start it unjailed when the jail cannot reach the display', async () => {
    await assert.rejects(
      planClientLaunch({ ...OPTIONS, display: 'wayland-0' }, envWith({ NOFEAR_BWRAP: bwrapOk })),
      (error: unknown) => isNoFearError(error) && error.code === 'Unavailable' && /jail cannot reach the display: DISPLAY=wayland-0 is not a form/.test(error.message),
    );
  });

  it("jails it with the display's own socket bound in, the seccomp program on the first descriptor, and the sound descriptor after it", async () => {
    assert.ok(display, 'a free display number');
    const launch = await planClientLaunch({ ...OPTIONS, display: `:${display.number}`, sound: true }, envWith({ NOFEAR_BWRAP: bwrapOk }));
    assert.equal(launch.jailed, true);
    assert.equal(launch.argv[0], bwrapOk);
    const bound = launch.argv.findIndex((arg, i) => arg === '--ro-bind' && launch.argv[i + 1] === `/tmp/.X11-unix/X${display?.number}`);
    assert.ok(bound > 0, "the display's socket is bound into the jail");
    assert.equal(launch.fdData.length, 1, 'the seccomp program; no cookie without XAUTHORITY');
    assert.equal(setenvOf(launch.argv, 'NOFEAR_SOUND_FD'), String(soundFd(1)));
    assert.equal(launch.relay, undefined);
    assert.equal(launch.xAccess, 'trusted');
    assert.match(launch.note, /runs in its jail \(no network, bus or home\); a trusted X client \(the untrusted cookie is turned off/);
  });

  it('reaches a TCP display through the relay, whose socket is bound in as the display', async function () {
    const launch = await planClientLaunch({ ...OPTIONS, display: 'localhost:5999' }, envWith({ NOFEAR_BWRAP: bwrapOk }));
    try {
      assert.ok(launch.relay, 'a relay was started');
      assert.ok(existsSync(launch.relay.path), "the relay's socket");
      assert.equal(path.dirname(path.dirname(launch.relay.path)), dir, 'in a private directory of the runtime dir');
      const bound = launch.argv.findIndex((arg, i) => arg === '--ro-bind' && launch.argv[i + 1] === launch.relay?.path);
      assert.equal(launch.argv[bound + 2], '/tmp/.X11-unix/X5999');
      assert.match(launch.note, /reached over TCP, .* so it goes through NoFear's relay/);
    } finally {
      launch.relay?.stop();
    }
    assert.equal(existsSync(path.dirname(launch.relay.path)), false, "the relay's directory goes with it");
  });
});
