// Stopping sandboxes from outside their owner: a polite stop first (the owner powers the guest off and
// cleans up), then QEMU is killed after a deadline; pids are matched with their start times. A record is
// not trusted to name a process to signal: QEMU and its jail must carry the sandbox's `nofear-<id>`, the
// owner must be one of NoFear's commands (a forged record naming another process gets nothing sent).
import { existsSync } from 'node:fs';
import { isAlive, type ProcessIdentity } from '../util/proc.js';
import { pollUntil } from '../util/poll.js';
import { listRecords, removeSandbox, sandboxDir, type SandboxRecord } from './registry.js';
import { isNoFearCommand, isSandboxProcess, liveness } from './reaper.js';

/** stopped: ended on request; killed: QEMU killed after the deadline; cleaned: had ended, files removed; gone: no such sandbox. */
export type StopResult = 'stopped' | 'killed' | 'cleaned' | 'gone';

const KILL_GRACE_MS = 2000;

function signal(identity: ProcessIdentity | undefined, name: NodeJS.Signals, group: boolean): void {
  if (identity === undefined || !isAlive(identity)) return;
  try {
    process.kill(group ? -identity.pid : identity.pid, name);
  } catch {
    try {
      process.kill(identity.pid, name);
    } catch {
      // gone meanwhile
    }
  }
}

/** Signals the process only when it is one of the sandbox's own; answers whether it was. */
function signalOurs(identity: ProcessIdentity | undefined, id: string, name: NodeJS.Signals): boolean {
  if (!isSandboxProcess(identity, id)) return false;
  signal(identity, name, false);
  return true;
}

const vmRuns = (record: SandboxRecord) => isSandboxProcess(record.qemu, record.id) || isSandboxProcess(record.vmm, record.id);

/** Asks the service to stop one of its sandboxes (Sandbox.Stop over the bus); false when it could not. */
export type AskService = (id: string) => Promise<boolean>;

const noService: AskService = async () => false;

/** How a sandbox is asked to end before anything is killed. */
export type Polite = 'owner' | 'service' | 'qemu';

const sameOwner = (a: SandboxRecord, b: SandboxRecord) => a.owner.pid === b.owner.pid && a.owner.startTime === b.owner.startTime;

/**
 * Per wanted sandbox, how to ask it to end, and which CLI owners get SIGTERM (once each): only those
 * whose every live sandbox is wanted, since `nofear-open` may hold several VMs and the others must live,
 * and only owners that are NoFear commands (`isOwner`); the others' sandboxes are asked through QEMU.
 */
export function planPoliteStop(
  records: readonly SandboxRecord[],
  wanted: ReadonlySet<string>,
  selfPid: number,
  isLive: (record: SandboxRecord) => boolean = (r) => liveness(r) === 'live',
  isOwner: (record: SandboxRecord) => boolean = (r) => isNoFearCommand(r.owner),
): { polite: Map<string, Polite>; signalOwners: SandboxRecord[] } {
  const polite = new Map<string, Polite>();
  const signalOwners: SandboxRecord[] = [];
  for (const record of records.filter((r) => wanted.has(r.id))) {
    if (record.ownerKind === 'service') {
      polite.set(record.id, 'service');
      continue;
    }
    const holdsOthers = records.some((other) => !wanted.has(other.id) && sameOwner(other, record) && isLive(other));
    const signalled = !holdsOthers && record.owner.pid !== selfPid && isLive(record) && isOwner(record);
    polite.set(record.id, holdsOthers || (!signalled && record.owner.pid !== selfPid) ? 'qemu' : 'owner');
    if (signalled && !signalOwners.some((s) => sameOwner(s, record))) signalOwners.push(record);
  }
  return { polite, signalOwners };
}

async function stopOne(base: string, record: SandboxRecord, polite: Polite, deadlineMs: number, env: NodeJS.ProcessEnv, askService: AskService): Promise<StopResult> {
  const dir = sandboxDir(base, record.id);
  const state = liveness(record);
  if (state === 'stale') {
    await removeSandbox(base, record.id, env);
    return 'cleaned';
  }
  if (state === 'live' && record.owner.pid !== process.pid) {
    let asked = true;
    if (polite === 'service') asked = await askService(record.id);
    // QEMU ends cleanly on SIGTERM; its owner sees the VM end and removes the sandbox's files.
    else if (polite === 'qemu') asked = signalOurs(record.vmm, record.id, 'SIGTERM') || signalOurs(record.qemu, record.id, 'SIGTERM');
    if (asked && (await pollUntil(() => !existsSync(dir), deadlineMs))) return 'stopped';
  }
  let killed = false;
  if (vmRuns(record)) {
    killed = true;
    // bwrap starts QEMU in a session of its own: the jail's group and QEMU itself are both signalled.
    signal(record.qemu, 'SIGTERM', true);
    signal(record.vmm, 'SIGTERM', false);
    await pollUntil(() => !vmRuns(record), KILL_GRACE_MS);
    signal(record.qemu, 'SIGKILL', true);
    signal(record.vmm, 'SIGKILL', false);
    await pollUntil(() => !vmRuns(record), KILL_GRACE_MS);
  }
  // A live owner cleans up after its VM ends; give it a moment before doing it for it.
  if (isNoFearCommand(record.owner)) await pollUntil(() => !existsSync(dir), KILL_GRACE_MS);
  await removeSandbox(base, record.id, env);
  return killed ? 'killed' : 'stopped';
}

/**
 * Stops the given sandboxes together. A CLI owner is sent SIGTERM (it powers its guests off) only when
 * every sandbox it holds is being stopped: `nofear-open` may run several VMs and the others must live.
 */
export async function stopSandboxes(
  base: string,
  ids: readonly string[],
  deadlineMs = 10_000,
  env: NodeJS.ProcessEnv = process.env,
  askService: AskService = noService,
): Promise<Map<string, StopResult>> {
  const records = await listRecords(base);
  const wanted = new Set(ids);
  const results = new Map<string, StopResult>(ids.map((id) => [id, 'gone']));
  const chosen = records.filter((r) => wanted.has(r.id));
  const { polite, signalOwners } = planPoliteStop(records, wanted, process.pid);
  // The owning nofear process powers its guest off and removes everything on SIGTERM.
  for (const record of signalOwners) signal(record.owner, 'SIGTERM', false);
  const outcomes = await Promise.all(chosen.map((record) => stopOne(base, record, polite.get(record.id) ?? 'qemu', deadlineMs, env, askService)));
  chosen.forEach((record, i) => results.set(record.id, outcomes[i] ?? 'gone'));
  return results;
}
