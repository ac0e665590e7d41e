// XDG base directories (the Base Directory spec): relative values are invalid and ignored.
import os from 'node:os';
import path from 'node:path';

type Env = NodeJS.ProcessEnv;

function absolute(value: string | undefined): string | undefined {
  return value !== undefined && value !== '' && path.isAbsolute(value) ? value : undefined;
}

function home(env: Env): string {
  return absolute(env.HOME) ?? os.homedir();
}

function list(value: string | undefined, fallback: string[]): string[] {
  const dirs = (value ?? '').split(':').filter((dir) => path.isAbsolute(dir));
  return dirs.length > 0 ? dirs : fallback;
}

export const xdgConfigHome = (env: Env = process.env) => absolute(env.XDG_CONFIG_HOME) ?? path.join(home(env), '.config');
export const xdgDataHome = (env: Env = process.env) => absolute(env.XDG_DATA_HOME) ?? path.join(home(env), '.local', 'share');
export const xdgCacheHome = (env: Env = process.env) => absolute(env.XDG_CACHE_HOME) ?? path.join(home(env), '.cache');
export const xdgStateHome = (env: Env = process.env) => absolute(env.XDG_STATE_HOME) ?? path.join(home(env), '.local', 'state');
export const xdgRuntimeDir = (env: Env = process.env) => absolute(env.XDG_RUNTIME_DIR);
export const xdgDataDirs = (env: Env = process.env) => list(env.XDG_DATA_DIRS, ['/usr/local/share', '/usr/share']);
export const xdgConfigDirs = (env: Env = process.env) => list(env.XDG_CONFIG_DIRS, ['/etc/xdg']);
