// The service's ready VMs, wired: three pools of the shapes pool-shapes.ts plans (an open's GUI VM, its
// client on the service's display; an edit's, the same with a writable, capped export; a conversion's
// VM, no GUI, no network), sized together by
// pool-shapes.ts within [pool] memory, which requests each may serve, and the host's memory they watch.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Config } from '../../config/index.js';
import { ConversionVm, type ReadyVm } from '../../convert/ready-vm.js';
import { converterArgv } from '../../convert/convert-file.js';
import { launchConversion, type ConvertLaunch } from '../../convert/launch-convert.js';
import { isDefaultHandler } from '../../integrate/state.js';
import type { Admission } from '../../sandbox/admission.js';
import { GuiSession } from '../../sandbox/gui-session.js';
import { fitsWarm, launchWarm, type LaunchedSandbox } from '../../sandbox/launch.js';
import type { WarmTake } from '../../sandbox/manager.js';
import { openGuiOptions, writtenOpenRequest } from '../../sandbox/open-file.js';
import { checkUserXattrs } from '../../edit/xattr-probe.js';
import {
  conversionRequest,
  jobShapeOf,
  planPool,
  POOL_PURPOSES,
  poolBudgetMiB,
  poolRequest,
  poolSettings,
  poolShape,
  poolShapeKey,
  servesJob,
  type PoolPlan,
  type PoolPurpose,
} from '../../sandbox/pool-shapes.js';
import { ensureRuntimeBase } from '../../sandbox/registry.js';
import { exportBelongsInCache } from '../../sandbox/sandbox.js';
import { sandboxOptionsFrom } from '../../sandbox/sandbox-options.js';
import { WarmPool, type PoolSession } from '../../sandbox/warm-pool.js';
import type { ServiceSpec } from './request-parts.js';

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

/** [pool] memory, resolved against this machine's RAM and the service's limits. */
export function poolBudgetOf(config: Config, totalRamMiB = Math.floor(os.totalmem() / 1024 ** 2)): number {
  const configuredMiB = config.pool.memoryMiB === 'auto' ? undefined : config.pool.memoryMiB;
  return poolBudgetMiB({ configuredMiB, totalRamMiB, maxGuestMemoryMiB: config.service.maxGuestMemoryMiB, minAvailableMiB: config.pool.minAvailableMemoryMiB });
}

/** A conversion VM shows no window: its pool is on no display (WarmPool hands VMs out per display). */
const HEADLESS = 'headless';
/** "Recently used": within [pool] idle_timeout, or the last hour when the pool never empties by itself. */
const recentMs = (config: Config) => (config.pool.idleTimeoutSeconds > 0 ? config.pool.idleTimeoutSeconds * 1000 : 3_600_000);

/** The pools as one: what the service starts, drains, closes and watches. */
export class Pools {
  constructor(
    readonly open: WarmPool,
    readonly convert: WarmPool<ConversionVm>,
    readonly edit: WarmPool,
    private readonly onClose: () => void,
  ) {}
  private get all(): Array<WarmPool<PoolSession>> {
    return [this.open as WarmPool<PoolSession>, this.convert as WarmPool<PoolSession>, this.edit as WarmPool<PoolSession>];
  }
  /** The pool of one purpose. */
  of(purpose: PoolPurpose): WarmPool<PoolSession> {
    return { open: this.open, convert: this.convert, edit: this.edit }[purpose] as WarmPool<PoolSession>;
  }
  /** `graceMs`: a bus-activated service was started for a request, whose VM boots first. */
  start(graceMs = 0): void {
    for (const pool of this.all) pool.start(graceMs);
  }
  holdOff(event: Promise<unknown>, maxMs: number): void {
    for (const pool of this.all) pool.holdOff(event, maxMs);
  }
  onChange(listener: () => void): void {
    for (const pool of this.all) pool.onChange(listener);
  }
  get empty(): boolean {
    return this.all.every((pool) => pool.empty);
  }
  get memoryHeldMiB(): number {
    return this.all.reduce((sum, pool) => sum + pool.memoryHeldMiB, 0);
  }
  settingsChanged(): void {
    for (const pool of this.all) pool.settingsChanged();
  }
  async drain(pause = false): Promise<void> {
    await Promise.all(this.all.map((pool) => pool.drain(pause)));
  }
  async close(): Promise<void> {
    this.onClose();
    await Promise.all(this.all.map((pool) => pool.close()));
  }
  /** Frees one slot for a user's request: a conversion VM first, then an edit one (a plain GUI one is what most opens want). */
  async evictOne(): Promise<boolean> {
    return (await this.convert.evictOne()) || (await this.edit.evictOne()) || this.open.evictOne();
  }
}

