// The service from login on, through the symlinks `systemctl --user enable` would write (they need no
// running user manager). The unit has no [Install] section on purpose (installing the package starts
// nothing at login by itself), so the links are made here: `integrate install` wants it with the
// graphical session (its pool then readies a VM before the first open, issue 30), and `--by-origin` also
// wants it by default.target (trust marking: the watcher must run whether or not a session is graphical).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Env } from '../util/xdg.js';
import { integrationPaths } from './paths.js';

/** The targets that may want NoFear's unit: the graphical session's (integrate install), the login's (--by-origin). */
export type LoginTarget = 'graphical-session.target' | 'default.target';
const TARGETS: readonly LoginTarget[] = ['graphical-session.target', 'default.target'];

/** The link systemd's user manager follows when `target` starts. */
export function loginLink(env: Env, target: LoginTarget = 'default.target'): string {
  return path.join(integrationPaths(env).configHome, 'systemd', 'user', `${target}.wants`, 'nofear.service');
}

/** Points `target`'s link at `unit` (the unit integrate installed, or the package's); replaces an older link. */
export async function startAtLogin(unit: string, env: Env, target: LoginTarget = 'default.target'): Promise<string> {
  const link = loginLink(env, target);
  await fsp.mkdir(path.dirname(link), { recursive: true });
  const temporary = `${link}.nofear-new`;
  await fsp.rm(temporary, { force: true });
  await fsp.symlink(unit, temporary);
  await fsp.rename(temporary, link);
  return link;
}

/** Removes every target's link where NoFear's is there; a file the user put in its place is left alone. */
export async function stopStartingAtLogin(env: Env): Promise<boolean> {
  let removed = false;
  for (const target of TARGETS) {
    const link = loginLink(env, target);
    const stat = await fsp.lstat(link).catch(() => undefined);
    if (stat === undefined || !stat.isSymbolicLink()) continue;
    await fsp.unlink(link);
    await fsp.rmdir(path.dirname(link)).catch(() => undefined); // other units are wanted there too
    removed = true;
  }
  return removed;
}
