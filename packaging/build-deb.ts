// `make deb`: nofear_<version>_all.deb, built with dpkg-deb alone. The program and its production
// node_modules under /usr/lib/nofear, sh launchers in /usr/bin, the desktop files in their system places
// naming those launchers (rendered by the same code as `integrate install`), man pages and bash completion
// generated at build time, and the documentation Debian policy asks for.
// Usage: node --import tsx packaging/build-deb.ts [OUTPUT_DIR]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { renderShipped, SHIPPED_FILES } from '../src/integrate/files.js';
import { SYSTEM_INSTALL_RECORD, SYSTEM_TARGETS, systemInstallRecord } from '../src/integrate/system.js';
import { renderCopyright } from './copyright.js';
import { readProductionModules } from './production-modules.js';
import { CHECKOUT, stageProgram } from './stage.js';

export const COMMANDS = ['nofear', 'nofear-open', 'nofearctl'] as const;

/** What NoFear runs, by package: the VM, its jail, the guest's GUI, MIME detection, the kernel download. */
export const DEPENDS = [
  // util-linux (prlimit, setpriv) is essential, so it is not named.
  'nodejs (>= 18.19)', 'qemu-system-x86', 'busybox-static', 'bubblewrap', 'passt',
  // Xpra 3.1's server imports PIL for every forwarded window; Debian's xpra only recommends it.
  'python3', 'python3-pil', 'xvfb', 'e2fsprogs', 'file', 'shared-mime-info', 'xz-utils', 'zstd', 'dbus',
  // apt-get download fetches Debian's kernel for the guest where /boot is not readable (no root needed).
  'apt',
];
/** "Open in NoFear" in Nautilus and Caja needs their Python bindings; doctor checks the display with xdpyinfo. */
// poppler-utils renders PDFs for nofear-open --convert; ImageMagick and LibreOffice (images, office
// documents) and tesseract (--ocr) are used when they are there. Xpra forwards windows; without it (Debian 13
// ships none) an open shows the document's safe PDF in the host's own viewer instead.
export const RECOMMENDS = ['xpra', 'python3-nautilus', 'python3-caja', 'desktop-file-utils', 'x11-utils', 'poppler-utils'];
export const SUGGESTS = ['imagemagick', 'libreoffice-writer', 'libreoffice-calc', 'libreoffice-impress', 'tesseract-ocr'];

interface PackageJson {
  version: string;
  description: string;
}

const gzip = (data: Buffer | string) => gzipSync(data, { level: 9 }); // zlib's header has no name and mtime 0

function write(root: string, relative: string, data: Buffer | string, mode = 0o644): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, data);
  chmodSync(file, mode);
}

/** Directories 0755, scripts (a #! line) 0755, other files 0644: modes from the checkout mean nothing here. */
function normaliseModes(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) normaliseModes(full);
    else if (entry.isFile()) chmodSync(full, readFileSync(full).subarray(0, 2).toString() === '#!' ? 0o755 : 0o644);
  }
}

/** Tags lintian cannot know are expected here, each with the reason. */
const LINTIAN_OVERRIDES = `# init.sh is the guest's /init: it is packed into the VM's initramfs, where busybox is /.bb/busybox;
# the host never runs it.
nofear: unusual-interpreter /.bb/busybox [usr/lib/nofear/src/guest/init.sh]
`;

function buildDate(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  try {
    return new Date(execFileSync('git', ['-C', CHECKOUT, 'log', '-1', '--format=%cI'], { encoding: 'utf8' }).trim());
  } catch {
    return new Date(); // not a git checkout (an npm tarball): the build's own time
  }
}

const maintainer = () => `${process.env.DEBFULLNAME ?? 'NoFear developers'} <${process.env.DEBEMAIL ?? 'nofear@example.org'}>`;

function changelog(version: string, date: Date): string {
  return `nofear (${version}) unstable; urgency=medium\n\n  * Packaged with make deb (packaging/build-deb.ts).\n\n -- ${maintainer()}  ${date.toUTCString().replace('GMT', '+0000')}\n`;
}

function program(root: string): void {
  const lib = path.join(root, 'usr/lib/nofear');
  stageProgram(lib);
  normaliseModes(lib);
  write(root, `usr/lib/nofear/${SYSTEM_INSTALL_RECORD}`, `${JSON.stringify(systemInstallRecord('/usr'), null, 2)}\n`);
  // /usr/bin/node is the distribution's nodejs (Depends): D-Bus activation and file managers have no PATH to search.
  for (const command of COMMANDS) write(root, `usr/bin/${command}`, `#!/bin/sh\nexec /usr/bin/node /usr/lib/nofear/dist/cli/${command}.js "$@"\n`, 0o755);
}

