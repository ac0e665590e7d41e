// nofearctl ps: the sandboxes in the runtime registry, as a table or JSON; leftovers are shown, then reaped.
import { listRecords, type SandboxRecord } from '../sandbox/registry.js';
import { isSandboxProcess, liveness, reapLeftovers, reapSandbox } from '../sandbox/reaper.js';
import { isAlive, processStartTime, rssKiB, type ProcessIdentity } from '../util/proc.js';

export interface PsRow {
  id: string;
  profile: string;
  command: string;
  files: string[];
  /** starting|running|exited|failed while its owner runs; orphaned (owner gone, QEMU left) or stale (all gone). */
  state: string;
  ageSeconds: number;
  accel: string;
  memoryMiB: number | null;
  cpus: number | null;
  qemuPid: number | null;
  qemuRssMiB: number | null;
  pooled: boolean;
  /** True when this listing removed the entry (a leftover of a crashed NoFear process). */
  cleaned: boolean;
  /** Why a leftover is one, for people. */
  note?: string;
}

/** What ps asks of the system about processes; unit tests pass a fake. */
export interface ProcessProbe {
  alive(identity: ProcessIdentity | undefined): boolean;
  rssKiB(pid: number): number | undefined;
  /** The start time of whatever runs under this pid now, if anything. */
  startTime(pid: number): number | undefined;
  /** Whether this live process is one of the sandbox's own (its command line names `nofear-<id>`). */
  ours(identity: ProcessIdentity | undefined, id: string): boolean;
}

export const SYSTEM_PROBE: ProcessProbe = { alive: isAlive, rssKiB, startTime: processStartTime, ours: isSandboxProcess };

/** Recorded pids that now belong to other processes: named so that nobody worries they were touched. */
function recycledPids(record: SandboxRecord, probe: ProcessProbe): number[] {
  const recorded = [record.owner, record.qemu, record.vmm].filter((p): p is ProcessIdentity => p !== undefined);
  const pids = recorded.filter((p) => !probe.alive(p) && probe.startTime(p.pid) !== undefined).map((p) => p.pid);
  return [...new Set(pids)];
}

function leftoverNote(record: SandboxRecord, state: string, probe: ProcessProbe): string | undefined {
  if (state === 'orphaned') return `its NoFear process ${record.owner.pid} died and left QEMU ${record.qemu?.pid ?? '?'} running, which is stopped now`;
  if (state !== 'stale') return undefined;
  const recycled = recycledPids(record, probe);
  const reused = recycled.length === 0 ? '' : `; pid ${recycled.join(', ')} now belongs to another process, left alone`;
  return `its NoFear process and QEMU have ended${reused}`;
}

export function psRow(record: SandboxRecord, now = Date.now(), probe: ProcessProbe = SYSTEM_PROBE): PsRow {
  const life = liveness(record, probe.alive, (identity) => probe.ours(identity, record.id));
  // QEMU itself (inside the jail) holds the guest's memory; the jail process is a fallback. Only the
  // sandbox's own processes: a pid a record names may be anyone's.
  const ours = (identity: ProcessIdentity | undefined) => probe.alive(identity) && probe.ours(identity, record.id);
  const vmm = ours(record.vmm) ? record.vmm : ours(record.qemu) ? record.qemu : undefined;
  const rss = vmm === undefined ? undefined : probe.rssKiB(vmm.pid);
  const state = life === 'live' ? record.state : life;
  const note = leftoverNote(record, state, probe);
  return {
    id: record.id,
    profile: record.profile,
    command: record.files.length > 0 ? record.files.join(' ') : record.command.join(' '),
    files: record.files,
    state,
    ageSeconds: Math.max(0, Math.round((now - record.createdAt) / 1000)),
    accel: record.accel ?? '',
    memoryMiB: record.memoryMiB ?? null,
    cpus: record.cpus ?? null,
    qemuPid: vmm?.pid ?? null,
    qemuRssMiB: rss === undefined ? null : Math.max(1, Math.round(rss / 1024)),
    pooled: record.pooled === true,
    cleaned: false,
    ...(note === undefined ? {} : { note }),
  };
}

function age(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

// A command line from a file name may hold control characters: show them escaped.
const printable = (text: string) => JSON.stringify(text).slice(1, -1);

export function formatPs(rows: readonly PsRow[]): string {
  if (rows.length === 0) return 'no sandboxes running\n';
  const header = ['ID', 'PROFILE', 'STATE', 'AGE', 'ACCEL', 'MEM', 'RSS', 'COMMAND'];
  const cells = rows.map((r) => [
    r.id,
    r.profile,
    r.pooled ? `${r.state} (pool)` : r.state,
    age(r.ageSeconds),
    r.accel,
    r.memoryMiB === null ? '-' : `${r.memoryMiB}M`,
    r.qemuRssMiB === null ? '-' : `${r.qemuRssMiB}M`,
    printable(r.command).slice(0, 80),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const table = [header, ...cells].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
  const cleaned = rows.filter((r) => r.cleaned);
  const notes = cleaned.map((r) => `cleaned up ${r.id} (${r.state}): ${r.note ?? 'a leftover'}`);
  return `${[table, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n')}\n`;
}

/**
 * The registry as it is, leftovers included (so that a crash is seen, not silently hidden), then the
 * leftovers removed: every NoFear command clears what crashed ones left.
 */
export async function psRows(base: string, probe: ProcessProbe = SYSTEM_PROBE): Promise<PsRow[]> {
  const rows: PsRow[] = [];
  for (const record of await listRecords(base)) {
    const row = psRow(record, Date.now(), probe);
    if (row.state === 'orphaned' || row.state === 'stale') {
      // reapSandbox looks again: one whose owner is back (it cannot be) or still running is kept.
      row.cleaned = (await reapSandbox(base, record)) !== 'live';
    }
    rows.push(row);
  }
  // Directories without metadata (a start that died before writing it) are not listed, only removed.
  await reapLeftovers(base);
  return rows;
}
