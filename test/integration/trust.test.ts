// The mark of the outside on real folders: the service's chokidar watcher marks what arrives in an untrusted
// place (and what was there before it started), the mark moves with the file, a browser's mark counts, and
// nofearctl trust / distrust / trust status say and change it. The xattr path; the sidecar path (a filesystem
// without user xattrs) is test/root/trust-sidecar.test.ts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { bin } from '../helpers/cli.js';
import { startPrivateBus, type PrivateBus } from '../helpers/private-bus.js';
import { startForegroundService, type ForegroundService } from '../helpers/service.js';
import { pollUntil } from '../../src/util/poll.js';

const MARK_DEADLINE_MS = 20_000;

/** The file's user xattrs, read by the system Python (Node has no xattr call). */
async function xattrs(file: string): Promise<Record<string, string>> {
  const script = 'import json, os, sys; p = sys.argv[1]; print(json.dumps({n: os.getxattr(p, n).decode() for n in os.listxattr(p) if n.startswith("user.")}))';
  return JSON.parse((await execa('/usr/bin/python3', ['-I', '-S', '-c', script, file])).stdout) as Record<string, string>;
}

describe('the mark of the outside (real chokidar on real folders, the service on a private bus)', function () {
  this.timeout(120_000);
  let dir: string;
  let home: string;
  let bus: PrivateBus | undefined;
  let service: ForegroundService | undefined;
  let env: Record<string, string>;
  const downloads = () => path.join(home, 'Downloads');
  const ctl = (...args: string[]) => execa(process.execPath, [bin('nofearctl'), ...args], { env, extendEnv: false, reject: false });
  /** Polls until NoFear's mark is on the file, or the deadline, or the service's end. */
  const marked = async (file: string) => {
    let gone = false;
    void service?.exited.then(() => (gone = true));
    return pollUntil(async () => gone || (await xattrs(file).catch((): Record<string, string> => ({})))['user.nofear.origin'] !== undefined, MARK_DEADLINE_MS, 50).then(
      async () => (await xattrs(file))['user.nofear.origin'],
    );
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-trust-'));
    home = path.join(dir, 'home');
    mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
    mkdirSync(path.join(home, 'Documents'), { recursive: true });
    mkdirSync(downloads(), { recursive: true });
    mkdirSync(path.join(dir, 'config', 'nofear'), { recursive: true });
    writeFileSync(path.join(dir, 'config', 'nofear', 'config.ini'), '[pool]\nsize = 0\n[service]\nidle_exit = 1\n[trust]\nwatch = on\nplaces = xdg:DOWNLOAD, $HOME/Mail\n');
    writeFileSync(path.join(downloads(), 'before.pdf'), '%PDF-1.4 arrived while the service was down\n');
    bus = await startPrivateBus(dir, {}, { activation: false });
    env = {
      HOME: home,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      DBUS_SESSION_BUS_ADDRESS: bus.address,
      XDG_RUNTIME_DIR: path.join(dir, 'run'),
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      XDG_DATA_HOME: path.join(dir, 'data'),
      XDG_STATE_HOME: path.join(dir, 'state'),
      DISPLAY: '',
    };
    // Bus-activated with idle_exit = 1: without the watcher it would leave after a second.
    service = startForegroundService(env, ['--activated']);
    await service.waitForLine(/trust: watching .*Downloads/, 30_000);
  });

  after(async () => {
    await service?.stop();
    await bus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks what was in the download folder before the service started (the rescan)', async () => {
    assert.match((await marked(path.join(downloads(), 'before.pdf'))) ?? '', /"from":"arrived in .*Downloads"/);
  });

  it('marks a file written into the download folder while it runs; moved to ~/Documents it still is', async () => {
    const file = path.join(downloads(), 'report.pdf');
    writeFileSync(file, '%PDF-1.4 from outside\n');
    assert.match((await marked(file)) ?? '', /arrived in .*Downloads/);
    const moved = path.join(home, 'Documents', 'report.pdf');
    renameSync(file, moved);
    const status = await ctl('trust', 'status', moved);
    assert.equal(status.exitCode, 0, status.stderr);
    assert.match(status.stdout, /^marked \(from outside: arrived in .*Downloads, marked \d{4}-/);
  });

  it('marks a file in a subfolder of a place', async () => {
    mkdirSync(path.join(downloads(), 'unpacked', 'deeper'), { recursive: true });
    const file = path.join(downloads(), 'unpacked', 'deeper', 'inner.docx');
    writeFileSync(file, 'PK');
    assert.match((await marked(file)) ?? '', /arrived in/);
  });

  it('stays up while it watches, although bus-activated with idle_exit = 1', () => {
    assert.equal(
      service?.lines.some((line) => /idle for/.test(line)),
      false,
      service?.lines.join('\n'),
    );
  });

  it("counts a file with only a browser's user.xdg.origin.url as from outside; trust wins over it, with a warning; distrust marks it", async () => {
    const file = path.join(home, 'Documents', 'chromium.pdf');
    writeFileSync(file, '%PDF-1.4\n');
    assert.match((await ctl('trust', 'status', file)).stdout, /^not marked$/m);
    await execa('/usr/bin/python3', ['-I', '-S', '-c', 'import os, sys; os.setxattr(sys.argv[1], "user.xdg.origin.url", b"https://evil.example/chromium.pdf")', file]);
    assert.match((await ctl('trust', 'status', file)).stdout, /^marked \(from outside: downloaded from https:\/\/evil\.example\/chromium\.pdf\)$/m);
    const trusted = await ctl('trust', file);
    assert.equal(trusted.exitCode, 0, trusted.stderr);
    assert.match(trusted.stderr, /warning: .*came from outside \(downloaded from https:\/\/evil\.example.*nofearctl distrust/);
    assert.match((await ctl('trust', 'status', file)).stdout, /^not marked \(trusted by you/m);
    assert.equal((await ctl('distrust', file)).exitCode, 0);
    assert.match((await ctl('trust', 'status', file)).stdout, /^marked \(from outside: distrusted by you/m);
    assert.equal((await xattrs(file))['user.nofear.trusted'], undefined);
  });

  it('refuses a missing file and a folder with a named error and a fix', async () => {
    const missing = await ctl('trust', 'status', path.join(home, 'nope.pdf'));
    assert.equal(missing.exitCode, 125);
    assert.match(missing.stderr, /nope\.pdf does not exist[\s\S]*Fix: /);
    const folder = await ctl('trust', path.join(home, 'Documents'));
    assert.equal(folder.exitCode, 125);
    assert.match(folder.stderr, /not a regular file/);
  });
});