async function desktopFiles(root: string): Promise<void> {
  const { launchers } = systemInstallRecord('/usr');
  // No MimeType= in the system entry: it would make NoFear the default for every such type that has none
  // yet, for every user. `integrate install --default-for` sets each user's own choice.
  for (const shipped of SHIPPED_FILES) write(root, path.join('usr', SYSTEM_TARGETS[shipped.role]), await renderShipped(shipped, launchers, []));
}

function docs(root: string, version: string, date: Date): void {
  for (const command of COMMANDS) {
    write(root, `usr/share/man/man1/${command}.1.gz`, gzip(readFileSync(path.join(CHECKOUT, 'dist/man', `${command}.1`))));
    write(root, `usr/share/bash-completion/completions/${command}`, readFileSync(path.join(CHECKOUT, 'dist/completion', command)));
  }
  write(root, 'usr/share/doc/nofear/README.md.gz', gzip(readFileSync(path.join(CHECKOUT, 'README.md'))));
  write(root, 'usr/share/doc/nofear/changelog.gz', gzip(changelog(version, date)));
  write(root, 'usr/share/doc/nofear/copyright', renderCopyright(readProductionModules(CHECKOUT), CHECKOUT));
  write(root, 'usr/share/lintian/overrides/nofear', LINTIAN_OVERRIDES);
}

function installedSizeKiB(dir: string): number {
  let bytes = 0;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      bytes += Math.ceil(statSync(full).size / 1024) * 1024;
    }
  };
  walk(dir);
  return Math.ceil(bytes / 1024);
}

function md5sums(root: string): string {
  const lines: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else lines.push(`${createHash('md5').update(readFileSync(full)).digest('hex')}  ${path.relative(root, full)}`);
    }
  };
  walk(path.join(root, 'usr'));
  return `${lines.join('\n')}\n`;
}

/** The control file's relations (tested: xpra is recommended, not required). */
export function controlRelations(): string[] {
  return [`Depends: ${DEPENDS.join(', ')}`, `Recommends: ${RECOMMENDS.join(', ')}`, `Suggests: ${SUGGESTS.join(', ')}`];
}

function control(pkg: PackageJson, root: string): string {
  return [
    'Package: nofear',
    `Version: ${pkg.version}`,
    'Architecture: all',
    `Maintainer: ${maintainer()}`,
    `Installed-Size: ${installedSizeKiB(path.join(root, 'usr'))}`,
    ...controlRelations(),
    'Section: utils',
    'Priority: optional',
    'Description: open untrusted files in a throwaway VM with your own applications',
    ' NoFear opens a file you do not trust in your usual viewer, inside a fresh',
    ' QEMU virtual machine that sees a read-only copy of the host\'s /usr and a',
    ' copy of the file, never your home or /etc, with no network. The window',
    ' comes back to your desktop through Xpra with a coloured border; when it',
    ' closes, the VM and everything the document did are gone.',
    ' .',
    ' Commands: nofear (run a command in a VM), nofear-open (open files safely)',
    ' and nofearctl (sandboxes, doctor, profiles, desktop integration). "Open in',
    ' NoFear" appears in Nautilus, Caja, Nemo, Thunar and Dolphin.',
    '',
  ].join('\n');
}

export async function buildDeb(outputDir: string): Promise<string> {
  const pkg = JSON.parse(readFileSync(path.join(CHECKOUT, 'package.json'), 'utf8')) as PackageJson;
  const root = mkdtempSync(path.join(tmpdir(), 'nofear-deb-'));
  chmodSync(root, 0o755); // the package's ./ (mkdtemp made it 0700)
  try {
    program(root);
    await desktopFiles(root);
    docs(root, pkg.version, buildDate());
    write(root, 'DEBIAN/md5sums', md5sums(root));
    write(root, 'DEBIAN/control', control(pkg, root));
    const deb = path.join(outputDir, `nofear_${pkg.version}_all.deb`);
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, deb], { stdio: ['ignore', 'ignore', 'inherit'] });
    return deb;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const deb = await buildDeb(path.resolve(process.argv[2] ?? CHECKOUT));
  process.stdout.write(`built ${deb}\n`);
}
