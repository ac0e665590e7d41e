// The runtime registry: one directory per sandbox under $XDG_RUNTIME_DIR/nofear/<id>/. The record
// (sandbox.json) sits there, outside QEMU's view; QEMU's jail binds only <id>/vm/ (its sockets and the
// staging export). Records are read back for liveness only: no path is ever taken from one, and the
// reaper deletes by id inside NoFear's own roots. The CLI, the service, ps, stop and the reaper all
// go through this module.
import { randomBytes } from 'node:crypto';
import { promises as fsp, mkdirSync, lstatSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { unavailable } from '../errors.js';
import { writeFileAtomic } from '../util/publish.js';
import { removeTree, type RemoveLog } from '../util/remove-tree.js';
import { xdgCacheHome, xdgRuntimeDir } from '../util/xdg.js';
import { identify, type ProcessIdentity } from '../util/proc.js';
import type { SandboxLayout } from '../vm/start-vm.js';

/** ready: a warm VM waiting in the service's pool for a job. */
export type SandboxState = 'ready' | 'starting' | 'running' | 'exited' | 'failed';

export interface SandboxRecord {
  id: string;
  profile: string;
  command: string[];
  files: string[];
  state: SandboxState;
  createdAt: number;
  owner: ProcessIdentity;
  /** The process NoFear spawned for the VM (the jail, or QEMU itself without one): its group is the VM's. */
  qemu?: ProcessIdentity;
  /** QEMU itself, inside the jail. */
  vmm?: ProcessIdentity;
  /** Who started it: a CLI process stops it on SIGTERM; the service stops it over D-Bus. */
  ownerKind?: 'cli' | 'service';
  accel?: string;
  memoryMiB?: number;
  cpus?: number;
  pooled?: boolean;
  exitStatus?: number;
  /** A link VM of the service's: its shape (src/service/daemon/link-reuse.ts) and when it last got a link, for nofear-open --dry-run. */
  link?: { shape: string; lastLinkAt: number };
}

export const ID_PATTERN = /^[0-9a-f]{8}$/;

/** $XDG_RUNTIME_DIR/nofear, or /tmp/nofear-<uid> (0700, refused when another user owns it). */
export function runtimeBase(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = xdgRuntimeDir(env);
  if (xdg !== undefined) return path.join(xdg, 'nofear');
  const uid = process.getuid?.() ?? 0;
  return `/tmp/nofear-${uid}`;
}

export function ensureRuntimeBase(env: NodeJS.ProcessEnv = process.env): string {
  const base = runtimeBase(env);
  mkdirSync(base, { recursive: true, mode: 0o700 });
  const stat = lstatSync(base);
  const uid = process.getuid?.() ?? 0;
  if (!stat.isDirectory() || stat.uid !== uid) {
    throw unavailable(`${base} is not a directory owned by you: another user may be trying to intercept NoFear's sockets.`, `rm -rf ${base} (as its owner), or set XDG_RUNTIME_DIR`);
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(base, 0o700);
  return base;
}

export function sandboxDir(base: string, id: string): string {
  if (!ID_PATTERN.test(id)) throw new Error(`bad sandbox id ${id}`);
  return path.join(base, id);
}

/** Where large staged copies go: $XDG_CACHE_HOME/nofear/staging (on disk, not in RAM). */
export function cacheStagingRoot(env: NodeJS.ProcessEnv): string {
  return path.join(xdgCacheHome(env), 'nofear', 'staging');
}

/** Beside a staging copy in the cache (never in it: the guest writes there), the name of its owner (reaper.ts). */
export function stagingOwnerMark(env: NodeJS.ProcessEnv, id: string): string {
  if (!ID_PATTERN.test(id)) throw new Error(`bad sandbox id ${id}`);
  return path.join(cacheStagingRoot(env), `${id}.owner`);
}

export function layoutOf(base: string, id: string, exportInCache?: { env: NodeJS.ProcessEnv }): SandboxLayout {
  const dir = sandboxDir(base, id);
  const vmDir = path.join(dir, 'vm');
  return { id, dir, vmDir, exportDir: exportInCache === undefined ? path.join(vmDir, 'export') : path.join(cacheStagingRoot(exportInCache.env), id) };
}

const recordPath = (dir: string) => path.join(dir, 'sandbox.json');

export function newSandboxId(): string {
  return randomBytes(4).toString('hex');
}

/** A fresh sandbox directory and its vm/; `wanted` is an id the caller announced already (D-Bus replies before the boot). */
export async function createSandboxDir(base: string, wanted?: string): Promise<SandboxLayout> {
  for (;;) {
    const id = wanted ?? newSandboxId();
    const layout = layoutOf(base, id);
    try {
      await fsp.mkdir(layout.dir, { mode: 0o700 });
      await fsp.mkdir(layout.vmDir, { mode: 0o700 });
      return layout;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw unavailable(`The runtime directory ${base} is full: there is no room for a new sandbox.`, `free space there (df -h ${base}), or stop sandboxes: nofearctl stop --all`);
      }
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || wanted !== undefined) throw error;
    }
  }
}

/** The write in flight per record: writes of one record land in the order they were asked for. */
const recordWrites = new Map<string, Promise<void>>();

/**
 * Writes a snapshot of the record as it is now. Writes of one record never overtake each other: two
 * atomic writes in flight may rename in either order, and a "starting" landing after "running" once
 * left ps showing a running sandbox as starting for good (issue 28, finding 7).
 */
export function writeRecord(dir: string, record: SandboxRecord): Promise<void> {
  const text = `${JSON.stringify(record, null, 1)}\n`;
  const previous = recordWrites.get(dir) ?? Promise.resolve();
  const write = previous.catch(() => undefined).then(() => writeFileAtomic(recordPath(dir), text, 0o600));
  const settled = write.catch(() => undefined);
  recordWrites.set(dir, settled);
  void settled.then(() => {
    if (recordWrites.get(dir) === settled) recordWrites.delete(dir);
  });
  return write;
}

export async function readRecord(dir: string): Promise<SandboxRecord | undefined> {
  try {
    const parsed = JSON.parse(await fsp.readFile(recordPath(dir), 'utf8')) as SandboxRecord;
    return ID_PATTERN.test(parsed.id) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function listRecords(base: string): Promise<SandboxRecord[]> {
  let names: string[];
  try {
    names = await fsp.readdir(base);
  } catch {
    return [];
  }
  const records: SandboxRecord[] = [];
  for (const name of names.filter((n) => ID_PATTERN.test(n)).sort()) {
    const record = await readRecord(path.join(base, name));
    if (record !== undefined && record.id === name) records.push(record);
  }
  return records;
}

export function selfIdentity(): ProcessIdentity {
  return identify(process.pid) ?? { pid: process.pid, startTime: -1 };
}

/**
 * Removes everything of sandbox `id` there is, by id, inside NoFear's own roots only. Never throws, whatever
 * the guest built in its export (removeTree): what stays is logged, and the reaper tries again later.
 */
export async function removeSandbox(base: string, id: string, env: NodeJS.ProcessEnv = process.env, log?: RemoveLog): Promise<boolean> {
  const staging = await removeTree(path.join(cacheStagingRoot(env), path.basename(sandboxDir(base, id))), log);
  // The copy's owner mark (reaper.ts) goes once the copy has: one left behind names its owner for the next try.
  if (staging) await fsp.rm(stagingOwnerMark(env, id), { force: true }).catch(() => undefined);
  const runtime = await removeTree(sandboxDir(base, id), log);
  return staging && runtime;
}
