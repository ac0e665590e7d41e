// Links end to end: `integrate install --links` makes NoFear the desktop's handler for http and https,
// `xdg-open` of a page then shows it in the user's own browser (NetSurf, from Debian's packages) inside a
// throwaway VM whose network is passt; a domain in [links] trusted opens in that browser on the host with no
// VM. The page is served by the test on this machine's own non-loopback address (passt reaches it as the
// guest's outside world); a listener on 127.0.0.1 stands for the host's loopback services. The links go
// through NoFear's service, as on a desktop (a foreground service on a private bus, a stand-in
// notification server), with [links] reuse_seconds on: a second link opens in the same VM's browser. The
// browser's entry first saves a "download" (and a symlink, which must not come out) where a NoFear VM's
// browser saves, ~/Downloads (the guest starts it in $HOME); the test then quits NetSurf and presses Keep
// in the service's notification. Driving NetSurf's own download dialog is not what is tested: where the
// file comes from inside the VM does not change how it leaves.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { homedir, networkInterfaces } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { leftoverSandboxes, perTestEnv, ROOT, type TestEnv } from '../helpers/cli.js';
import { pressNotificationButton, startListener, startPrivateBus, type BusRecord, type Listener, type PrivateBus } from '../helpers/private-bus.js';
import { qemuDescendants, startForegroundService, type ForegroundService } from '../helpers/service.js';
import { makeTree, type Tree } from '../helpers/integration-tree.js';
import { pressKey, suiteDisplay, waitForWindow, windowName, type Display } from '../helpers/xvfb.js';
import { execQuoted } from '../helpers/exec-script.js';
import { fromOutside } from '../../src/trust/origin.js';
import { NOFEAR_DESKTOP_ID } from '../../src/integrate/types.js';
import { pollUntil } from '../../src/util/poll.js';
import { findPasta, lanFencedArgv } from '../../src/vm/passt.js';

const WINDOW_DEADLINE = 240_000;
const BROWSER_ID = 'netsurf-links.desktop';
const DOWNLOADED = 'a file from the web page\n';
// What the host user's own NetSurf profile holds: each file carries this marker in its contents, some in
// their names too; none of it may be found in the guest's home, where the VM's browser keeps its profile.
const HOST_PROFILE_MARK = `nofear-host-profile-${randomBytes(6).toString('hex')}`;
const HOST_PROFILE: Record<string, string> = {
  '.config/netsurf/Choices': `homepage_url:http://${HOST_PROFILE_MARK}.example/\n`,
  '.config/netsurf/Cookies': `# NetSurf cookies file.\n${HOST_PROFILE_MARK}.example\tTRUE\t/\tFALSE\t0\tsession\t${HOST_PROFILE_MARK}\n`,
  '.config/netsurf/URLs': `${HOST_PROFILE_MARK}.example\n`,
  [`.config/netsurf/${HOST_PROFILE_MARK}-Hotlist`]: `<a href="http://${HOST_PROFILE_MARK}.example/">${HOST_PROFILE_MARK}</a>\n`,
  [`.netsurf/${HOST_PROFILE_MARK}-Cookies`]: `${HOST_PROFILE_MARK}\n`,
};
/**
 * The browser as the guest runs it (a shell script; $1 is the URL). In a link VM (where ~/Downloads is
 * NoFear's export, a symlink) it first saves a "download" (and a symlink, which must not come out), runs
 * NetSurf, and once NetSurf has quit (its profile written) looks through the guest's home, outside the
 * export, for the host profile's marker in names and contents: what it finds leaves the VM as a download
 * the test keeps (profile.txt). The marker is put together at run time, so the command line never holds it.
 * On the host (a trusted link) it is NetSurf alone.
 */
