// How many ready VMs of each shape the pool keeps: as many as its memory budget and the recent use
// allow. `[pool] size = auto` follows the use (a shape asked for N times lately gets up to N ready
// VMs), with one GUI VM at least while NoFear is a default handler; a number caps all shapes together
// (one GUI VM first); 0 keeps none. An edit's VM (its export writable) is a shape of its own, kept only
// while edits were asked for lately, never at the expense of the first open or conversion VM. The budget is never exceeded: VMs count by the guest memory they
// are admitted with.
import type { Config } from '../config/index.js';
import { poolShape, type PoolPurpose } from './pool-shapes.js';
import type { PoolSettings } from './warm-pool-types.js';

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
