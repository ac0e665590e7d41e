// The shapes of ready VMs, planned in one place: what a VM waiting in the service's pool is for each
// kind of job (an open's viewer behind Xpra; NoFear's converter without GUI or network), the request a
// conversion's VM is booted from (cold or ready, the same), and whether a ready VM may serve a job.
// A ready VM serves only a job of its very shape: a conversion never gets a GUI VM, an open never a
// conversion VM, a read-only open never a VM whose export the guest may write (nor an edit one whose
// export it may not), and a job that needs a network, more memory or another profile boots its own.
//
// And how many ready VMs of each shape the pool keeps: as many as its memory budget and the recent use
// allow. `[pool] size = auto` follows the use (a shape asked for N times lately gets up to N ready
// VMs), with one GUI VM at least while NoFear is a default handler; a number caps all shapes together
// (one GUI VM first); 0 keeps none. An edit's VM (its export writable) is a shape of its own, kept only
// while edits were asked for lately, never at the expense of the first open or conversion VM. The budget
// is never exceeded: VMs count by the guest memory they are admitted with.
import { borderFor, type Config } from '../config/index.js';
import type { SandboxRequest } from './sandbox-options.js';
import { exportCapBytes, type ExportSpec, type StdioMode } from '../vm/start-vm.js';
import type { PoolSettings } from './warm-pool-types.js';

/** open: a viewer on a read-only copy; edit: a viewer on a copy the guest may write (--edit); convert: the converter. */
export type PoolPurpose = 'open' | 'edit' | 'convert';

/** Every purpose, in the order the plan fills them. */
export const POOL_PURPOSES: readonly PoolPurpose[] = ['open', 'convert', 'edit'];

/** What a job needs of its VM; two shapes with the same key are interchangeable for a job. */
export interface JobShape {
  profile: string;
  net: 'none' | 'user';
  memoryMiB: number;
  cpus: number;
  gui: boolean;
  stdio: StdioMode;
  /** What the VM runs: the user's viewer behind the guest's Xpra server, or NoFear's converter scripts (convert.sh, ocr.sh). */
  runs: 'viewer' | 'converter';
  /**
   * Whether the guest may write its export (--edit's copy), and then the disk cap QEMU was started with
   * (exportCapBytes: RLIMIT_FSIZE and the watcher; fixed at QEMU's start, so a job needs the very same).
   */
  export: { writable: false } | { writable: true; capBytes: number };
}

/** A ready VM's shape: the job's part, and what only the pool decides (its TCG cache, its client's settings). */
export interface PoolShape extends JobShape {
  purpose: PoolPurpose;
  tbSizeMiB: number;
  accel: Config['vm']['accel'];
  /** The host client's settings (an open's VM): a changed border or clipboard makes a ready VM stale. */
  window?: { border: ReturnType<typeof borderFor>; clipboard: Config['gui']['clipboard'] };
}

/**
 * The TCG translation cache of a ready GUI VM, MiB. A ready VM fills whatever it gets before the job
 * comes (63.9 of 64 MiB, 31.9 of 32), so this is what it costs while it waits: QEMU's RSS with a window
 * up was 616 MiB at 256 and 463 at 64; at 32 the cache's share of a ready VM is 31.9 MiB instead of 63.9
 * (n=3 each, issue 30), its idle CPU and warm open within the noise of a loaded build machine.
 */
export const OPEN_POOL_TB_SIZE_MIB = 32;

const THROWAWAY = 'temporary';

/** The least memory a conversion VM gets (LibreOffice's and tesseract's work, and the guest's /tmp, fit in it). */
export const CONVERSION_MEMORY_MIN_MIB = 512;

/**
 * A conversion VM's memory: half of [vm] memory, at least CONVERSION_MEMORY_MIN_MIB, never more than [vm]
 * memory. It runs one tool at a time with no GUI, so it needs less than a viewer's; a smaller guest also
 * bounds what a hostile document can make it hold, and lets the pool's budget keep a ready one cheaply.
 */
export function conversionMemoryMiB(config: Config): number {
  return Math.min(config.vm.memoryMiB, Math.max(CONVERSION_MEMORY_MIN_MIB, Math.floor(config.vm.memoryMiB / 2)));
}

/**
 * The request a conversion job's VM is booted from (the converter, the OCR): throwaway, no network, no
 * GUI, its stdout a channel to the host, the conversion's memory. A ready conversion VM is booted from the
 * same, with an empty export.
 */
export function conversionRequest(argv: readonly string[], exportSpec: ExportSpec, config: Config): SandboxRequest {
  return { argv, profile: THROWAWAY, stdio: 'pipe', gui: false, net: 'none', memoryMiB: conversionMemoryMiB(config), export: exportSpec };
}

/**
 * A ready VM for the pool: an open's shape (its file staged when an open takes it), an edit's (the same,
 * its export writable with the cap of the smallest file's: exportCapBytes(0)), or a conversion's.
 * `fillWritable` readies an edit VM's empty export (the check that its filesystem keeps the guest's xattrs).
 */
export function poolRequest(purpose: PoolPurpose, config: Config, fillWritable: (dir: string) => Promise<void> = async () => {}): SandboxRequest {
  const empty: ExportSpec = { bytes: 0, fill: async () => {} };
  if (purpose === 'convert') return conversionRequest([], empty, config);
  const exportSpec: ExportSpec = purpose === 'edit' ? { bytes: 0, writable: true, fill: fillWritable } : empty;
  return { argv: [], profile: THROWAWAY, stdio: 'none', gui: true, clipboard: config.gui.clipboard === 'to-guest', net: 'none', export: exportSpec };
}