const BROWSER_SCRIPT = [
  'if [ -L Downloads ]; then',
  `echo '${DOWNLOADED.trim()}' >Downloads/report.txt; ln -s /etc/passwd Downloads/passwd;`,
  'netsurf-gtk "$1";',
  `m=${HOST_PROFILE_MARK.slice(0, 8)}; m=$\{m}${HOST_PROFILE_MARK.slice(8)};`,
  '{ echo home:; find . -path ./Downloads -prune -o -print;',
  'echo names:; find . -path ./Downloads -prune -o -name "*$m*" -print;',
  'echo contents:; grep -rl -e "$m" --exclude-dir=Downloads .; } >Downloads/profile.txt 2>&1;',
  'else exec netsurf-gtk "$1"; fi',
].join(' ');

// The user's browser as distributions ship one: it declares the web schemes (Debian's NetSurf entry does
// not). The guest starts it in $HOME.
const BROWSER_ENTRY = `[Desktop Entry]
Type=Application
Name=NetSurf
Exec=sh -c ${execQuoted(BROWSER_SCRIPT)} sh %u
MimeType=text/html;x-scheme-handler/http;x-scheme-handler/https;
`;

// [links] lan = no's check: a terminal in the link VM fetches the page (curl, as the browser would) and puts
// what came back in its title: `lan check: http 200`, or curl's error.
const LAN_CHECK_ID = 'lan-check.desktop';
const LAN_CHECK_SCRIPT = ['r=$(curl -sS -m 20 -o /dev/null -w "http %{http_code}" "$1" 2>&1 | tr -c "a-zA-Z0-9 .:()" " ");', `printf '\\033]2;lan check: %s\\007' "$r"`].join(' ');
const LAN_CHECK_ENTRY = `[Desktop Entry]
Type=Application
Name=LAN check
Exec=xterm -hold -e sh -c ${execQuoted(LAN_CHECK_SCRIPT)} sh %u
MimeType=x-scheme-handler/http;
`;

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

/** This machine's first non-loopback IPv4 address: passt carries the guest's traffic to it like any host. */
function outsideAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
  if (address === undefined) throw new Error('this machine has no non-loopback IPv4 address to serve the test page on (ip -4 addr)');
  return address;
}

interface Request {
  path: string;
  headers: IncomingHttpHeaders;
}

/**
 * The test site: / is the titled page; its images probe the host's loopback (directly and as slirp's
 * 10.0.2.2), then a control image. The title shows as soon as the page is parsed, so the window never waits
 * on a probe: where the outside network drops packets to 10.0.2.2 (passt sends them there), that probe
 * only ends at the guest's connect timeout.
 */
function startSite(host: string, loopbackPort: number, title: string): Promise<{ server: Server; requests: Request[]; url: string }> {
  const requests: Request[] = [];
  const pixel = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
  const server = createHttpServer((req, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers });
    if (req.url === '/ok.gif') {
      res.writeHead(200, { 'content-type': 'image/gif' });
      res.end(pixel);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<html><head><title>${title}</title></head><body><h1>${title}</h1>` +
          `<img src="http://127.0.0.1:${loopbackPort}/a.gif"><img src="http://10.0.2.2:${loopbackPort}/b.gif"><img src="/ok.gif"></body></html>`,
      );
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve({ server, requests, url: `http://${host}:${(server.address() as AddressInfo).port}/` }));
  });
}

/** A window matching the title, or a failure as soon as the xdg-open that should show it has ended without one. */
async function windowOf(x: Display, title: string, opener: Opener, expectOpenerToStay: boolean): Promise<string> {
  const ended = new Promise<never>((_, reject) =>
    opener.child.once('exit', (code) => {
      if (!expectOpenerToStay) return;
      // Its last words may still be in the pipe: read to the end, but never wait on whatever else holds it.
      const fail = () => reject(new Error(`xdg-open ended (status ${code}) before the window showed; its stderr: ${opener.stderrTail()}`));
      const timer = setTimeout(fail, 1000);
      (opener.child.stdout ?? opener.child.stderr)?.once('end', () => (clearTimeout(timer), fail()));
    }),
  );
  try {
    return await Promise.race([waitForWindow(x.display, title, WINDOW_DEADLINE), ended]);
  } catch (error) {
    // CI shows a failure's first line only: what xdg-open and nofear-open said belongs on it.
    if (error instanceof Error && !error.message.includes('its stderr:')) error.message += `; xdg-open's stderr: ${opener.stderrTail()}`;
    throw error;
  }
}

