// How long things take on this machine, measured, not guessed: the last boots and windows per
// accelerator, kept in the cache ($XDG_CACHE_HOME/nofear/timings.json). The status line says "usually
// 10 s here" from it, and doctor quotes it. Pure functions of the figures, and a thin file adapter.
import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/publish.js';
import { xdgCacheHome } from '../util/xdg.js';
import { decideAccel } from './accel.js';

/** A VM booted to its guest's hello; a file opened from nothing to its window (a cold open, no warm VM). */
export type Measured = 'boot' | 'window';
export type TimingAccel = 'kvm' | 'tcg';
export type Timings = Partial<Record<TimingAccel, Partial<Record<Measured, number[]>>>>;

/** Enough to forget a machine's past (another load, another QEMU) within a few days' use. */
const KEPT = 9;
/** A figure from one run is a guess: the median of three is what "usually" means. */
const ENOUGH = 3;
const MAX_MS = 10 * 60_000;

export function timingsFile(env: NodeJS.ProcessEnv): string {
  return path.join(xdgCacheHome(env), 'nofear', 'timings.json');
}

/** The figures, with anything that is not a list of sane durations dropped (the file is ours, but may be damaged). */
export function parseTimings(text: string): Timings {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {};
  }
  const timings: Timings = {};
  for (const accel of ['kvm', 'tcg'] as const) {
    const byKind = (raw as Record<string, unknown> | null)?.[accel];
    for (const kind of ['boot', 'window'] as const) {
      const list = (byKind as Record<string, unknown> | undefined)?.[kind];
      if (!Array.isArray(list)) continue;
      const sane = list.filter((n): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0 && n < MAX_MS).slice(-KEPT);
      if (sane.length > 0) timings[accel] = { ...timings[accel], [kind]: sane };
    }
  }
  return timings;
}

export function withMeasurement(timings: Timings, accel: TimingAccel, kind: Measured, ms: number): Timings {
  if (!(ms > 0 && ms < MAX_MS)) return timings;
  const list = [...(timings[accel]?.[kind] ?? []), Math.round(ms)].slice(-KEPT);
  return { ...timings, [accel]: { ...timings[accel], [kind]: list } };
}

/** The usual time in ms (the median of the kept figures), once there are enough of them. */
export function usualMs(timings: Timings, accel: TimingAccel, kind: Measured): { ms: number; runs: number } | undefined {
  const list = [...(timings[accel]?.[kind] ?? [])].sort((a, b) => a - b);
  if (list.length < ENOUGH) return undefined;
  const mid = Math.floor(list.length / 2);
  const ms = list.length % 2 === 1 ? (list[mid] ?? 0) : ((list[mid - 1] ?? 0) + (list[mid] ?? 0)) / 2;
  return { ms, runs: list.length };
}

export function readTimings(env: NodeJS.ProcessEnv): Timings {
  try {
    return parseTimings(readFileSync(timingsFile(env), 'utf8'));
  } catch {
    return {}; // never measured here
  }
}

/** Best effort: a cache that cannot be written only means no "usually" next time. */
export async function recordTiming(env: NodeJS.ProcessEnv, accel: TimingAccel, kind: Measured, ms: number): Promise<void> {
  const file = timingsFile(env);
  try {
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, `${JSON.stringify(withMeasurement(readTimings(env), accel, kind, ms))}\n`, 0o600);
  } catch {
    // read-only or full cache: nothing to remember
  }
}

/** The usual time to a cold open's window on this machine, with the accelerator the next VM will use. */
export function usualWindowMs(env: NodeJS.ProcessEnv, configAccel: 'kvm' | 'tcg' | undefined): number | undefined {
  return usualMs(readTimings(env), decideAccel(env, configAccel).accel, 'window')?.ms;
}
