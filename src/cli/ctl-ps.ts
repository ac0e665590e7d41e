// nofearctl ps: the sandboxes in the runtime registry, as a table or JSON.
import { liveness, listRecords, type SandboxRecord } from '../sandbox/registry.js';
import { isAlive, rssKiB } from '../sandbox/proc.js';

export interface PsRow {
  id: string;
  profile: string;
  command: string;
  files: string[];
  state: string;
  ageSeconds: number;
  accel: string;
  memoryMiB: number | null;
  qemuPid: number | null;
  qemuRssMiB: number | null;
  pooled: boolean;
}

export function psRow(record: SandboxRecord, now = Date.now()): PsRow {
  const life = liveness(record);
  const vmm = isAlive(record.vmm) ? record.vmm : isAlive(record.qemu) ? record.qemu : undefined;
  const rss = vmm === undefined ? undefined : rssKiB(vmm.pid);
  return {
    id: record.id,
    profile: record.profile,
    command: record.files.length > 0 ? record.files.join(' ') : record.command.join(' '),
    files: record.files,
    state: life === 'live' ? record.state : life,
    ageSeconds: Math.max(0, Math.round((now - record.createdAt) / 1000)),
    accel: record.accel ?? '',
    memoryMiB: record.memoryMiB ?? null,
    qemuPid: vmm?.pid ?? null,
    qemuRssMiB: rss === undefined ? null : Math.round(rss / 1024),
    pooled: record.pooled === true,
  };
}

function age(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h`;
}

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
    // A command line from a file name may hold control characters: show them escaped.
    JSON.stringify(r.command).slice(1, -1).slice(0, 80),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  return [header, ...cells].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n') + '\n';
}

export async function psRows(base: string): Promise<PsRow[]> {
  return (await listRecords(base)).map((record) => psRow(record));
}