/** xdg-open as a file manager or mail client runs it, with what it and nofear-open print kept for a failure. */
interface Opener {
  child: ChildProcess;
  stderrTail(): string;
  /** What it printed (the last 4000 characters). */
  text(): string;
}

describe('links in a throwaway browser (integrate --links, xdg-open, NetSurf in a VM through passt)', function () {
  let x: Display;
  let t: TestEnv;
  let tree: Tree;
  let host: string;
  const openers: ChildProcess[] = [];
  suiteDisplay((display) => (x = display));
  // Before perTestEnv's check that no sandbox is left: xdg-open and what it started (nofear-open and its VM,
  // or the host's browser) are stopped first, their process group waited out.
  afterEach(async () => {
    for (const opener of openers.splice(0)) {
      if (opener.pid === undefined) continue;
      const group = opener.pid;
      try {
        process.kill(-group, 'SIGTERM');
      } catch {
        // the group is gone already: nothing of it to stop
      }
      const gone = await pollUntil(() => !groupAlive(group), 60_000, 100);
      assert.ok(gone, 'xdg-open and nofear-open did not end within 60 s of SIGTERM');
    }
    await execa('pkill', ['-f', `^netsurf-gtk http://${host}:`], { reject: false });
  });
  perTestEnv('nofear-links-', (env) => (t = env));

  before(async () => {
    host = outsideAddress();
    tree = makeTree();
    // xdg-utils reads an Exec line's first word without its quotes, so a launcher path with a space (the
    // tree's own) makes xdg-mime and xdg-open pass over the entry: these launchers live where users' do.
    const bin = path.join(tree.top, 'bin');
    mkdirSync(bin);
    for (const name of ['nofear', 'nofear-open', 'nofearctl']) {
      copyFileSync(path.join(tree.bin, name), path.join(bin, name));
      chmodSync(path.join(bin, name), 0o755);
    }
    tree.env.NOFEAR_BIN_DIR = bin;
    // The guest kernel and image caches are the test user's own (shared, downloaded once), not the tree's HOME.
    tree.env.XDG_CACHE_HOME = path.join(homedir(), '.cache');
    for (const [name, text] of Object.entries(HOST_PROFILE)) {
      mkdirSync(path.dirname(path.join(tree.home, name)), { recursive: true });
      writeFileSync(path.join(tree.home, name), text);
    }
    const apps = path.join(tree.dataHome, 'applications');
    mkdirSync(apps, { recursive: true });
    writeFileSync(path.join(apps, BROWSER_ID), BROWSER_ENTRY);
    writeFileSync(path.join(apps, LAN_CHECK_ID), LAN_CHECK_ENTRY);
    await execa('update-desktop-database', [apps]);
    mkdirSync(tree.configHome, { recursive: true });
    writeFileSync(path.join(tree.configHome, 'mimeapps.list'), `[Default Applications]\nx-scheme-handler/http=${BROWSER_ID}\nx-scheme-handler/https=${BROWSER_ID}\n`);
  });

  after(() => tree?.cleanup());

  const envFor = () => ({ ...tree.env, ...t.env, XDG_DATA_HOME: tree.dataHome, DISPLAY: x.display });
  /** xdg-open; on a pseudo-terminal (util-linux script) when the test answers nofear-open's prompt, its output then on stdout. */
  function xdgOpen(url: string, terminal = false, extraEnv: Record<string, string> = {}): Opener {
    return terminal ? opener('script', ['-q', '-e', '-c', `xdg-open ${url}`, '/dev/null'], true, extraEnv) : opener('xdg-open', [url], false, extraEnv);
  }

  /** A command that opens a link (xdg-open, or nofear-open itself), in its own process group, its output kept. */
  function opener(file: string, args: readonly string[], terminal = false, extraEnv: Record<string, string> = {}): Opener {
    const child = spawn(file, [...args], { env: { ...envFor(), ...extraEnv }, detached: true, stdio: [terminal ? 'pipe' : 'ignore', terminal ? 'pipe' : 'ignore', 'pipe'] });
    openers.push(child);
    let stderr = '';
    const hear = (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000));
    child.stderr?.on('data', hear);
    child.stdout?.on('data', hear);
    const stderrTail = () => JSON.stringify(stderr.trim().split(/\r?\n/).slice(-6).join(' | '));
    return { child, stderrTail, text: () => stderr };
  }

  /**
   * Quits NetSurf in the VM (the browser the job started), presses Keep in the service's notification about
   * the downloads, and checks what left the VM: the regular files, in the user's download folder, marked as
   * from outside; not the symlink. Returns what the guest found of the host's browser profile in its home
   * (profile.txt, by its sections).
   */
  async function keepTheDownloads(window: string, bus: PrivateBus, notices: Listener): Promise<Record<'home' | 'names' | 'contents', string[]>> {
    await pressKey(x.display, window, 'ctrl+q');
    const isNotify = (record: BusRecord) => record.method === 'Notify';
    const question = await notices.waitFor((r) => isNotify(r) && r.args?.[3] === 'Keep 2 files downloaded in NoFear?', 120_000);
    assert.match(String(question.args?.[4]), /"profile\.txt"/);
    assert.match(String(question.args?.[4]), /"report\.txt"/);
    // The stand-in server numbers new notifications 1, 2, … in the order they came (as it replies to Notify).
    const id = notices.records.filter((r) => isNotify(r) && r.args?.[1] === 0).indexOf(question) + 1;
    await pressNotificationButton(bus.address, id, 'keep');
    const folder = path.join(tree.home, 'Downloads');
    const told = await notices.waitFor((r) => isNotify(r) && r.args?.[3] === 'NoFear: downloads', 30_000);
    assert.match(String(told.args?.[4]), new RegExp(`kept from the web page's VM in ${folder}, marked as from outside: "[a-z]+\\.txt", "[a-z]+\\.txt"; left in the VM: "passwd": not a regular file`));
    assert.deepEqual(readdirSync(folder).sort(), ['profile.txt', 'report.txt'], "only the downloads left the VM (not the guest's symlink, no temporary file)");
    assert.equal(readFileSync(path.join(folder, 'report.txt'), 'utf8'), DOWNLOADED);
    const verdict = await fromOutside(path.join(folder, 'report.txt'), { env: tree.env, places: [], skipped: [] });
    assert.ok(verdict.outside, 'the kept download is not marked as from outside');
    assert.match(verdict.why, /^made in a NoFear VM \(a download kept from a link\)/);
    const found = readFileSync(path.join(folder, 'profile.txt'), 'utf8');
    const sections = /^home:\n([^]*)names:\n([^]*)contents:\n([^]*)$/.exec(found);
    assert.ok(sections !== null, `the guest's look through its home printed ${JSON.stringify(found)}`);
    const lines = (text: string | undefined) => (text ?? '').split('\n').filter((line) => line !== '');
    return { home: lines(sections[1]), names: lines(sections[2]), contents: lines(sections[3]) };
  }

  /** The NoFear service as a desktop has it: a private session bus, a stand-in notification server, the service on it. */
  async function startDesktopService(): Promise<{ bus: PrivateBus; notices: Listener; service: ForegroundService; stop(): Promise<void> }> {
    const dir = path.join(tree.top, `bus-${randomBytes(4).toString('hex')}`);
    mkdirSync(dir);
    const bus = await startPrivateBus(dir, {}, { activation: false });
    const notices = await startListener(path.join(ROOT, 'test', 'fixtures', 'nofear-bus-listener.py'), bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications' });
    const service = startForegroundService({ ...envFor(), DBUS_SESSION_BUS_ADDRESS: bus.address });
    const stop = async () => {
      await service.stop();
      await notices.stop();
      await bus.stop();
    };
    try {
      await service.waitForLine(/serving org\.nofear\.NoFear/, 60_000);
    } catch (error) {
      await stop();
      throw error;
    }
    return { bus, notices, service, stop };
  }

  /**
   * The X connection that made a window: the X server gives each client its own resource-id base, and every
   * window a client creates carries it (the bits above Xvfb's 21-bit resource mask). One host Xpra client per VM.
   */
  const xClientOf = (window: string) => Math.floor(Number(window) / 0x200000);

  it('install --links makes NoFear the handler for http and https in xdg-mime and GLib, recording the browser', async () => {
    const result = await tree.nofearctl('integrate', 'install', '--links');
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`web links \\(http, https\\) now open in ${BROWSER_ID.replace('.', '\\.')} in a throwaway VM`));
    for (const scheme of ['http', 'https']) {
      const query = await execa('xdg-mime', ['query', 'default', `x-scheme-handler/${scheme}`], { env: tree.env, extendEnv: false });
      assert.equal(query.stdout.trim(), NOFEAR_DESKTOP_ID, `xdg-mime, ${scheme}`);
      assert.equal(await tree.gioDefault(`x-scheme-handler/${scheme}`), NOFEAR_DESKTOP_ID, `gio mime, ${scheme}`);
    }
  });

  it('xdg-open of a page shows it in a NoFear-marked browser window from a VM that cannot reach the host loopback, with none of the host browser profile; with [links] reuse_seconds a second link opens in that same VM', async () => {
    const loopbackHits: string[] = [];
    const loopback = createTcpServer((socket) => {
      loopbackHits.push(`${socket.remoteAddress}`);
      socket.destroy();
    });
    await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
    const title = `NoFear link test ${randomBytes(4).toString('hex')}`;
    const site = await startSite(host, (loopback.address() as AddressInfo).port, title);
    const secondTitle = `NoFear second link ${randomBytes(4).toString('hex')}`;
    const secondSite = await startSite(host, 9, secondTitle);
    mkdirSync(path.join(tree.configHome, 'nofear'), { recursive: true });
    writeFileSync(path.join(tree.configHome, 'nofear', 'config.ini'), '[pool]\nsize = 0\n[links]\nreuse_seconds = 600\n');
    const desktop = await startDesktopService();
    const onBus = { DBUS_SESSION_BUS_ADDRESS: desktop.bus.address };
    const dryRun = (url: string) => execa(path.join(tree.env.NOFEAR_BIN_DIR ?? '', 'nofear-open'), ['--dry-run', url], { env: { ...envFor(), ...onBus }, extendEnv: false });
    try {
      const plan = await dryRun(site.url);
      assert.match(plan.stdout, new RegExp(`^url: ${site.url}$`, 'm'));
      assert.match(plan.stdout, /^viewer: netsurf-links\.desktop$/m);
      assert.match(plan.stdout, /^net: passt$/m);
      assert.match(plan.stdout, /^reuse: no \(no link VM runs\)$/m);
      const opener = xdgOpen(site.url, false, onBus);
      const window = await windowOf(x, `^\\[NoFear:temporary\\] ${title}`, opener, false);
      assert.match(await windowName(x.display, window), new RegExp(`^\\[NoFear:temporary\\] ${title}`));
      // The control image comes after the probes in the page: once it is fetched, both probes were sent.
      const controlFetched = () => site.requests.some((r) => r.path === '/ok.gif');
      await pollUntil(() => controlFetched() || opener.child.exitCode !== null, 60_000, 100);
      assert.ok(controlFetched(), `the page's control image was not fetched within 60 s (requests: ${site.requests.map((r) => r.path).join(' ')})`);
      assert.deepEqual(loopbackHits, [], "the browser in the VM reached the host's loopback");
      assert.ok(
        site.requests.every((r) => r.headers.cookie === undefined),
        'no request carried a cookie',
      );
      assert.equal(leftoverSandboxes(t).length, 1, 'one sandbox runs the browser');
      const [sandboxId] = leftoverSandboxes(t);
      assert.deepEqual(qemuDescendants(desktop.service.pid).length, 1, 'one QEMU runs the browser');

      // [links] reuse_seconds: another page, linked within the window, opens in that VM's browser (NetSurf
      // started again there: a window of its own), shown by the same host Xpra client; no second VM.
      assert.match((await dryRun(secondSite.url)).stdout, new RegExp(`^reuse: sandbox ${sandboxId}$`, 'm'));
      const second = xdgOpen(secondSite.url, false, onBus);
      const secondWindow = await windowOf(x, `^\\[NoFear:temporary\\] ${secondTitle}`, second, false);
      assert.equal(xClientOf(secondWindow), xClientOf(window), "the second page's window comes from another Xpra client, not the first VM's");
      assert.deepEqual(leftoverSandboxes(t), [sandboxId], 'a second sandbox was started for the second link');
      assert.deepEqual(qemuDescendants(desktop.service.pid).length, 1, 'a second QEMU was started for the second link');
      await desktop.service.waitForLine(new RegExp(`opened in the browser of sandbox ${sandboxId} \\(\\[links\\] reuse_seconds\\)`), 10_000);

      // The guest's own look, after NetSurf quit: its profile is in the guest's home, and nothing there
      // (names or contents) comes from the host user's NetSurf profile, which holds the marker.
      const guestHome = await keepTheDownloads(window, desktop.bus, desktop.notices);
      assert.ok(guestHome.home.includes('./.config/netsurf'), `NetSurf's profile is not in the guest's home: ${guestHome.home.join(' ')}`);
      assert.deepEqual(guestHome.names, [], "a file named from the host user's browser profile is in the guest's home");
      assert.deepEqual(guestHome.contents, [], "the guest's home holds contents of the host user's browser profile");
    } finally {
      await desktop.stop();
      site.server.close();
      secondSite.server.close();
      loopback.close();
      await execa('rm', ['-f', path.join(tree.configHome, 'nofear', 'config.ini')]);
    }
  });

  it('a domain in [links] trusted opens in the browser on the host, with no VM', async () => {
    mkdirSync(path.join(tree.configHome, 'nofear'), { recursive: true });
    writeFileSync(path.join(tree.configHome, 'nofear', 'config.ini'), `[links]\ntrusted = ${host}\n`);
    const title = `NoFear trusted link ${randomBytes(4).toString('hex')}`;
    const site = await startSite(host, 9, title);
    try {
      const url = `${site.url}done`;
      const plan = await execa(path.join(tree.env.NOFEAR_BIN_DIR ?? '', 'nofear-open'), ['--dry-run', url], { env: envFor(), extendEnv: false });
      assert.match(plan.stdout, /^route: host$/m);
      assert.match(plan.stdout, /^viewer: netsurf-links\.desktop$/m);
      const opener = xdgOpen(url);
      const window = await windowOf(x, `^${title}`, opener, false);
      assert.doesNotMatch(await windowName(x.display, window), /NoFear:/);
      assert.equal(opener.child.exitCode ?? (await new Promise((resolve) => opener.child.once('exit', resolve))), 0, 'xdg-open ends once the browser started');
      assert.deepEqual(leftoverSandboxes(t), [], 'a VM was started for a trusted link');
    } finally {
      site.server.close();
      await execa('rm', ['-f', path.join(tree.configHome, 'nofear', 'config.ini')]);
    }
  });

  it("with [links] lan = no, a link VM cannot reach this computer's own non-loopback address, which it reaches by default", async () => {
    // By default it does: the page above was served on that address to the VM's browser.
    mkdirSync(path.join(tree.configHome, 'nofear'), { recursive: true });
    writeFileSync(path.join(tree.configHome, 'nofear', 'config.ini'), `[links]\nlan = no\n`);
    const title = `NoFear fenced link ${randomBytes(4).toString('hex')}`;
    const site = await startSite(host, 9, title);
    try {
      const plan = await execa(path.join(tree.env.NOFEAR_BIN_DIR ?? '', 'nofear-open'), ['--dry-run', '--with', LAN_CHECK_ID, site.url], { env: envFor(), extendEnv: false });
      assert.match(plan.stdout, /^net: passt\nlan: no \(the internet only\)$/m);
      const check = opener(path.join(tree.env.NOFEAR_BIN_DIR ?? '', 'nofear-open'), ['--with', LAN_CHECK_ID, site.url]);
      const window = await windowOf(x, '^\\[NoFear:temporary\\] lan check: ', check, true);
      const said = await windowName(x.display, window);
      process.stderr.write(`      the fenced VM's fetch of ${site.url}: ${said}\n`);
      assert.doesNotMatch(said, /http [1-5][0-9][0-9]/, 'the fenced link VM fetched the page from this computer');
      assert.match(said, /lan check: .*(Failed to connect|Couldn t connect|refused|unreachable|timed out)/i);
      assert.deepEqual(
        site.requests.map((r) => r.path),
        [],
        'the page on this computer was asked for',
      );
    } finally {
      site.server.close();
      await execa('rm', ['-f', path.join(tree.configHome, 'nofear', 'config.ini')]);
    }
  });

  it('uninstall gives http and https back to the browser that had them', async () => {
    const result = await tree.nofearctl('integrate', 'uninstall');
    assert.equal(result.exitCode, 0, result.stderr);
    for (const scheme of ['http', 'https']) {
      const query = await execa('xdg-mime', ['query', 'default', `x-scheme-handler/${scheme}`], { env: tree.env, extendEnv: false });
      assert.equal(query.stdout.trim(), BROWSER_ID, `xdg-mime, ${scheme}`);
      assert.equal(await tree.gioDefault(`x-scheme-handler/${scheme}`), BROWSER_ID, `gio mime, ${scheme}`);
    }
  });
});

