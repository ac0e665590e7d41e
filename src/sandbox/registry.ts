// The runtime registry: one directory per sandbox under $XDG_RUNTIME_DIR/nofear/<id>/ holding its
// metadata, QEMU's sockets and the staging export. The CLI, the service, ps, stop and the reaper all
// go through this module.
import { randomBytes } from 'node:crypto';
import { promises as fsp, mkdirSync, lstatSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { unavailable } from '../errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { xdgRuntimeDir } from '../util/xdg.js';
import { identify, isAlive, type ProcessIdentity } from '../util/proc.js';

export type SandboxState = 'starting' | 'running' | 'exited' | 'failed';

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
  /** Staging copies kept outside the runtime dir (large files): removed with the sandbox. */
  externalStaging?: string;
  exitStatus?: number;
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

const recordPath = (dir: string) => path.join(dir, 'sandbox.json');

export function newSandboxId(): string {
  return randomBytes(4).toString('hex');
}

/** A fresh sandbox directory; `wanted` is an id the caller announced already (D-Bus replies before the boot). */
export async function createSandboxDir(base: string, wanted?: string): Promise<{ id: string; dir: string }> {
  for (;;) {
    const id = wanted ?? newSandboxId();
    const dir = sandboxDir(base, id);
    try {
      await fsp.mkdir(dir, { mode: 0o700 });
      return { id, dir };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw unavailable(`The runtime directory ${base} is full: there is no room for a new sandbox.`, `free space there (df -h ${base}), or stop sandboxes: nofearctl stop --all`);
      }
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || wanted !== undefined) throw error;
    }
  }
}

export async function writeRecord(dir: string, record: SandboxRecord): Promise<void> {
  await writeFileAtomic(recordPath(dir), `${JSON.stringify(record, null, 1)}\n`, 0o600);
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

export type Liveness = 'live' | 'orphaned' | 'stale';

/**
 * live: its owner still runs. orphaned: the owner is gone but its QEMU (same pid and start time) runs.
 * stale: nothing of it runs; a pid that now belongs to another process counts as gone and is never touched.
 */
export function liveness(record: SandboxRecord, alive: (identity: ProcessIdentity | undefined) => boolean = isAlive): Liveness {
  if (alive(record.owner)) return 'live';
  if (alive(record.qemu)) return 'orphaned';
  return 'stale';
}

export async function removeSandboxDir(dir: string, record?: SandboxRecord): Promise<void> {
  if (record?.externalStaging !== undefined) await fsp.rm(record.externalStaging, { recursive: true, force: true });
  await fsp.rm(dir, { recursive: true, force: true });
}

/**
 * Reaps one sandbox whose owner is gone: stops its orphaned QEMU (same pid and start time only), then
 * deletes its directory. A live one is left alone. Answers the liveness it acted on.
 */
export async function reapSandbox(dir: string, record: SandboxRecord, log?: (line: string) => void): Promise<Liveness> {
  const state = liveness(record);
  if (state === 'live') return state;
  if (state === 'orphaned' && record.qemu !== undefined) {
    try {
      process.kill(-record.qemu.pid, 'SIGKILL');
    } catch {
      try {
        process.kill(record.qemu.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    log?.(`stopped orphaned QEMU ${record.qemu.pid} of sandbox ${record.id}`);
  }
  await removeSandboxDir(dir, record);
  log?.(`removed leftover sandbox ${record.id}`);
  return state;
}

/** Removes what crashed NoFear processes left: stops orphaned QEMUs, deletes stale directories. */
export async function reapLeftovers(base: string, log?: (line: string) => void): Promise<number> {
  let names: string[];
  try {
    names = await fsp.readdir(base);
  } catch {
    return 0;
  }
  let reaped = 0;
  for (const name of names.filter((n) => ID_PATTERN.test(n))) {
    const dir = path.join(base, name);
    const record = await readRecord(dir);
    if (record === undefined) {
      // A directory without metadata is a start that died before writing it: old ones are debris.
      const stat = await fsp.stat(dir).catch(() => undefined);
      if (stat !== undefined && Date.now() - stat.mtimeMs > 60_000) {
        await removeSandboxDir(dir);
        reaped++;
      }
      continue;
    }
    if ((await reapSandbox(dir, record, log)) !== 'live') reaped++;
  }
  return reaped;
}
