// The command that installs a missing package, in the host distribution's own terms.
import { readFileSync } from 'node:fs';

export interface PackageName {
  debian: string;
  fedora: string;
}

export const PACKAGES = {
  qemu: { debian: 'qemu-system-x86', fedora: 'qemu-system-x86-core' },
  busybox: { debian: 'busybox-static', fedora: 'busybox' },
  xpra: { debian: 'xpra', fedora: 'xpra' },
  xvfb: { debian: 'xvfb', fedora: 'xorg-x11-server-Xvfb' },
  pil: { debian: 'python3-pil', fedora: 'python3-pillow' },
  e2fsprogs: { debian: 'e2fsprogs', fedora: 'e2fsprogs' },
  utilLinux: { debian: 'util-linux', fedora: 'util-linux' },
  bubblewrap: { debian: 'bubblewrap', fedora: 'bubblewrap' },
  passt: { debian: 'passt', fedora: 'passt' },
  xdpyinfo: { debian: 'x11-utils', fedora: 'xdpyinfo' },
  dbus: { debian: 'dbus', fedora: 'dbus-tools' },
  nodejs: { debian: 'nodejs', fedora: 'nodejs' },
  xlib: { debian: 'python3-xlib', fedora: 'python3-xlib' },
} as const satisfies Record<string, PackageName>;

export type Family = 'debian' | 'fedora';

/** From /etc/os-release's ID and ID_LIKE; Debian's names where the distribution is not recognised. */
export function distroFamily(osRelease: string | undefined): Family {
  const ids = [...(osRelease ?? '').matchAll(/^(?:ID|ID_LIKE)=["']?([^"'\n]*)/gm)].flatMap((m) => (m[1] ?? '').split(/\s+/));
  return ids.some((id) => ['fedora', 'rhel', 'centos'].includes(id)) ? 'fedora' : 'debian';
}

export function installCommand(packages: readonly PackageName[], family: Family, root: boolean): string {
  const names = packages.map((p) => p[family]).join(' ');
  const sudo = root ? '' : 'sudo ';
  return family === 'fedora' ? `${sudo}dnf install -y ${names}` : `${sudo}apt-get install -y ${names}`;
}

function readOsRelease(): string | undefined {
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      // the next one
    }
  }
  return undefined;
}

/** The install command for this host. */
export function installHint(...packages: PackageName[]): string {
  return installCommand(packages, distroFamily(readOsRelease()), process.getuid?.() === 0);
}
