// What crashed NoFear processes leave behind: whether a sandbox still lives, and reaping those whose
// owner is gone. A record names processes, but a record is never trusted to name one to kill: only a
// process whose command line carries the sandbox's `nofear-<id>` (its jail and its QEMU), or an owner
// whose command line is one of NoFear's commands, is signalled.
import { promises as fsp, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive, type ProcessIdentity } from '../util/proc.js';
import { writeFileAtomic } from '../util/publish.js';
import { removeTree, type RemoveLog } from '../util/remove-tree.js';
import { cacheStagingRoot, ID_PATTERN, readRecord, removeSandbox, stagingOwnerMark, type SandboxRecord } from './registry.js';

export type Liveness = 'live' | 'orphaned' | 'stale';

/** Whether `identity` runs and is one of sandbox `id`'s processes (its jail or QEMU). */
export function isSandboxProcess(identity: ProcessIdentity | undefined, id: string): identity is ProcessIdentity {
  if (identity === undefined || !isAlive(identity)) return false;
  try {
    return readFileSync(`/proc/${identity.pid}/cmdline`).includes(Buffer.from(`nofear-${id}`));
  } catch {
    return false; // gone meanwhile
  }
}

/** A NoFear command as its process's command line shows it: node .../cli/nofear.js (or .ts under tsx). */
const NOFEAR_SCRIPT = /(^|\/)(nofear|nofear-open|nofearctl)\.[jt]s$/;

/** Whether `identity` runs and is one of NoFear's commands: a record's owner is signalled only then. */
export function isNoFearCommand(identity: ProcessIdentity | undefined): identity is ProcessIdentity {
  if (identity === undefined || !isAlive(identity)) return false;
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${identity.pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return false; // gone meanwhile
  }
  // Node first, then its options, then the script: the first argument that names a script file.
  const script = argv.slice(1).find((arg) => !arg.startsWith('-') && /\.[cm]?[jt]s$/.test(arg));
  return path.basename(argv[0] ?? '').startsWith('node') && script !== undefined && NOFEAR_SCRIPT.test(script);
}

/**
 * live: its owner still runs. orphaned: the owner is gone but its QEMU (same pid, start time and
 * command line) runs. stale: nothing of it runs; a pid that now belongs to another process counts as
 * gone and is never touched.
 */
export function liveness(
  record: SandboxRecord,
  alive: (identity: ProcessIdentity | undefined) => boolean = isAlive,
  ours: (identity: ProcessIdentity | undefined) => boolean = (identity) => isSandboxProcess(identity, record.id),
): Liveness {
  if (alive(record.owner)) return 'live';
  if (alive(record.qemu) && ours(record.qemu)) return 'orphaned';
  return 'stale';
}