export interface ServicePool {
  pool: Pools;
  takeWarm(spec: ServiceSpec): WarmTake | undefined;
  evictWarm(): Promise<boolean>;
  /** For a conversion that found no ready VM: its OCR may take one (the converter's own job already asked). */
  coldConversionReady(): (exportBytes: number) => ReadyVm | undefined;
  /** A VM booted cold for a request: the pools boot nothing until its window (or its job's start), or its end. */
  coldLaunched(spec: ServiceSpec, launched: LaunchedSandbox): void;
}

/** The longest a cold VM's start holds the pools' boots back. */
const COLD_HOLD_MAX_MS = 300_000;

/** The display a request's window goes to: the caller's, else the service's own. */
function displayOf(spec: ServiceSpec, env: NodeJS.ProcessEnv): string | undefined {
  return (spec.kind === 'convert' ? undefined : spec.display?.DISPLAY) ?? env.DISPLAY;
}

type Options = { env: NodeJS.ProcessEnv; config: () => Config; admission: Admission; log: (line: string) => void };

/** The pools, sized by one plan and held within one memory budget. */
function makePools(options: Options, env: NodeJS.ProcessEnv, xauthority: () => string | undefined): Pools {
  const { config, admission, log } = options;
  let defaultHandler = false;
  const learn = () => void isDefaultHandler(env).then((value) => (defaultHandler = value));
  learn();
  const relearn = setInterval(learn, 60_000);
  relearn.unref();
  const plan = (): PoolPlan => {
    const cfg = config();
    const perPurpose = (value: (purpose: PoolPurpose) => number) => Object.fromEntries(POOL_PURPOSES.map((purpose) => [purpose, value(purpose)])) as Record<PoolPurpose, number>;
    const recentUses = perPurpose((purpose) => pools.of(purpose).usesWithin(recentMs(cfg)));
    return planPool({
      size: cfg.pool.size,
      budgetMiB: poolBudgetOf(cfg),
      memoryMiB: perPurpose((purpose) => poolShape(purpose, cfg, env).memoryMiB),
      recentUses,
      defaultHandler,
    });
  };
  const common = (purpose: PoolPurpose) => ({
    admission,
    log,
    availableMiB: () => availableMemoryMiB(),
    shapeKey: () => poolShapeKey(poolShape(purpose, config(), env)),
    roomFor: (memoryMiB: number) => pools.memoryHeldMiB + memoryMiB <= poolBudgetOf(config()),
    settings: () => poolSettings(purpose, config(), plan()[purpose]),
  });
  const guiPool = (purpose: 'open' | 'edit') =>
    new WarmPool({
      ...common(purpose),
      boot: (display, abort) => {
        const auth = xauthority();
        const poolEnv: NodeJS.ProcessEnv = { ...env, DISPLAY: display, ...(auth === undefined ? {} : { XAUTHORITY: auth }) };
        const cfg = config();
        // An edit VM's export is on disk in the cache: its filesystem must keep mapped-xattr's attributes (as a cold edit checks).
        const request = poolRequest(purpose, cfg, (dir) => checkUserXattrs(dir));
        const { shape, hooks } = sandboxOptionsFrom(cfg, request, { hostEnv: poolEnv, ownerKind: 'service', abort, log });
        return GuiSession.boot({ shape: { ...shape, tbSizeMiB: poolShape(purpose, cfg, env).tbSizeMiB }, hooks, pooled: true }, openGuiOptions(cfg, poolEnv));
      },
    });
  const convert = new WarmPool<ConversionVm>({ ...common('convert'), boot: (_display, abort) => ConversionVm.boot(config(), { hostEnv: env, ownerKind: 'service', abort, log }) });
  const pools: Pools = new Pools(guiPool('open'), convert, guiPool('edit'), () => clearInterval(relearn));
  convert.useDisplay(HEADLESS);
  return pools;
}

