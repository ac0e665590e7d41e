// XDG Base Directory lookups (spec 0.8), pure functions of an environment object.
import os from 'node:os';
import path from 'node:path';
import { unavailable } from '../errors.js';

/** Any environment-shaped object; `process.env` fits. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The spec says relative paths in these variables are invalid and must be ignored. */
function absolute(value: string | undefined): string | undefined {
  return value !== undefined && path.isAbsolute(value) ? value : undefined;
}

/**
 * $HOME when it is an absolute path; otherwise the passwd entry (os.userInfo reads only the
 * password database, so the result still does not depend on process.env).
 */
export function homeDir(env: Env = process.env): string {
  const home = absolute(env.HOME);
  if (home !== undefined) return home;
  try {
    const fromPasswd = os.userInfo().homedir;
    if (path.isAbsolute(fromPasswd)) return fromPasswd;
  } catch {
    // No passwd entry for this uid (e.g. an arbitrary uid in a container): handled below.
  }
  throw unavailable('Cannot find your home directory: HOME is unset or not absolute, and your user has no passwd entry.', 'export HOME=/path/to/your/home');
}

export function xdgConfigHome(env: Env = process.env): string {
  return absolute(env.XDG_CONFIG_HOME) ?? path.join(homeDir(env), '.config');
}

export function xdgDataHome(env: Env = process.env): string {
  return absolute(env.XDG_DATA_HOME) ?? path.join(homeDir(env), '.local', 'share');
}

export function xdgCacheHome(env: Env = process.env): string {
  return absolute(env.XDG_CACHE_HOME) ?? path.join(homeDir(env), '.cache');
}

export function xdgStateHome(env: Env = process.env): string {
  return absolute(env.XDG_STATE_HOME) ?? path.join(homeDir(env), '.local', 'state');
}

/** The spec gives no default: callers choose their own fallback (NoFear's is /tmp/nofear-<uid>). */
export function xdgRuntimeDir(env: Env = process.env): string | undefined {
  return absolute(env.XDG_RUNTIME_DIR);
}

/** A colon-separated list; relative entries are dropped, and an empty result means the default. */
function searchPath(value: string | undefined, fallback: readonly string[]): string[] {
  const dirs = (value ?? '').split(':').filter((dir) => path.isAbsolute(dir));
  return dirs.length > 0 ? dirs : [...fallback];
}

/** Most important first, not including xdgDataHome. */
export function xdgDataDirs(env: Env = process.env): string[] {
  return searchPath(env.XDG_DATA_DIRS, ['/usr/local/share', '/usr/share']);
}

/** Most important first, not including xdgConfigHome. */
export function xdgConfigDirs(env: Env = process.env): string[] {
  return searchPath(env.XDG_CONFIG_DIRS, ['/etc/xdg']);
}