/** The shape a request needs, config.ini filling in what it leaves out (as sandboxOptionsFrom does); `env` as QEMU's start reads the export cap from it. */
export function jobShapeOf(request: SandboxRequest, config: Config, env: NodeJS.ProcessEnv = process.env): JobShape {
  const gui = request.gui === true;
  const writable = request.export?.writable === true;
  return {
    profile: request.profile,
    net: request.net ?? config.vm.net,
    memoryMiB: request.memoryMiB ?? config.vm.memoryMiB,
    cpus: request.cpus ?? config.vm.cpus,
    gui,
    stdio: request.stdio,
    runs: gui ? 'viewer' : 'converter',
    export: writable ? { writable, capBytes: exportCapBytes(request.export?.bytes ?? 0, env) } : { writable },
  };
}

/** The one place a ready VM's shape is planned, for each purpose. */
export function poolShape(purpose: PoolPurpose, config: Config, env: NodeJS.ProcessEnv = process.env): PoolShape {
  const job = jobShapeOf(poolRequest(purpose, config), config, env);
  if (purpose === 'convert') return { ...job, purpose, tbSizeMiB: config.vm.tbSizeMiB, accel: config.vm.accel };
  // A ready GUI VM waits far longer than it works: a smaller TCG cache keeps its memory down (its viewer needs little).
  const tbSizeMiB = Math.min(config.vm.tbSizeMiB, OPEN_POOL_TB_SIZE_MIB);
  return { ...job, purpose, tbSizeMiB, accel: config.vm.accel, window: { border: borderFor(config, THROWAWAY), clipboard: config.gui.clipboard } };
}

const jobKey = (shape: JobShape): string => JSON.stringify([shape.profile, shape.net, shape.memoryMiB, shape.cpus, shape.gui, shape.stdio, shape.runs, shape.export]);

/** Everything that makes one ready VM differ from another (a config change to any of it makes it stale). */
export function poolShapeKey(shape: PoolShape): string {
  return JSON.stringify([shape.purpose, jobKey(shape), shape.tbSizeMiB, shape.accel, shape.window ?? null]);
}

/** Whether a ready VM of `ready`'s shape may serve a job that needs `job`: network, memory, CPUs, profile, GUI, what it runs, and its export (read-only, or writable with the same cap) all the same. */
export function servesJob(ready: PoolShape, job: JobShape): boolean {
  return jobKey(ready) === jobKey(job);
}
/** The most ready VMs the pool ever keeps (the largest `[pool] size`). */
export const MAX_POOL_SIZE = 8;

export interface PoolPlanInput {
  size: number | 'auto';
  /** [pool] memory, resolved (poolBudgetMiB). */
  budgetMiB: number;
  /** Guest memory of one ready VM of each shape, MiB. */
  memoryMiB: Record<PoolPurpose, number>;
  /** How often each shape was asked for lately (a ready VM taken, or none there). */
  recentUses: Record<PoolPurpose, number>;
  /** NoFear opens files by default (integrate install): the first open of the day should be warm. */
  defaultHandler: boolean;
}

export type PoolPlan = Record<PoolPurpose, number>;

/** Ready VMs per shape: first what each shape needs most (one GUI VM, one conversion VM, one edit VM), then the rest, while the budget lasts. */
export function planPool(input: PoolPlanInput): PoolPlan {
  const plan: PoolPlan = { open: 0, convert: 0, edit: 0 };
  if (input.size === 0) return plan;
  const total = input.size === 'auto' ? MAX_POOL_SIZE : Math.min(input.size, MAX_POOL_SIZE);
  const wanted: PoolPlan =
    input.size === 'auto'
      ? { open: Math.max(input.defaultHandler ? 1 : 0, input.recentUses.open), convert: input.recentUses.convert, edit: input.recentUses.edit }
      : { open: total, convert: input.recentUses.convert > 0 ? total : 0, edit: input.recentUses.edit > 0 ? total : 0 };
  let left = input.budgetMiB;
  const add = (purpose: PoolPurpose, upTo: number) => {
    while (plan[purpose] < Math.min(upTo, wanted[purpose]) && plan.open + plan.convert + plan.edit < total && input.memoryMiB[purpose] <= left) {
      plan[purpose]++;
      left -= input.memoryMiB[purpose];
    }
  };
  add('open', 1);
  add('convert', 1);
  add('edit', 1);
  add('open', total);
  add('convert', total);
  add('edit', total);
  return plan;
}

/**
 * [pool] memory as the pool uses it: the configured MiB, else a quarter of the machine's RAM; always
 * within [service] max_guest_memory, and leaving [pool] min_available_memory of the RAM to everything else.
 */
export function poolBudgetMiB(options: { configuredMiB: number | undefined; totalRamMiB: number; maxGuestMemoryMiB: number; minAvailableMiB: number }): number {
  const { configuredMiB, totalRamMiB, maxGuestMemoryMiB, minAvailableMiB } = options;
  const wanted = configuredMiB ?? Math.floor(totalRamMiB / 4);
  return Math.max(0, Math.min(wanted, maxGuestMemoryMiB, totalRamMiB - minAvailableMiB));
}

/**
 * One pool's settings: its planned size, its shape's memory, the host's floor. With `[pool] size = auto`
 * there is no idle drain: the plan follows the recent use itself (a shape unused for idle_timeout is planned
 * 0 and its VMs go), and keeps a default handler's GUI VM ready all day, so the service stays up with it
 * and the first open of the day is warm. A number keeps that many until idle_timeout without an open.
 */
export function poolSettings(purpose: PoolPurpose, config: Config, size: number): PoolSettings {
  const { pool } = config;
  return { size, memoryMiB: poolShape(purpose, config).memoryMiB, minAvailableMiB: pool.minAvailableMemoryMiB, idleTimeoutMs: pool.size === 'auto' ? 0 : pool.idleTimeoutSeconds * 1000 };
}
