// Installs without root, as a user would: `make install` to a PREFIX, then the commands run with the
// checkout hidden (bubblewrap mounts an empty tmpfs over it), one of them a real VM; and the npm package,
// packed and installed globally into a prefix with no registry access.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../helpers/cli.js';

const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const CHECKOUT = ROOT.replace(/\/$/, '');

describe('installing without root', function () {
  let top: string;
  let pdf: string;
  before(() => {
    top = mkdtempSync(path.join(os.tmpdir(), 'nofear-install-'));
    pdf = path.join(top, 'report.pdf');
    writeFileSync(pdf, '%PDF-1.4\n%%EOF\n');
  });
  after(() => rmSync(top, { recursive: true, force: true }));

  describe('make install PREFIX=...', () => {
    let prefix: string;
    let env: Record<string, string>;
    /** A command of the installed copy, with the checkout hidden as if it had been moved or deleted. */
    const withoutCheckout = (args: string[], options: { input?: string } = {}) =>
      execa('bwrap', ['--dev-bind', '/', '/', '--tmpfs', CHECKOUT, '--', ...args], { env, extendEnv: false, reject: false, timeout: 240_000, ...options });

    before(async () => {
      prefix = path.join(top, 'prefix');
      env = {
        HOME: os.homedir(),
        PATH: `${prefix}/bin:/usr/bin:/bin`,
        LANG: 'C.UTF-8',
        XDG_DATA_HOME: path.join(top, 'data'),
        XDG_CONFIG_HOME: path.join(top, 'config'),
        XDG_STATE_HOME: path.join(top, 'state'),
        XDG_RUNTIME_DIR: mkdtempSync(path.join(top, 'run-')),
        NOFEAR_ACCEL: process.env.NOFEAR_ACCEL ?? '',
        // integrate refreshes a session; these stand in for systemctl and the bus (tested elsewhere).
        NOFEAR_SYSTEMCTL: '/bin/true',
        NOFEAR_DBUS_SEND: '/bin/true',
      };
      const installed = await execa('make', ['-C', CHECKOUT, '--no-print-directory', 'install', `PREFIX=${prefix}`], { reject: false });
      assert.equal(installed.exitCode, 0, installed.stderr);
    });

    it('copies the program and its production node_modules to PREFIX/lib/nofear; nothing names the checkout', async () => {
      for (const file of ['dist/cli/nofear.js', 'src/guest/init.sh', 'src/gui/xpra-client.py', 'node_modules/execa/package.json', 'node_modules/xml2js/package.json']) {
        assert.ok(existsSync(path.join(prefix, 'lib', 'nofear', file)), file);
      }
      assert.ok(!existsSync(path.join(prefix, 'lib', 'nofear', 'node_modules', 'mocha')), 'a dev dependency was installed');
      const grep = await execa('grep', ['-rlF', CHECKOUT, prefix], { reject: false });
      assert.equal(grep.stdout, '', `files naming the checkout: ${grep.stdout}`);
      assert.ok(existsSync(path.join(prefix, 'share', 'man', 'man1', 'nofearctl.1')));
      assert.ok(existsSync(path.join(prefix, 'share', 'bash-completion', 'completions', 'nofear-open')));
    });

    it('runs with the checkout gone: --version, a dry run, a real VM, and integrate names PREFIX/bin', async () => {
      assert.equal((await withoutCheckout(['nofear', '--version'])).stdout, `nofear ${VERSION}`);
      const dry = await withoutCheckout(['nofear-open', '--dry-run', pdf]);
      assert.match(dry.stdout, /^viewer: \S+\.desktop$/m, dry.stderr);
      const vm = await withoutCheckout(['nofear', '-t', '--', 'echo', 'ok']);
      assert.equal(vm.stdout, 'ok', vm.stderr);
      assert.equal(vm.exitCode, 0);
      const integrate = await withoutCheckout(['nofearctl', 'integrate', 'install']);
      assert.equal(integrate.exitCode, 0, integrate.stderr);
      const entry = readFileSync(path.join(top, 'data', 'applications', 'org.nofear.NoFear.desktop'), 'utf8');
      assert.match(entry, new RegExp(`^Exec=${prefix}/bin/nofear-open %U$`, 'm'));
      assert.equal((await withoutCheckout(['nofearctl', 'integrate', 'uninstall'])).exitCode, 0);
    });

    it('make uninstall removes it', async () => {
      const removed = await execa('make', ['-C', CHECKOUT, '--no-print-directory', 'uninstall', `PREFIX=${prefix}`], { reject: false });
      assert.equal(removed.exitCode, 0, removed.stderr);
      for (const gone of ['lib/nofear', 'bin/nofear', 'bin/nofear-open', 'bin/nofearctl', 'share/man/man1/nofear.1']) assert.ok(!existsSync(path.join(prefix, gone)), gone);
    });
  });

  describe('the npm package', () => {
    let tarball: string;
    before(async () => {
      // The checkout is built (make test builds first); packing must not rebuild it as this user.
      const packed = await execa('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', top], { cwd: CHECKOUT, reject: false });
      assert.equal(packed.exitCode, 0, packed.stderr);
      tarball = path.join(top, packed.stdout.trim().split('\n').at(-1) ?? '');
    });

    it('ships what runs (the guest files, man pages) and no tests, bench or source maps', async () => {
      const listing = (await execa('tar', ['-tzf', tarball])).stdout.split('\n').map((f) => f.replace(/^package\//, ''));
      for (const file of [
        'dist/cli/nofear.js',
        'dist/man/nofear.1',
        'dist/completion/nofearctl',
        'src/guest/init.sh',
        'src/gui/xpra-client.py',
        'desktop-entries/org.nofear.NoFear.desktop',
        'nautilus/nofear_nautilus.py',
        'node_modules/xml2js/package.json',
      ]) {
        assert.ok(listing.includes(file), `${file} is not in the package`);
      }
      assert.deepEqual(
        listing.filter((f) => /^(test|bench|src\/(cli|vm|sandbox|service))\/|^dist\/.*\.map$|^node_modules\/(mocha|typescript|tsx)\//.test(f)),
        [],
      );
    });

    it('npm install -g gives three working commands, offline, with the pinned xml2js', async () => {
      const prefix = path.join(top, 'global');
      const installed = await execa('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], { reject: false, cwd: top });
      assert.equal(installed.exitCode, 0, installed.stderr);
      for (const command of ['nofear', 'nofear-open', 'nofearctl']) {
        const result = await execa(path.join(prefix, 'bin', command), ['--version'], { reject: false });
        assert.equal(result.stdout, `${command} ${VERSION}`, result.stderr);
      }
      const dry = await execa(path.join(prefix, 'bin', 'nofear-open'), ['--dry-run', pdf], { reject: false });
      assert.match(dry.stdout, /^viewer: \S+\.desktop$/m, dry.stderr);
      const xml2js = JSON.parse(readFileSync(path.join(prefix, 'lib', 'node_modules', 'nofear', 'node_modules', 'xml2js', 'package.json'), 'utf8')) as { version: string };
      assert.doesNotMatch(xml2js.version, /^0\.4\./);
      assert.ok(existsSync(path.join(prefix, 'share', 'man', 'man1', 'nofear-open.1')), 'man pages are linked');
    });
  });
});
