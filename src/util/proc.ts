// Identifies a process by pid *and* start time, so a recycled pid is never mistaken for ours.
import { readFileSync } from 'node:fs';
import { pollUntil } from './poll.js';

export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot. */
  startTime: number;
}

export function parseStartTime(stat: string): number | undefined {
  // comm (field 2) may hold spaces and parentheses: fields restart after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const value = Number(fields[19]);
  return Number.isFinite(value) ? value : undefined;
}

export function processStartTime(pid: number): number | undefined {
  try {
    return parseStartTime(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function identify(pid: number): ProcessIdentity | undefined {
  const startTime = processStartTime(pid);
  return startTime === undefined ? undefined : { pid, startTime };
}

/** True only when that very process (same pid, same start) is still running and not a zombie. */
export function isAlive(identity: ProcessIdentity | undefined): boolean {
  if (identity === undefined || !Number.isInteger(identity.pid) || identity.pid <= 1) return false;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${identity.pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && parseStartTime(stat) === identity.startTime;
}

export function rssKiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/**
 * Waits until that process is gone, within deadlineMs; true when it went. For processes that are not
 * our children (QEMU inside its jail), whose end no event reports: /proc is polled.
 */
export function waitGone(identity: ProcessIdentity, deadlineMs: number, pollMs = 20): Promise<boolean> {
  return pollUntil(() => !isAlive(identity), deadlineMs, pollMs);
}
