// The service's warm pool, wired: what a warm VM is (the open's shape: throwaway, no network, the
// default memory and CPUs, an empty staging export, its client on the service's display), which
// requests it may take, and the host's available memory it watches.
import { readFileSync } from 'node:fs';
import type { Config } from '../config/index.js';
import type { Admission } from '../sandbox/admission.js';
import { GuiSession } from '../sandbox/gui-session.js';
import { fitsWarm, launchWarm } from '../sandbox/launch.js';
import type { ServiceSpec } from './request-parts.js';
import type { WarmTake } from '../sandbox/manager.js';
import { openGuiOptions, warmVmRequest } from '../sandbox/open-file.js';
import { ensureRuntimeBase } from '../sandbox/registry.js';
import { sandboxOptionsFrom } from '../sandbox/sandbox-options.js';
import { WarmPool } from '../sandbox/warm-pool.js';

/** The TCG translation cache of a warm VM, MiB (QEMU's RSS with a window up: 616 MiB at 256, 463 at 64). */
const POOL_TB_SIZE_MIB = 64;

/** MemAvailable from /proc/meminfo, MiB; Infinity when it cannot be read (the pool is not held back). */
export function availableMemoryMiB(meminfo?: string): number {
  let text = meminfo;
  try {
    text ??= readFileSync('/proc/meminfo', 'utf8');
  } catch {
    return Number.POSITIVE_INFINITY; // not Linux's /proc: nothing to go by
  }
  const kib = /^MemAvailable:\s+([0-9]+) kB$/m.exec(text)?.[1];
  return kib === undefined ? Number.POSITIVE_INFINITY : Math.floor(Number(kib) / 1024);
}

/** What makes one warm VM differ from another: the [vm] settings and what its client was given ([gui]). */
export function warmShapeKey(config: Config): string {
  const gui = openGuiOptions(config, {});
  return JSON.stringify({ vm: config.vm, border: gui.border, clipboard: gui.clipboard, sound: gui.sound });
}

export interface ServicePool {
  pool: WarmPool;
  takeWarm(spec: ServiceSpec): WarmTake | undefined;
  evictWarm(): Promise<boolean>;
}

/** The display a request's window goes to: the caller's, else the service's own. */
function displayOf(spec: ServiceSpec, env: NodeJS.ProcessEnv): string | undefined {
  return (spec.kind === 'convert' ? undefined : spec.display?.DISPLAY) ?? env.DISPLAY;
}

export function servicePool(options: { env: NodeJS.ProcessEnv; config: () => Config; admission: Admission; log: (line: string) => void }): ServicePool {
  const { env, config, admission, log } = options;
  let xauthority = env.XAUTHORITY;
  const pool = new WarmPool({
    admission,
    log,
    availableMiB: () => availableMemoryMiB(),
    shapeKey: () => warmShapeKey(config()),
    settings: () => {
      const { pool: settings, vm } = config();
      return { size: settings.size, memoryMiB: vm.memoryMiB, minAvailableMiB: settings.minAvailableMemoryMiB, idleTimeoutMs: settings.idleTimeoutSeconds * 1000 };
    },
    boot: (display, abort) => {
      const poolEnv: NodeJS.ProcessEnv = { ...env, DISPLAY: display, ...(xauthority === undefined ? {} : { XAUTHORITY: xauthority }) };
      const cfg = config();
      const { shape, hooks } = sandboxOptionsFrom(cfg, warmVmRequest(), { hostEnv: poolEnv, ownerKind: 'service', abort, log });
      // A warm VM waits far longer than it works: a smaller TCG translation cache keeps its memory down
      // (the viewer it runs later needs little of it).
      const tbSizeMiB = Math.min(shape.tbSizeMiB ?? POOL_TB_SIZE_MIB, POOL_TB_SIZE_MIB);
      return GuiSession.boot({ shape: { ...shape, tbSizeMiB }, hooks, pooled: true }, openGuiOptions(cfg, poolEnv));
    },
  });
  pool.useDisplay(env.DISPLAY);
  return {
    pool,
    takeWarm(spec) {
      // A caller's display teaches the pool where warm VMs are wanted (a service started without one).
      if (spec.kind === 'convert') return undefined; // a conversion shows no window: never a warm VM
      if (env.DISPLAY === undefined && spec.display?.DISPLAY !== undefined) {
        xauthority = spec.display.XAUTHORITY;
        pool.useDisplay(spec.display.DISPLAY);
      }
      if (!fitsWarm(spec, ensureRuntimeBase(env), config().gui.sound)) return undefined;
      const warm = pool.take(displayOf(spec, env));
      if (warm === undefined) return undefined;
      return { release: warm.release, launch: () => launchWarm(spec, warm.session, { env, config: config(), ownerKind: 'service', log }) };
    },
    evictWarm: () => pool.evictOne(),
  };
}
