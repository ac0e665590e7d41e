// A system-wide install (the nofear .deb): the desktop entry, icon, D-Bus service, systemd user unit and
// file-manager extensions already lie in the system's places, naming /usr/bin launchers. The package
// records this in system-install.json beside the program; with it, `integrate install` writes only the
// user's own choices (mimeapps.list defaults, Thunar's uca.xml), which no package can hold.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SOURCE_ROOT, type Role } from './files.js';
import type { Launchers } from './launchers.js';

export const SYSTEM_INSTALL_RECORD = 'system-install.json';

/** Where each shipped file goes under a system prefix (/usr), as the XDG data dirs and systemd read them. */
export const SYSTEM_TARGETS: Readonly<Record<Role, string>> = {
  'desktop-entry': 'share/applications/org.nofear.NoFear.desktop',
  icon: 'share/icons/hicolor/scalable/apps/org.nofear.NoFear.svg',
  'dbus-service': 'share/dbus-1/services/org.nofear.NoFear.service',
  'systemd-unit': 'lib/systemd/user/nofear.service',
  nautilus: 'share/nautilus-python/extensions/nofear_nautilus.py',
  caja: 'share/caja-python/extensions/nofear_caja.py',
  nemo: 'share/nemo/actions/nofear.nemo_action',
  'nemo-edit': 'share/nemo/actions/nofear-edit.nemo_action',
  'nemo-convert': 'share/nemo/actions/nofear-convert.nemo_action',
  'nemo-trust': 'share/nemo/actions/nofear-trust.nemo_action',
  dolphin: 'share/kio/servicemenus/nofear.desktop',
};

export interface SystemInstall {
  launchers: Launchers;
  /** role → absolute path of the installed file. */
  files: Record<string, string>;
}

export function systemInstallRecord(prefix: string): SystemInstall {
  return {
    launchers: { nofearOpen: path.join(prefix, 'bin', 'nofear-open'), nofearctl: path.join(prefix, 'bin', 'nofearctl') },
    files: Object.fromEntries(Object.entries(SYSTEM_TARGETS).map(([role, target]) => [role, path.join(prefix, target)])),
  };
}

function isSystemInstall(value: unknown): value is SystemInstall {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Partial<SystemInstall>;
  return typeof v.launchers?.nofearOpen === 'string' && typeof v.launchers.nofearctl === 'string' && typeof v.files === 'object' && v.files !== null;
}

/** The record of the install this program belongs to, if it is a system-wide one. */
export async function readSystemInstall(root: string = SOURCE_ROOT): Promise<SystemInstall | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(root, SYSTEM_INSTALL_RECORD), 'utf8');
  } catch {
    return undefined; // a checkout, `make install` or npm: the per-user install
  }
  const parsed: unknown = JSON.parse(text);
  return isSystemInstall(parsed) ? parsed : undefined;
}

/** System files that are not where the record says: a damaged install, worth a warning with its fix. */
export async function missingSystemFiles(system: SystemInstall): Promise<string[]> {
  const missing: string[] = [];
  for (const file of Object.values(system.files)) {
    if (
      !(await fsp.stat(file).then(
        () => true,
        () => false,
      ))
    )
      missing.push(file);
  }
  return missing;
}
