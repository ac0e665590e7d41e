// Failures reach the person who clicked (issue 25): nofear-open launched as a file manager launches it
// (stdin /dev/null, stderr a pipe) under a private bus whose notification server is a stand-in that records
// every Notify (test/fixtures/nofear-bus-listener.py): errors found while planning come as ONE notification
// naming each file and its fix, and go to NoFear's log; a mixed --dry-run prints what it can and exits 3.
// No VM: everything here fails (or is only planned) before one would boot. Needs dist/.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { bin, ROOT } from '../helpers/cli.js';
import { startListener, startPrivateBus, type BusRecord, type Listener, type PrivateBus } from '../helpers/private-bus.js';

describe('failures from the desktop reach the person (no terminal, a private bus, planning errors)', function () {
  this.timeout(120_000);
  let dir: string;
  let bus: PrivateBus;
  let listener: Listener;
  let files: string;
  const env = () => ({
    HOME: path.join(dir, 'home'),
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    XDG_STATE_HOME: path.join(dir, 'state'),
    XDG_RUNTIME_DIR: path.join(dir, 'run'),
    DBUS_SESSION_BUS_ADDRESS: bus.address,
    DISPLAY: ':99',
  });
  /** As a file manager's menu runs it: stdin /dev/null, stdout and stderr pipes (never a terminal). */
  const run = (args: string[], extra: Record<string, string> = {}) =>
    execa(process.execPath, [bin('nofear-open'), ...args], { env: { ...env(), ...extra }, extendEnv: false, stdin: 'ignore', reject: false, timeout: 60_000 });
  const notifiesSince = (count: number): BusRecord[] => listener.records.filter((r) => r.method === 'Notify').slice(count);
  const notifyCount = () => listener.records.filter((r) => r.method === 'Notify').length;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-report-'));
    mkdirSync(path.join(dir, 'home'));
    mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
    files = path.join(dir, 'files');
    mkdirSync(path.join(files, 'folder'), { recursive: true });
    writeFileSync(path.join(files, 'report.pdf'), samplePdf());
    writeFileSync(path.join(files, 'random.bin'), randomBytes(4096));
    writeFileSync(path.join(files, 'a.zip'), Buffer.from('504b0506000000000000000000000000000000000000', 'hex'));
    bus = await startPrivateBus(dir, {}, { activation: false });
    listener = await startListener(path.join(ROOT, 'test', 'fixtures', 'nofear-bus-listener.py'), bus.address, { NOFEAR_LISTENER_NAMES: 'org.freedesktop.Notifications' });
  });

  after(async () => {
    await listener?.stop();
    await bus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a file with no viewer: exit 125, one notification with the reason and its fix, and a line in nofear.log (defect 1)', async () => {
    const before = notifyCount();
    const result = await run([path.join(files, 'random.bin')]);
    assert.equal(result.exitCode, 125, result.stderr);
    assert.match(result.stderr, /random\.bin: No viewer for application\/octet-stream.* Fix: /);
    const [notice, ...more] = notifiesSince(before);
    assert.deepEqual(more, [], 'one notification');
    assert.equal(notice?.args?.[3], 'NoFear could not open random.bin');
    assert.match(String(notice?.args?.[4]), /^• random\.bin: No viewer for application\/octet-stream.* Fix: install a graphical application/);
    assert.match(readFileSync(path.join(dir, 'state', 'nofear', 'nofear.log'), 'utf8'), /nofear-open: .*random\.bin: No viewer for application\/octet-stream/);
  });

  it('--convert of an archive: exit 125 and one notification naming the fix (defect 1)', async () => {
    const before = notifyCount();
    const result = await run(['--convert', path.join(files, 'a.zip')]);
    assert.equal(result.exitCode, 125, result.stderr);
    const [notice, ...more] = notifiesSince(before);
    assert.deepEqual(more, [], 'one notification');
    assert.equal(notice?.args?.[3], 'NoFear could not convert a.zip');
    assert.match(String(notice?.args?.[4]), /Fix: open it safely instead: nofear-open /);
  });

  it('no display: every file of the batch told, in one notification, before any VM (defect 1)', async () => {
    const before = notifyCount();
    const result = await run([path.join(files, 'report.pdf')], { DISPLAY: '' });
    assert.equal(result.exitCode, 125, result.stderr);
    const notices = notifiesSince(before);
    assert.equal(notices.length, 1, JSON.stringify(notices));
    assert.match(String(notices[0]?.args?.[4]), /^• report\.pdf: .*DISPLAY.* Fix: /);
  });

  it('a mixed selection, three files, two that cannot open: one notification naming both with their fixes (defect 1, 2)', async () => {
    const before = notifyCount();
    const result = await run(['--dry-run', path.join(files, 'report.pdf'), path.join(files, 'random.bin'), path.join(files, 'folder')]);
    assert.equal(result.exitCode, 3, result.stderr);
    assert.match(result.stdout, /^file: .*report\.pdf\nmime: application\/pdf\n/);
    const [notice, ...more] = notifiesSince(before);
    assert.deepEqual(more, [], 'one notification');
    assert.equal(notice?.args?.[3], 'NoFear could not plan 2 of 3 files (1 planned)');
    const body = String(notice?.args?.[4]).split('\n');
    assert.match(body[0] ?? '', /^• random\.bin: No viewer .* Fix: /);
    assert.match(body[1] ?? '', /^• folder: .*folder is a directory; NoFear opens files\. Fix: open a file inside it$/);
  });

  it('--dry-run prints what it can and reports the rest: exit 3, or 0 when all can be planned, or 125 (defect 2)', async () => {
    const mixed = await run(['--convert', '--dry-run', path.join(files, 'report.pdf'), path.join(files, 'a.zip')]);
    assert.equal(mixed.exitCode, 3, mixed.stderr);
    assert.match(mixed.stdout, /converter: pdf/);
    assert.match(mixed.stderr, /a\.zip.* Fix: open it safely instead/);
    assert.match(mixed.stderr, /planned 1 of 2; 1 failed \(above\)\./);
    assert.equal((await run(['--dry-run', path.join(files, 'report.pdf')])).exitCode, 0);
    assert.equal((await run(['--dry-run', path.join(files, 'folder')])).exitCode, 125);
  });
});
