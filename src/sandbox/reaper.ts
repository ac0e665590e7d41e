// What crashed NoFear processes leave behind: whether a sandbox still lives, and reaping those whose
// owner is gone. A record names processes, but a record is never trusted to name one to kill: only a
// process whose command line carries the sandbox's `nofear-<id>` (its jail and its QEMU), or an owner
// whose command line is one of NoFear's commands, is signalled.
import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive, type ProcessIdentity } from '../util/proc.js';
import { ID_PATTERN, readRecord, removeSandbox, type SandboxRecord } from './registry.js';

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

/** Removes what crashed NoFear processes left: stops orphaned QEMUs, deletes stale directories. */
export async function reapLeftovers(base: string, log?: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let names: string[];
  try {
    names = await fsp.readdir(base);
  } catch {
    return 0; // no runtime dir yet: nothing was left
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
