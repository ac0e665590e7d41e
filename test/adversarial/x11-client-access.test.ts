// Issue 28, finding 4: the host Xpra client is a hostile guest's way onto the user's X server (a
// client taken over through its decoders has whatever X access its cookie gives). The jailed client
// gets an untrusted cookie (SECURITY extension): with it, no XTEST input into other clients, no
// GetImage of their windows or the root, no keyboard grab. Its relay's socket is not in the sandbox's
// vm/ dir (QEMU's writable view), and a display the jail cannot route is refused, never served by an
// unjailed client. Real Xvfb (with a cookie, as a desktop's X server has), real jailed client, a
// hostile Xpra server; no VM.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { XpraClient } from '../../src/gui/client.js';
import { parseXauthority, serializeXauthority } from '../../src/gui/xauthority.js';
import { attackFrom, descendantRunning, DisplayWatch, HostileXpraServer, startVictim, startXvfbListening } from '../helpers/host-client.js';

const SCREEN: [number, number] = [1280, 900];
const DEADLINE_MS = 60_000;
const FAMILY_LOCAL = 256;

/** An Xvfb that wants a cookie, and an Xauthority file (the user's) holding it. */
async function xvfbWithCookie(dir: string, listen: string[]) {
  const cookie = randomBytes(16).toString('hex');
  const serverAuth = path.join(dir, 'server-auth');
  await execa('xauth', ['-f', serverAuth, 'add', ':0', 'MIT-MAGIC-COOKIE-1', cookie]);
  const xvfb = await startXvfbListening([...listen, '-auth', serverAuth]);
  return { xvfb, cookie };
}

