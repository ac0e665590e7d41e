// The untrusted places of [trust] places, expanded: `~`, `$VAR` / `${VAR}` and `xdg:NAME` (the user's
// XDG user directory, as in ~/.config/user-dirs.dirs). An entry whose variable is unset is left out.
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { homeDir, xdgConfigHome, type Env } from '../util/xdg.js';

/** Pure: `XDG_DOWNLOAD_DIR="$HOME/Downloads"` lines → { DOWNLOAD: '/home/u/Downloads' }. */
export function parseUserDirs(text: string, home: string): Record<string, string> {
  const dirs: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*XDG_([A-Z]+)_DIR\s*=\s*"(.*)"\s*$/.exec(line);
    if (match === null) continue;
    const [, name = '', value = ''] = match;
    const resolved = value.startsWith('$HOME') ? path.join(home, value.slice(5)) : value;
    if (path.isAbsolute(resolved) && path.resolve(resolved) !== path.resolve(home)) dirs[name] = path.resolve(resolved);
  }
  return dirs;
}

/** The xdg-user-dirs default when user-dirs.dirs does not name one (only DOWNLOAD is used by default). */
const FALLBACK_USER_DIRS: Record<string, string> = { DOWNLOAD: 'Downloads' };

/** Pure: one entry expanded, or undefined (with why) when it names an unset variable or an unknown xdg: dir. */
export function expandPlace(entry: string, env: Env, home: string, userDirs: Record<string, string>): { place: string } | { skipped: string } {
  const xdg = /^xdg:([A-Z]+)$/.exec(entry);
  if (xdg !== null) {
    const name = xdg[1] ?? '';
    const dir = userDirs[name] ?? (FALLBACK_USER_DIRS[name] === undefined ? undefined : path.join(home, FALLBACK_USER_DIRS[name]));
    return dir === undefined ? { skipped: `${entry}: no such XDG user directory` } : { place: dir };
  }
  let unset: string | undefined;
  const withVars = entry.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_all, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    const value = name === 'HOME' ? home : env[name];
    if (value === undefined || value === '') unset ??= name;
    return value ?? '';
  });
  if (unset !== undefined) return { skipped: `${entry}: $${unset} is not set` };
  const expanded = withVars === '~' ? home : withVars.startsWith('~/') ? path.join(home, withVars.slice(2)) : withVars;
  return path.isAbsolute(expanded) ? { place: path.resolve(expanded) } : { skipped: `${entry}: not an absolute folder once expanded (${expanded})` };
}

export interface Places {
  places: string[];
  skipped: string[];
}

/** Pure: every entry expanded, duplicates dropped. USER falls back to the login name NoFear was given. */
export function expandPlaces(entries: readonly string[], env: Env, home: string, userDirs: Record<string, string>): Places {
  const places: string[] = [];
  const skipped: string[] = [];
  for (const entry of entries) {
    const result = expandPlace(entry, env, home, userDirs);
    if ('skipped' in result) skipped.push(result.skipped);
    else if (!places.includes(result.place)) places.push(result.place);
  }
  return { places, skipped };
}

function loginName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined; // no passwd entry: entries naming $USER are skipped, and doctor says so
  }
}

/** Reads user-dirs.dirs, then expands. */
export async function loadPlaces(entries: readonly string[], env: Env = process.env): Promise<Places> {
  const home = homeDir(env);
  let text = '';
  try {
    text = await fsp.readFile(path.join(xdgConfigHome(env), 'user-dirs.dirs'), 'utf8');
  } catch {
    // none: the defaults apply
  }
  // $USER unset (a cron job, runuser with a clean environment): the login name, as the default places mean it.
  const withUser = env.USER === undefined || env.USER === '' ? { ...env, USER: loginName() } : env;
  return expandPlaces(entries, withUser, home, parseUserDirs(text, home));
}

/** Pure: the place `file` (an absolute, resolved path) lies under, recursively, if any. */
export function placeOf(file: string, places: readonly string[]): string | undefined {
  return places.find((place) => file === place || file.startsWith(place.endsWith('/') ? place : `${place}/`));
}
