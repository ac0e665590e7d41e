// Persistent profiles: a sparse ext4 disk per name under $XDG_DATA_HOME/nofear/profiles/<name>/,
// locked while a VM uses it.
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { invalidArgument, notFound, NoFearError, unavailable } from '../errors.js';
import { xdgDataHome } from '../util/xdg.js';
import { runTool } from '../util/run.js';
import { exists } from '../util/fs.js';
import { tempPathFor, writeFileAtomic } from '../util/publish.js';
import { identify, isAlive, type ProcessIdentity } from '../util/proc.js';

export const PROFILE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
export const DEFAULT_PROFILE = 'default';
const DISK_BYTES = 8 * 1024 * 1024 * 1024;

export function validateProfileName(name: string): string {
  if (!PROFILE_NAME.test(name) || name.length > 64) {
    throw invalidArgument(`Bad profile name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-', starting with a letter or digit (64 at most).`, 'pick a name such as work or client-2024');
  }
  return name;
}

export function profilesDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(xdgDataHome(env), 'nofear', 'profiles');
}

export interface ProfileInfo {
  name: string;
  dir: string;
  disk: string;
  /** Bytes the sparse disk really takes. */
  sizeOnDisk: number;
  lastUsed: Date | undefined;
  inUseBy: number | undefined;
}

export function profilePaths(name: string, env: NodeJS.ProcessEnv = process.env) {
  const dir = path.join(profilesDir(env), validateProfileName(name));
  return { dir, disk: path.join(dir, 'disk.img'), lock: path.join(dir, 'lock'), lastUsed: path.join(dir, 'last-used') };
}

export function mkfsPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.NOFEAR_MKFS ?? ['/usr/sbin/mkfs.ext4', '/sbin/mkfs.ext4'].find((p) => existsSync(p)) ?? 'mkfs.ext4';
}

export async function profileExists(name: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return exists(profilePaths(name, env).disk);
}

export async function createProfile(name: string, env: NodeJS.ProcessEnv = process.env): Promise<ProfileInfo> {
  const paths = profilePaths(name, env);
  if (await exists(paths.disk)) return profileInfo(name, env);
  await fsp.mkdir(paths.dir, { recursive: true, mode: 0o700 });
  // Created O_EXCL under an unpredictable name: a link planted beside the disk is never written through.
  const partial = tempPathFor(paths.disk);
  const handle = await fsp.open(partial, 'wx', 0o600);
  await handle.truncate(DISK_BYTES);
  await handle.close();
  const mkfs = mkfsPath(env);
  const result = await runTool(mkfs, ['-q', '-F', '-L', `nofear-${name}`.slice(0, 16), '-E', 'root_owner=0:0', partial], { timeoutMs: 60_000 });
  if (result.failed) {
    await fsp.rm(paths.dir, { recursive: true, force: true });
    throw unavailable(`Cannot create the disk of profile ${name}: ${result.stderr.trim() || `${mkfs} failed`}`, 'sudo apt-get install e2fsprogs');
  }
  await fsp.rename(partial, paths.disk);
  return profileInfo(name, env);
}

export async function deleteProfile(name: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const paths = profilePaths(name, env);
  if (!(await exists(paths.dir))) throw notFound(`There is no profile ${name}.`, 'nofear -l lists the profiles');
  const holder = await lockHolder(paths.lock);
  if (holder !== undefined) throw inUse(name, holder.pid);
  await fsp.rm(paths.dir, { recursive: true, force: true });
}

export async function listProfiles(env: NodeJS.ProcessEnv = process.env): Promise<ProfileInfo[]> {
  let names: string[];
  try {
    names = await fsp.readdir(profilesDir(env));
  } catch {
    return [];
  }
  const infos: ProfileInfo[] = [];
  for (const name of names.filter((n) => PROFILE_NAME.test(n)).sort()) {
    if (await exists(profilePaths(name, env).disk)) infos.push(await profileInfo(name, env));
  }
  return infos;
}

export async function profileInfo(name: string, env: NodeJS.ProcessEnv = process.env): Promise<ProfileInfo> {
  const paths = profilePaths(name, env);
  // Absent files are what a new profile has: no disk size, never used.
  const stat = await fsp.stat(paths.disk).catch(() => undefined);
  if (stat === undefined) throw notFound(`There is no profile ${name}.`, `nofear -n ${name} creates it`);
  const used = await fsp.stat(paths.lastUsed).catch(() => undefined);
  return {
    name,
    dir: paths.dir,
    disk: paths.disk,
    sizeOnDisk: stat.blocks * 512,
    lastUsed: used?.mtime,
    inUseBy: (await lockHolder(paths.lock))?.pid,
  };
}

function inUse(name: string, pid: number): NoFearError {
  return new NoFearError('LimitReached', `Profile ${name} is in use by another NoFear VM (pid ${pid}); two VMs on one disk would corrupt it.`, {
    fix: `wait for it to end, or: nofearctl stop ${name}`,
  });
}

async function lockHolder(lock: string): Promise<ProcessIdentity | undefined> {
  try {
    const holder = JSON.parse(await fsp.readFile(lock, 'utf8')) as ProcessIdentity;
    return isAlive(holder) ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the profile's lock for this process; a lock left by a dead process is taken over. */
export async function lockProfile(name: string, env: NodeJS.ProcessEnv = process.env): Promise<() => Promise<void>> {
  const paths = profilePaths(name, env);
  const me = identify(process.pid) ?? { pid: process.pid, startTime: -1 };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fsp.writeFile(paths.lock, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      await writeFileAtomic(paths.lastUsed, `${new Date().toISOString()}\n`);
      return async () => {
        await fsp.rm(paths.lock, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await lockHolder(paths.lock);
      if (holder !== undefined) throw inUse(name, holder.pid);
      await fsp.rm(paths.lock, { force: true });
    }
  }
  throw inUse(name, -1);
}