// The fence itself, with the real pasta and script a link VM's passt runs behind (no VM: a probe takes
// passt's place): what each kind of address routes to inside it.
describe('the LAN fence ([links] lan = no) as pasta and the fence script set it up', function () {
  it("routes the internet out by the default route, and nothing of the local network or this computer's addresses", async () => {
    const pasta = findPasta(process.env);
    assert.ok(pasta !== undefined, 'pasta (passt package) is not installed');
    const own = outsideAddress();
    const targets = { internet: '1.1.1.1', ownAddress: own, gateway: '', lan10: '10.1.2.3', lan172: '172.17.0.1', lan192: '192.168.1.1', linkLocal: '169.254.1.1' };
    targets.gateway = (await execa('ip', ['-4', 'route', 'show', 'default'])).stdout.split(' ')[2] ?? '';
    const probe = `for a in ${Object.values(targets).join(' ')}; do echo "$a=$(ip -4 route get "$a" 2>&1 | head -n 1)"; done`;
    const { argv, env } = lanFencedArgv(pasta, ['/bin/sh', '-c', probe], [own]);
    const result = await execa(argv[0] ?? '', argv.slice(1), { env, extendEnv: false, timeout: 60_000, killSignal: 'SIGKILL', reject: false, detached: true });
    assert.equal(result.exitCode, 0, `pasta and the fence script failed: ${result.stderr}`);
    const routes = new Map(result.stdout.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    process.stderr.write(`      inside the fence: ${[...routes].map(([a, r]) => `${a}: ${r}`).join('; ')}\n`);
    assert.match(routes.get(targets.internet) ?? '', / via /, 'an internet address does not go out by the default route');
    // This computer's own address is the namespace's own there: what connects to it never leaves the namespace.
    assert.match(routes.get(own) ?? '', /^local /, "this computer's address leads out of the namespace");
    for (const name of ['gateway', 'lan10', 'lan172', 'lan192', 'linkLocal'] as const) {
      const route = routes.get(targets[name]) ?? '';
      assert.doesNotMatch(route, /^[0-9.]+ (via|dev) /, `${name} (${targets[name]}) routes out: ${route}`);
      assert.match(route, /blackhole|RTNETLINK answers|unreachable|prohibit/i, `${name} (${targets[name]}): ${route}`);
    }
  });
});
