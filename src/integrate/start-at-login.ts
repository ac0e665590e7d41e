// With trust marking on, the service must run from login (its watcher marks what arrives, and nothing else
// would start it before the first open): the user unit is wanted by default.target, through the symlink
// `systemctl --user enable` would write. The unit has no [Install] section on purpose (installing NoFear
// starts nothing at login by itself), so the link is made here, only for `integrate install --by-origin`.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Env } from '../util/xdg.js';
import { integrationPaths } from './paths.js';

const WANTED_BY = 'default.target';

/** The link systemd's user manager follows at login. */
export function loginLink(env: Env): string {
  return path.join(integrationPaths(env).configHome, 'systemd', 'user', `${WANTED_BY}.wants`, 'nofear.service');
}

/** Points the link at `unit` (the unit integrate installed, or the package's); replaces an older link. */
export async function startAtLogin(unit: string, env: Env): Promise<string> {
  const link = loginLink(env);
  await fsp.mkdir(path.dirname(link), { recursive: true });
  const temporary = `${link}.nofear-new`;
  await fsp.rm(temporary, { force: true });
  await fsp.symlink(unit, temporary);
  await fsp.rename(temporary, link);
  return link;
}

/** Removes the link if NoFear's is there; a file the user put in its place is left alone. */
export async function stopStartingAtLogin(env: Env): Promise<boolean> {
  const link = loginLink(env);
  const stat = await fsp.lstat(link).catch(() => undefined);
  if (stat === undefined || !stat.isSymbolicLink()) return false;
  await fsp.unlink(link);
  await fsp.rmdir(path.dirname(link)).catch(() => undefined); // other units are wanted there too
  return true;
}