/** A conversion a ready conversion VM serves, when its shape serves the job (the converter's job takes that VM; the OCR's, another). */
function warmConversion(spec: ConvertLaunch, options: Options, takeConversionVm: (bytes: number) => ReadyVm | undefined): WarmTake | undefined {
  const { env, config, log } = options;
  const cfg = config();
  const job = jobShapeOf(conversionRequest(converterArgv(spec.plan), { bytes: spec.plan.size, fill: async () => {} }, cfg), cfg, env);
  if (!servesJob(poolShape('convert', cfg, env), job)) return undefined;
  const first = takeConversionVm(spec.plan.size);
  if (first === undefined) return undefined;
  let handed = false;
  // The converter's job takes the VM (its slot is the manager's, released when the sandbox ends); the OCR's, another.
  const takeReady = (bytes: number): ReadyVm | undefined => {
    if (handed) return takeConversionVm(bytes);
    handed = true;
    return { sandbox: first.sandbox, release: () => {} };
  };
  return {
    release: first.release,
    launch: async () => {
      const launched = launchConversion(spec, { env, config: cfg, ownerKind: 'service', log, id: first.sandbox.id, takeReady });
      // A conversion refused before its job (its disk budget): the VM taken for it must not stay up.
      void launched.ended.then(async () => {
        if (handed) return;
        handed = true;
        await first.sandbox.discard();
      });
      return launched;
    },
  };
}

export function servicePool(options: Options): ServicePool {
  const { env, config, log } = options;
  let xauthority = env.XAUTHORITY;
  const pools = makePools(options, env, () => xauthority);
  const useDisplay = (display: string | undefined) => {
    pools.open.useDisplay(display);
    pools.edit.useDisplay(display);
  };
  useDisplay(env.DISPLAY);
  const takeConversionVm = (exportBytes: number): ReadyVm | undefined => {
    if (exportBelongsInCache(exportBytes, ensureRuntimeBase(env))) return undefined; // a ready VM's export is in RAM
    const warm = pools.convert.take(HEADLESS);
    return warm === undefined ? undefined : { sandbox: warm.session.sandbox, release: warm.release };
  };
  return {
    pool: pools,
    coldConversionReady: () => {
      let first = true;
      return (bytes) => {
        if (!first) return takeConversionVm(bytes);
        first = false;
        return undefined;
      };
    },
    coldLaunched(spec, launched) {
      const window = new Promise<void>((resolve) => launched.onStep((step) => step === 'window' && resolve()));
      const shows = spec.kind === 'open-plan' || (spec.kind === 'run' && spec.gui);
      pools.holdOff(
        Promise.race([shows ? window : launched.running, launched.ended]).catch(() => undefined),
        COLD_HOLD_MAX_MS,
      );
    },
    takeWarm(spec) {
      if (spec.kind === 'convert') return warmConversion(spec, options, takeConversionVm);
      // A caller's display teaches the pool where warm VMs are wanted (a service started without one).
      if (env.DISPLAY === undefined && spec.display?.DISPLAY !== undefined) {
        xauthority = spec.display.XAUTHORITY;
        useDisplay(spec.display.DISPLAY);
      }
      if (!fitsWarm(spec, ensureRuntimeBase(env), config().gui.sound)) return undefined;
      const cfg = config();
      if (spec.kind !== 'open-plan') return undefined;
      // An edit takes a VM whose export the guest may write; an open, one whose export it may not.
      const purpose = spec.edit === undefined ? 'open' : 'edit';
      // An open that needs another shape (a network: --net user; an edit of a file whose cap is larger) boots its own.
      if (!servesJob(poolShape(purpose, cfg, env), jobShapeOf(writtenOpenRequest(spec.plan, cfg, spec.edit?.copy), cfg, env))) return undefined;
      const warm = pools.of(purpose).take(displayOf(spec, env)) as ReturnType<WarmPool['take']>;
      if (warm === undefined) return undefined;
      return { release: warm.release, launch: () => launchWarm(spec, warm.session, { env, config: cfg, ownerKind: 'service', log }) };
    },
    evictWarm: () => pools.evictOne(),
  };
}
