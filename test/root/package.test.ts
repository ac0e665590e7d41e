// The .deb on this machine, as root (CI is root): make deb, lintian, apt-get install ./nofear_*.deb, then
// as a normal user the packaged commands, a real VM and the desktop default; apt-get purge takes every file
// back. The machine is left as it was found: packages this test installed are purged again.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../helpers/cli.js';

const USER = 'nofear-test';
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const DEB_NAME = `nofear_${VERSION}_all.deb`;
const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };

const installedPackages = async () =>
  new Set(
    (await execa('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\\n'])).stdout
      .split('\n')
      .filter((l) => l.endsWith(' installed'))
      .map((l) => l.split(' ')[0] ?? ''),
  );
const isInstalled = async (name: string) => (await installedPackages()).has(name);

describe('the nofear .deb (root)', function () {
  let work: string;
  let deb: string;
  let before_: Set<string>;
  let createdUser = false;
  let userEnv: Record<string, string>;
  let packageFiles: string[] = [];

  /** A command as the unprivileged user, with a private XDG config, data and state (their home stays as it is). */
  const asUser = (command: string, args: string[]) =>
    execa('runuser', ['-u', USER, '--', 'env', '-i', ...Object.entries(userEnv).map(([k, v]) => `${k}=${v}`), command, ...args], { reject: false, timeout: 240_000, cwd: '/' });

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'test/root runs as root (test/run-suites.sh does, in CI)');
    assert.ok(!(await isInstalled('nofear')), 'a nofear package is installed already: this test would remove it; purge it first');
    before_ = await installedPackages();
    if (!before_.has('lintian')) await execa('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'lintian'], { env: APT_ENV });
    if ((await execa('id', [USER], { reject: false })).exitCode !== 0) {
      await execa('useradd', ['-m', '-s', '/bin/bash', USER]);
      createdUser = true;
    }
    work = mkdtempSync(path.join(tmpdir(), 'nofear-deb-test-'));
    const home = (await execa('getent', ['passwd', USER])).stdout.split(':')[5] ?? '';
    for (const dir of ['config', 'data', 'state']) await execa('install', ['-d', '-o', USER, path.join(work, dir)]);
    chmodSync(work, 0o755); // the user reaches its own dirs in it, apt's sandbox user reads the .deb
    userEnv = {
      HOME: home,
      USER,
      LOGNAME: USER,
      PATH: '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      XDG_CONFIG_HOME: path.join(work, 'config'),
      XDG_DATA_HOME: path.join(work, 'data'),
      XDG_STATE_HOME: path.join(work, 'state'),
      NOFEAR_ACCEL: process.env.NOFEAR_ACCEL ?? '',
    };
  });

  after(async () => {
    if (await isInstalled('nofear')) await execa('apt-get', ['purge', '-y', '-q', 'nofear'], { env: APT_ENV, reject: false });
    const added = [...(await installedPackages())].filter((name) => !before_.has(name));
    if (added.length > 0) await execa('apt-get', ['purge', '-y', '-q', ...added], { env: APT_ENV, reject: false });
    rmSync(path.join(ROOT, DEB_NAME), { force: true });
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
    if (createdUser) await execa('userdel', ['-r', USER], { reject: false });
  });

  it('make deb builds nofear_<version>_all.deb with dpkg-deb, and lintian reports no error', async () => {
    const built = await execa('make', ['-C', ROOT, '--no-print-directory', 'deb'], { reject: false });
    assert.equal(built.exitCode, 0, built.stderr);
    deb = path.join(work, DEB_NAME);
    renameSync(path.join(ROOT, DEB_NAME), deb);
    const info = (await execa('dpkg-deb', ['--field', deb, 'Package', 'Architecture', 'Depends', 'Recommends'])).stdout;
    assert.match(info, /^Package: nofear$/m);
    // Debian 13 ships no xpra: without it NoFear shows safe PDFs, so the package only recommends it.
    assert.doesNotMatch(info.match(/^Depends: .*$/m)?.[0] ?? '', /\bxpra\b/);
    assert.match(info.match(/^Recommends: .*$/m)?.[0] ?? '', /\bxpra\b/);
    assert.match(info, /^Architecture: all$/m);
    assert.match(info, /nodejs \(>= 18\.19\)/);
    const lint = await execa('lintian', ['--tag-display-limit', '0', deb], { reject: false });
    assert.deepEqual(
      lint.stdout.split('\n').filter((line) => /^E: /.test(line)),
      [],
      lint.stdout,
    );
  });

  it('apt-get install ./nofear_*.deb installs the program, launchers, desktop files, man pages and docs in their places', async () => {
    const installed = await execa('apt-get', ['install', '-y', '-q', deb], { env: APT_ENV, reject: false });
    assert.equal(installed.exitCode, 0, installed.stderr);
    packageFiles = (await execa('dpkg', ['-L', 'nofear'])).stdout.split('\n').filter((f) => f !== '/.' && f !== '');
    for (const file of [
      '/usr/bin/nofear',
      '/usr/bin/nofear-open',
      '/usr/bin/nofearctl',
      '/usr/lib/nofear/dist/cli/nofear.js',
      '/usr/lib/nofear/src/guest/init.sh',
      '/usr/share/applications/org.nofear.NoFear.desktop',
      '/usr/share/icons/hicolor/scalable/apps/org.nofear.NoFear.svg',
      '/usr/share/dbus-1/services/org.nofear.NoFear.service',
      '/usr/lib/systemd/user/nofear.service',
      '/usr/share/nautilus-python/extensions/nofear_nautilus.py',
      '/usr/share/caja-python/extensions/nofear_caja.py',
      '/usr/share/nemo/actions/nofear.nemo_action',
      '/usr/share/nemo/actions/nofear-edit.nemo_action',
      '/usr/share/nemo/actions/nofear-convert.nemo_action',
      '/usr/share/nemo/actions/nofear-trust.nemo_action',
      '/usr/lib/nofear/src/guest/convert.sh',
      '/usr/share/kio/servicemenus/nofear.desktop',
      '/usr/share/man/man1/nofearctl.1.gz',
      '/usr/share/bash-completion/completions/nofear',
      '/usr/share/doc/nofear/copyright',
      '/usr/share/doc/nofear/changelog.gz',
      '/usr/share/doc/nofear/README.md.gz',
    ]) {
      assert.ok(packageFiles.includes(file), `${file} is not in the package`);
    }
    assert.ok(!packageFiles.some((f) => f.startsWith('/usr/lib/nofear/node_modules/mocha')), 'a dev dependency is in the package');
    assert.match(readFileSync('/usr/share/dbus-1/services/org.nofear.NoFear.service', 'utf8'), /^Exec=\/usr\/bin\/nofearctl service --activated$/m);
    const validate = await execa('desktop-file-validate', ['/usr/share/applications/org.nofear.NoFear.desktop'], { reject: false });
    assert.equal(`${validate.exitCode} ${validate.stdout}${validate.stderr}`, '0 ');
  });

  it('as a normal user: nofear --version, and nofear -t -- echo ok in a real VM', async () => {
    const version = await asUser('nofear', ['--version']);
    assert.equal(version.stdout, `nofear ${VERSION}`, version.stderr);
    const vm = await asUser('nofear', ['-t', '--', 'echo', 'ok']);
    assert.equal(vm.stdout, 'ok', vm.stderr);
    assert.equal(vm.exitCode, 0);
    assert.match((await asUser('man', ['-w', 'nofear-open'])).stdout, /^\/usr\/share\/man\/man1\/nofear-open\.1\.gz$/);
  });

  it("integrate install --default-for application/pdf writes only the user's choice, and gio mime names NoFear", async () => {
    const integrate = await asUser('nofearctl', ['integrate', 'install', '--default-for', 'application/pdf']);
    assert.equal(integrate.exitCode, 0, integrate.stderr);
    assert.match(integrate.stdout, /the nofear package holds the desktop entry/);
    assert.ok(!existsSync(path.join(work, 'data', 'applications', 'org.nofear.NoFear.desktop')), 'a per-user copy of the system entry was written');
    const gio = await asUser('gio', ['mime', 'application/pdf']);
    assert.match(gio.stdout, /^Default application for .application\/pdf.: org\.nofear\.NoFear\.desktop$/m, gio.stdout + gio.stderr);
    const status = await asUser('nofearctl', ['integrate', 'status']);
    assert.match(status.stdout, /system files \(the nofear package\):\n( {2}\S+ +ok +\/usr\/\S+\n)+/);
    assert.equal((await asUser('nofearctl', ['integrate', 'uninstall'])).exitCode, 0);
    assert.doesNotMatch((await asUser('gio', ['mime', 'application/pdf'])).stdout, /org\.nofear\.NoFear/);
  });

  it('apt-get purge nofear leaves no file of the package behind', async () => {
    assert.ok(packageFiles.length > 100);
    const directories = new Set(packageFiles.filter((f) => lstatSync(f).isDirectory()));
    const purged = await execa('apt-get', ['purge', '-y', '-q', 'nofear'], { env: APT_ENV, reject: false });
    assert.equal(purged.exitCode, 0, purged.stderr);
    assert.deepEqual(
      packageFiles.filter((f) => !directories.has(f) && existsSync(f)),
      [],
      'files left',
    );
    // A directory may stay only where another package owns it too (/usr/bin, /usr/share/applications ...).
    const left = [...directories].filter((d) => existsSync(d));
    const owners = left.length === 0 ? { stdout: '' } : await execa('dpkg-query', ['-S', ...left], { reject: false });
    const owned = new Set(owners.stdout.split('\n').map((line) => line.slice(line.indexOf(': ') + 2)));
    assert.deepEqual(
      left.filter((d) => !owned.has(d)),
      [],
      'directories of the package left behind',
    );
    assert.ok(!existsSync('/usr/lib/nofear'));
  });
});