describe('the host Xpra client on the X server (issue 28, finding 4)', function () {
  it('cannot type into, read or grab from another client with the cookie its jail gets', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nofear-xaccess-'));
    const stops: Array<() => Promise<void>> = [];
    try {
      const { xvfb, cookie } = await xvfbWithCookie(dir, ['-nolisten', 'tcp']);
      stops.push(() => xvfb.stop());
      const display = `:${xvfb.number}`;
      const userAuth = path.join(dir, 'user-auth');
      await execa('xauth', ['-f', userAuth, 'add', display, 'MIT-MAGIC-COOKIE-1', cookie]);
      const env = { DISPLAY: display, XAUTHORITY: userAuth };
      const victim = await startVictim(display, env);
      stops.push(() => victim.stop());
      const watch = await DisplayWatch.start(display, env);
      stops.push(() => watch.stop());
      const server = await HostileXpraServer.start(path.join(dir, 'gui.sock'), 'benign', SCREEN);
      stops.push(() => server.stop());
      // clipboard = to-guest: the setting that reads the host's clipboard gets the untrusted cookie too.
      const client = new XpraClient(
        { socket: path.join(dir, 'gui.sock'), profile: 'xaccess', border: { colour: 'OrangeRed', width: 3 }, clipboard: 'to-guest', sound: false },
        { ...process.env, ...env },
      );
      stops.push(() => client.stop());
      await watch.windowNamed(/^\[NoFear:xaccess\] bench$/, DEADLINE_MS, client.exited);
      const launch = await client.launched;
      assert.equal(launch?.jailed, true, launch?.note);
      assert.equal(launch?.xAccess, 'untrusted', launch?.note);

      // The cookie the jailed client holds, as its own /tmp/.Xauthority has it (a wildcard entry;
      // python3-xlib, the attacker here, reads it as this host's local entry).
      const pid = descendantRunning(client.pid ?? -1, 'xpra-client.py');
      assert.ok(pid !== undefined, 'no client process under the jail');
      const jailCookies = parseXauthority(readFileSync(`/proc/${pid}/root/tmp/.Xauthority`));
      assert.equal(jailCookies.length, 1);
      assert.notEqual(jailCookies[0]?.data.toString('hex'), cookie, "the jail holds the user's own cookie");
      const stolen = path.join(dir, 'stolen-auth');
      writeFileSync(stolen, serializeXauthority(jailCookies.map((e) => ({ ...e, family: FAMILY_LOCAL, address: Buffer.from(os.hostname()), number: String(xvfb.number) }))));

      const asClient = await attackFrom(display, stolen, victim.id);
      assert.match(String(asClient.getimage_other), /^refused/, JSON.stringify(asClient));
      assert.match(String(asClient.getimage_root), /^refused/, JSON.stringify(asClient));
      assert.match(String(asClient.xtest), /^(refused|failed)/, JSON.stringify(asClient));
      assert.match(String(asClient.grab_keyboard), /^refused/, JSON.stringify(asClient));
      // The same attack with the user's cookie works: the refusals above are the cookie's doing.
      const asUser = await attackFrom(display, userAuth, victim.id);
      assert.match(String(asUser.getimage_other), /^allowed/, JSON.stringify(asUser));
      assert.match(String(asUser.xtest), /^allowed/, JSON.stringify(asUser));
    } finally {
      for (const stop of stops.reverse()) await stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the relay's socket out of the directory QEMU sees, and removes it after", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nofear-xrelay-'));
    const vmDir = path.join(dir, 'vm'); // as a sandbox's vm/: QEMU's writable view, where gui.sock is
    const stops: Array<() => Promise<void>> = [];
    try {
      await execa('mkdir', [vmDir]);
      const { xvfb, cookie } = await xvfbWithCookie(dir, ['-listen', 'tcp', '-nolisten', 'unix', '-nolisten', 'local']);
      stops.push(() => xvfb.stop());
      const env = { DISPLAY: `localhost:${xvfb.number}`, XAUTHORITY: path.join(dir, 'user-auth') };
      await execa('xauth', ['-f', env.XAUTHORITY, 'add', env.DISPLAY, 'MIT-MAGIC-COOKIE-1', cookie]);
      const watch = await DisplayWatch.start(env.DISPLAY, env);
      stops.push(() => watch.stop());
      const server = await HostileXpraServer.start(path.join(vmDir, 'gui.sock'), 'benign', SCREEN);
      stops.push(() => server.stop());
      const client = new XpraClient({ socket: path.join(vmDir, 'gui.sock'), profile: 'relay', border: { colour: 'OrangeRed', width: 3 }, clipboard: 'off', sound: false }, { ...process.env, ...env });
      stops.push(() => client.stop());
      await watch.windowNamed(/^\[NoFear:relay\] bench$/, DEADLINE_MS, client.exited);
      const relay = (await client.launched)?.relay;
      assert.ok(relay !== undefined, 'no relay for a TCP display');
      assert.ok(!relay.path.startsWith(`${dir}${path.sep}`), `the relay socket is at ${relay.path}`);
      assert.equal(statSync(path.dirname(relay.path)).mode & 0o777, 0o700);
      await client.stop();
      assert.equal(existsSync(path.dirname(relay.path)), false, "the relay's directory was left behind");
    } finally {
      for (const stop of stops.reverse()) await stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a display its jail cannot route, with the reason and a fix, and starts no client', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nofear-xnone-'));
    try {
      const warnings: string[] = [];
      // Display 97 has no socket at all (no file, no abstract name).
      const client = new XpraClient(
        { socket: path.join(dir, 'gui.sock'), profile: 'none', border: { colour: 'OrangeRed', width: 3 }, clipboard: 'off', sound: false },
        { ...process.env, DISPLAY: ':97' },
        { warn: (line) => warnings.push(line) },
      );
      assert.equal(await client.launched, undefined, 'a client was started');
      assert.equal((await client.exited).code, 127);
      assert.equal(client.pid, undefined);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0] ?? '', /^the Xpra client could not start: The Xpra client's jail cannot reach the display: display :97 has no socket/);
      assert.doesNotMatch(warnings.join('\n'), /without its jail/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
