import assert from 'node:assert/strict';
import { parseStartTime, isAlive, identify } from '../../../src/util/proc.js';
import { planVm } from '../../../src/vm/vm-plan.js';
import { buildQemuArgv } from '../../../src/vm/qemu-argv.js';
import { guestEnvironment } from '../../../src/vm/guest-env.js';
import { exportBelongsInCache, guestHostname } from '../../../src/sandbox/sandbox.js';
import { layoutOf } from '../../../src/sandbox/registry.js';
import { partialMarkerLength } from '../../../src/cli/stdio-relay.js';

describe('process identity', () => {
  it('reads the start time after a comm that holds spaces and parentheses', () => {
    const stat = '1234 (evil) (name) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50';
    assert.equal(parseStartTime(stat), 987654);
  });
  it('knows this process, and that a recycled pid with another start time is not it', () => {
    const me = identify(process.pid);
    assert.ok(me);
    assert.equal(isAlive(me), true);
    assert.equal(isAlive({ pid: process.pid, startTime: me.startTime + 1 }), false);
    assert.equal(isAlive({ pid: 1, startTime: 0 }), false);
  });
});

describe('planVm', () => {
  const base = {
    id: '0123abcd',
    dir: '/run/n/0123abcd',
    accel: 'tcg' as const,
    tscKhz: 2300000,
    memoryMiB: 1024,
    cpus: 2,
    tbSizeMiB: 256,
    kernel: '/k',
    initramfs: '/i',
    systemDirs: ['/usr', '/opt'],
    sharedFolder: undefined,
    exportDir: undefined,
    disk: undefined,
    net: 'none' as const,
    stdio: 'pipe' as const,
    seccomp: true,
  };
  it('exports each system dir read-only under its tag and opens the stdio ports', () => {
    const plan = planVm(base);
    assert.deepEqual(plan.exports, [
      { tag: 'nf_sys_usr', path: '/usr', readonly: true },
      { tag: 'nf_sys_opt', path: '/opt', readonly: true },
    ]);
    assert.deepEqual(
      plan.ports.map((p) => p.name),
      ['org.nofear.control', 'org.nofear.stdin', 'org.nofear.stdout', 'org.nofear.stderr'],
    );
    assert.ok(plan.cmdline.includes('nofear.upper=tmpfs'));
  });
  it('uses a terminal console in tty mode, the disk for profiles, a writable shared folder', () => {
    const plan = planVm({ ...base, stdio: 'tty', disk: '/d.img', sharedFolder: '/home/u/share' });
    assert.deepEqual(
      plan.ports.map((p) => [p.name, p.console ?? false]),
      [
        ['org.nofear.control', false],
        ['org.nofear.tty', true],
      ],
    );
    assert.ok(plan.cmdline.includes('nofear.upper=disk'));
    assert.deepEqual(plan.exports.at(-1), { tag: 'nf_shared', path: '/home/u/share', readonly: false });
  });
  it("exports a staged copy read-only as nf_export, an --edit copy writable as nf_edit (mapped-xattr in QEMU's argv)", () => {
    assert.deepEqual(planVm({ ...base, exportDir: '/run/x/export' }).exports.at(-1), { tag: 'nf_export', path: '/run/x/export', readonly: true });
    const edit = planVm({ ...base, exportDir: '/home/u/.cache/nofear/staging/0123abcd', exportWritable: true });
    assert.deepEqual(edit.exports.at(-1), { tag: 'nf_edit', path: '/home/u/.cache/nofear/staging/0123abcd', readonly: false });
    const argv = buildQemuArgv('qemu', edit).join(' ');
    assert.match(argv, /-fsdev local,id=fs2,path=\/home\/u\/\.cache\/nofear\/staging\/0123abcd,security_model=mapped-xattr,multidevs=remap -device virtio-9p-device,fsdev=fs2,mount_tag=nf_edit/);
  });
});

describe('guest environment and names', () => {
  it('passes only plain locale and terminal values', () => {
    const env = guestEnvironment({ root: false, interactive: true, hostEnv: { LANG: 'de_DE.UTF-8', TERM: 'xterm-256color', SECRET: 'x' } });
    assert.equal(env.LANG, 'de_DE.UTF-8');
    assert.equal(env.TERM, 'xterm-256color');
    assert.equal(env.HOME, '/home/user');
    assert.equal('SECRET' in env, false);
    assert.equal(guestEnvironment({ root: true, interactive: false, hostEnv: { LANG: '$(evil)' } }).LANG, 'C.UTF-8');
  });
  it('makes a valid hostname from any profile name', () => {
    assert.equal(guestHostname('Work.Files_2'), 'nofear-work-files-2');
  });
});

describe('partialMarkerLength', () => {
  const marker = Buffer.from('\x1b]nofear-end;abc\x07');
  it('holds back only a possible start of the marker', () => {
    assert.equal(partialMarkerLength(Buffer.from('prompt $ '), marker), 0);
    assert.equal(partialMarkerLength(Buffer.from('done\x1b]nof'), marker), 5);
    assert.equal(partialMarkerLength(Buffer.from('x\x1b'), marker), 1);
  });
});

describe('where the staged copy goes', () => {
  it("moves a copy bigger than a quarter of the runtime dir's free space to the cache dir, by id", () => {
    const mib = 1024 * 1024;
    assert.equal(exportBelongsInCache(25 * mib, '/run/user/1000/nofear', 100 * mib), false, 'exactly a quarter stays');
    assert.equal(exportBelongsInCache(25 * mib + 1, '/run/user/1000/nofear', 100 * mib), true);
    assert.equal(exportBelongsInCache(1, '/run/user/1000/nofear', 0), true, 'a full runtime dir takes nothing');
    const layout = layoutOf('/run/user/1000/nofear', '0123abcd', { env: { XDG_CACHE_HOME: '/home/u/.cache' } });
    assert.equal(layout.exportDir, '/home/u/.cache/nofear/staging/0123abcd');
    assert.equal(layout.vmDir, '/run/user/1000/nofear/0123abcd/vm');
    assert.equal(layoutOf('/run/user/1000/nofear', '0123abcd').exportDir, '/run/user/1000/nofear/0123abcd/vm/export');
  });
});