function killGroupOrProcess(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * Reaps one sandbox whose owner is gone: stops its orphaned QEMU, then deletes its files (by id). A
 * live one is left alone. Answers the liveness it acted on.
 */
export async function reapSandbox(base: string, record: SandboxRecord, log?: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<Liveness> {
  const state = liveness(record);
  if (state === 'live') return state;
  if (state === 'orphaned' && record.qemu !== undefined) {
    killGroupOrProcess(record.qemu.pid);
    log?.(`stopped orphaned QEMU ${record.qemu.pid} of sandbox ${record.id}`);
  }
  if (await removeSandbox(base, record.id, env, log)) log?.(`removed leftover sandbox ${record.id}`);
  return state;
}

/**
 * Removes what crashed NoFear processes left: stops orphaned QEMUs, deletes stale directories; then the
 * staging copies in the cache whose record went with a runtime dir (below). Answers how
 * many sandboxes of this runtime dir it reaped.
 */
export async function reapLeftovers(base: string, log?: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const reaped = await reapRecords(base, log, env);
  await reapStagingLeftovers(base, env, log).catch((error: unknown) => log?.(`could not reap the staging copies: ${error instanceof Error ? error.message : String(error)}`));
  return reaped;
}

async function reapRecords(base: string, log: ((line: string) => void) | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  let names: string[];
  try {
    names = await fsp.readdir(base);
  } catch {
    return 0; // no runtime dir yet: nothing was left in it (a reboot empties it; the cache's copies are reaped all the same)
  }
  let reaped = 0;
  for (const name of names.filter((n) => ID_PATTERN.test(n))) {
    try {
      if (await reapOne(base, name, log, env)) reaped++;
    } catch (error) {
      // One sandbox's leftovers never stop the reaping of the others, nor the open or start that asked.
      log?.(`could not reap sandbox ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return reaped;
}

async function reapOne(base: string, name: string, log: ((line: string) => void) | undefined, env: NodeJS.ProcessEnv): Promise<boolean> {
  const record = await readRecord(path.join(base, name));
  if (record === undefined || record.id !== name) {
    // A directory without (its own) metadata is a start that died before writing it: old ones are debris.
    const stat = await fsp.stat(path.join(base, name)).catch(() => undefined); // gone meanwhile: nothing to reap
    if (stat === undefined || Date.now() - stat.mtimeMs <= 60_000) return false;
    await removeSandbox(base, name, env, log);
    return true;
  }
  return (await reapSandbox(base, record, log, env)) !== 'live';
}

// Staging copies in the cache ($XDG_CACHE_HOME/nofear/staging/<id>, for files too big for the runtime dir
// and for edits) whose sandbox is gone while its record went with the runtime dir: a reboot empties
// $XDG_RUNTIME_DIR, and a test's or a killed process's private runtime dir may be deleted whole. The record
// reaper above never sees those, so nothing removed the copy. Each copy has an owner mark beside it,
// <id>.owner (outside the export: the guest can write in its export, never beside it), naming the process
// that made it (pid, start time, boot). A copy is removed only when no live sandbox can own it: its owner
// is not running, no process of that sandbox (its jail or QEMU, `nofear-<id>` in its command line) runs,
// and it is not a sandbox of this runtime dir (those are the record reaper's). A copy without a readable
// mark (made by an older NoFear, or a mark lost half-written) is removed only once it is older than
// UNMARKED_GRACE_MS: a start in another runtime dir writes its copy before its QEMU runs.

/** How old an unmarked copy must be before it counts as left over: far longer than any start takes to reach QEMU. */
export const UNMARKED_GRACE_MS = 30 * 60_000;

export interface StagingOwner extends ProcessIdentity {
  /** /proc/sys/kernel/random/boot_id when it was written: after a reboot, no pid is the same process. */
  bootId: string;
}

/** What the reaper knows of one id in the staging root. */
export interface StagingEntry {
  id: string;
  /** The mark's owner; undefined when there is no mark or it cannot be read. */
  owner: StagingOwner | undefined;
  /** Milliseconds since the copy (or, without one, the mark) last changed. */
  ageMs: number;
}

export interface StagingProbes {
  /** Whether this runtime dir has a sandbox directory of that id (the record reaper's to judge). */
  inThisRuntime(id: string): boolean;
  /** Whether that very process (pid, start time, this boot) runs. */
  ownerRuns(owner: StagingOwner): boolean;
  /** Whether a process of that sandbox (its jail or QEMU) runs. */
  vmRuns(id: string): boolean;
}

export type StagingVerdict = { keep: true; why: string } | { keep: false; why: string };

/** Whether a live sandbox may still own the copy; only a copy none can own is removed. Pure. */
export function stagingVerdict(entry: StagingEntry, probes: StagingProbes): StagingVerdict {
  if (probes.inThisRuntime(entry.id)) return { keep: true, why: 'a sandbox of this runtime dir (its record decides)' };
  if (entry.owner !== undefined && probes.ownerRuns(entry.owner)) return { keep: true, why: `its owner ${entry.owner.pid} runs` };
  if (probes.vmRuns(entry.id)) return { keep: true, why: 'its VM runs' };
  if (entry.owner === undefined && entry.ageMs < UNMARKED_GRACE_MS) return { keep: true, why: 'unmarked and recent: it may be starting' };
  return { keep: false, why: entry.owner === undefined ? 'unmarked, old, and no VM of it runs' : `its owner ${entry.owner.pid} and its VM are gone` };
}

export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Marks the copy of sandbox `id` as `owner`'s: written (whole, by a rename) before the copy's directory is made. */
export async function markStagingOwner(env: NodeJS.ProcessEnv, id: string, owner: ProcessIdentity): Promise<void> {
  const file = stagingOwnerMark(env, id);
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const mark: StagingOwner = { pid: owner.pid, startTime: owner.startTime, bootId: bootId() };
  await writeFileAtomic(file, `${JSON.stringify(mark)}\n`, 0o600);
}

/** Removes the mark of `id`'s copy (after the copy itself): never throws. */
export async function removeStagingMark(env: NodeJS.ProcessEnv, id: string): Promise<void> {
  await fsp.rm(stagingOwnerMark(env, id), { force: true }).catch(() => undefined);
}

function parseMark(text: string): StagingOwner | undefined {
  try {
    const mark = JSON.parse(text) as Partial<StagingOwner>;
    if (Number.isInteger(mark.pid) && Number.isInteger(mark.startTime) && typeof mark.bootId === 'string') return mark as StagingOwner;
  } catch {
    // half-written or not ours: no owner known
  }
  return undefined;
}

/** Whether a running process's command line carries `nofear-<id>` (a sandbox's jail and QEMU do). */
export function sandboxProcessRuns(id: string): boolean {
  const needle = Buffer.from(`nofear-${id}`);
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`).includes(needle)) return true;
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return false;
}

const defaultProbes = (base: string): StagingProbes => {
  const boot = bootId();
  return {
    inThisRuntime: (id) => {
      try {
        readdirSync(path.join(base, id));
        return true;
      } catch {
        return false;
      }
    },
    ownerRuns: (owner) => owner.bootId === boot && isAlive(owner),
    vmRuns: sandboxProcessRuns,
  };
};

/** The ids in the staging root (a copy, a mark or both), each with its mark and age; other names are not NoFear's sandboxes' and are left alone. */
async function stagingEntries(env: NodeJS.ProcessEnv, now: number): Promise<StagingEntry[]> {
  const root = cacheStagingRoot(env);
  let names: string[];
  try {
    names = await fsp.readdir(root);
  } catch {
    return []; // no staging root: nothing was ever staged in the cache
  }
  const ids = new Set(names.map((name) => name.replace(/\.owner$/, '')).filter((name) => ID_PATTERN.test(name)));
  const entries: StagingEntry[] = [];
  for (const id of [...ids].sort()) {
    const mark = await fsp.readFile(stagingOwnerMark(env, id), 'utf8').catch(() => undefined);
    const copy = await fsp.lstat(path.join(root, id)).catch(() => undefined);
    const markStat = copy === undefined ? await fsp.lstat(stagingOwnerMark(env, id)).catch(() => undefined) : undefined;
    const changed = copy?.mtimeMs ?? markStat?.mtimeMs;
    if (changed === undefined) continue; // removed meanwhile by its owner
    entries.push({ id, owner: mark === undefined ? undefined : parseMark(mark), ageMs: now - changed });
  }
  return entries;
}

/**
 * Removes the staging copies (and marks) no live sandbox can own; `base` is this process's runtime dir,
 * whose sandboxes the record reaper judges. Never throws; answers how many ids it removed.
 */
export async function reapStagingLeftovers(base: string, env: NodeJS.ProcessEnv, log?: RemoveLog, probes: StagingProbes = defaultProbes(base), now = Date.now()): Promise<number> {
  const root = cacheStagingRoot(env);
  let removed = 0;
  for (const entry of await stagingEntries(env, now)) {
    const verdict = stagingVerdict(entry, probes);
    if (verdict.keep) continue;
    // The copy first, then its mark: a copy that could not be removed keeps its mark for the next try.
    if (await removeTree(path.join(root, entry.id), log)) {
      await removeStagingMark(env, entry.id);
      removed++;
      log?.(`removed leftover staging copy ${entry.id} (${verdict.why})`);
    }
  }
  return removed;
}
