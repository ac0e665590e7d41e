// `nofearctl service`: the per-user NoFear service on the session bus. Wires the D-Bus adapter, the
// sandbox manager, config reloads and the service's lifetime; logs one line per event to stderr.
import { accelOfConfig, configPath, formatProblem, loadConfig, type Config } from '../../config/index.js';
import { unavailable } from '../../errors.js';
import { launch } from '../../sandbox/launch.js';
import { SandboxManager } from '../../sandbox/manager.js';
import { Admission, type Limits } from '../../sandbox/admission.js';
import { ensureRuntimeBase } from '../../sandbox/registry.js';
import { reapLeftovers } from '../../sandbox/reaper.js';
import { usualWindowMs } from '../../vm/timings.js';
import { watchConfig } from './config-watch.js';
import { connectSessionBus, type RootHandlers, type ServiceConnection } from '../bus/dbus-adapter.js';
import { availableMemoryMiB, servicePool } from './pool-wiring.js';
import type { ServiceSpec } from './request-parts.js';
import { launchConversion } from '../../convert/launch-convert.js';
import { sandboxObjectPath } from '../bus/names.js';
import { OpenNotices } from '../bus/open-notices.js';
import { sandboxObjects } from './sandbox-objects.js';
import { IdleExit } from './lifetime.js';
import { requestHandlers } from './requests.js';
import { oneLine } from '../../util/text.js';
import { backgroundThumbnails, startArrivals } from './arrivals.js';
import { BackgroundJobs } from './background-jobs.js';
import { ThumbnailKeeper } from '../../convert/thumb-keeper.js';

/** Ended sandboxes stay on the bus this long, so late readers still see their exit status. */
const LINGER_MS = 10_000;
/** A bus-activated service was started for a request: its VM boots before the pool's (the request holds the pool off from then on). */
const ACTIVATED_POOL_GRACE_MS = 5000;

/** Every line of the service's log on one line, whatever guest text or file name it quotes. */
const log = (line: string) => process.stderr.write(`nofear-service: ${oneLine(line)}\n`);

function limitsOf(config: Config, env: NodeJS.ProcessEnv): Limits {
  return { maxSandboxes: config.service.maxSandboxes, maxGuestMemoryMiB: config.service.maxGuestMemoryMiB, queueTimeoutMs: config.service.queueTimeoutSeconds * 1000, configFile: configPath(env) };
}

/** Every call holds the service up while it runs (a wait=true call until its sandboxes end). */
function heldBy(idle: IdleExit, handlers: RootHandlers): RootHandlers {
  const held =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A) =>
      idle.during(() => fn(...args));
  return {
    openFiles: held(handlers.openFiles),
    openUris: held(handlers.openUris),
    run: held(handlers.run),
    convert: held(handlers.convert),
    cancel: held(handlers.cancel),
    listViewers: held(handlers.listViewers),
    stopAll: held(handlers.stopAll),
    sandboxes: handlers.sandboxes,
    activate: held(handlers.activate),
    open: held(handlers.open),
    activateAction: held(handlers.activateAction),
  };
}

/** The service's working parts: admission shared by the sandboxes and the warm pool, the manager, the bus objects. */
function buildCore(connection: ServiceConnection, idle: IdleExit, env: NodeJS.ProcessEnv, config: () => Config) {
  const admission = new Admission(limitsOf(config(), env));
  const warm = servicePool({ env, config, admission, log });
  // Thumbnail batches: within the same limits and the pool's memory floor, and the first to give way to a user's open.
  const background = new BackgroundJobs(admission, { availableMiB: () => availableMemoryMiB(), minAvailableMiB: () => config().pool.minAvailableMemoryMiB, log });
  // A warm pool keeps the service up; it empties after [pool] idle_timeout without an open, and then
  // the service's own idle exit can come.
  let poolHold: (() => void) | undefined;
  warm.pool.onChange(() => {
    if (!warm.pool.empty) poolHold ??= idle.hold();
    else {
      poolHold?.();
      poolHold = undefined;
    }
  });
  const notices = new OpenNotices(connection.notifications, () => usualWindowMs(env, accelOfConfig(config())));
  const mirror = sandboxObjects(connection, notices, idle, log);
  const manager = new SandboxManager<ServiceSpec>({
    limits: limitsOf(config(), env),
    admission,
    takeWarm: (spec) => warm.takeWarm(spec),
    evictWarm: async () => (await background.giveWay()) || warm.evictWarm(),
    lingerMs: LINGER_MS,
    launch: async (spec) => {
      const context = { env, config: config(), ownerKind: 'service' as const, log };
      const launched = spec.kind === 'convert' ? launchConversion(spec, { ...context, takeReady: warm.coldConversionReady() }) : await launch(spec, context);
      warm.coldLaunched(spec, launched);
      return launched;
    },
    events: mirror.events,
  });
  const handlers = requestHandlers({
    manager,
    stopPool: () => warm.pool.drain(true),
    config,
    env,
    objectPath: (sandbox) => sandboxObjectPath(sandbox.id),
    notifications: connection.notifications,
    resultActions: connection.resultActions,
    log,
  });
  mirror.setRoot(connection.exportRoot(heldBy(idle, handlers)));
  return { manager, pool: warm.pool, background };
}

/** config.ini watched: a change becomes the service's config, the manager's limits, the pool's settings and the idle exit's. */
function watchSettings(env: NodeJS.ProcessEnv, core: { manager: SandboxManager<ServiceSpec>; pool: { settingsChanged(): void }; idle: IdleExit }, use: (next: Config) => void) {
  return watchConfig(
    env,
    (next) => {
      use(next);
      core.manager.updateLimits(limitsOf(next, env));
      core.pool.settingsChanged(); // warm VMs booted with other [vm] or [gui] settings are replaced
      core.idle.rearm();
    },
    log,
  );
}

/** Runs until SIGTERM/SIGINT (0), idle exit when bus-activated (0), or the bus connection's end (1). */
export async function runService(options: { activated: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { activated } = options;
  const initial = loadConfig(env);
  for (const problem of initial.problems) log(`config.ini: ${formatProblem(problem)}`);
  let config = initial.config;
  let finish: (status: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let lostBus = '';
  const connection = connectSessionBus(env, {
    onEnd: (reason) => {
      lostBus = reason;
      log(`session bus: ${reason}; stopping every sandbox and exiting`);
      finish(1);
    },
    log,
  });
  const idle = new IdleExit(
    activated,
    () => config.service.idleExitSeconds,
    (seconds) => {
      log(`idle for ${seconds} s with no sandbox: exiting`);
      finish(0);
    },
  );
  const { manager, pool, background } = buildCore(connection, idle, env, () => config);
  const owned = await Promise.race([connection.ownName(), finished.then(() => undefined)]);
  if (owned === undefined) throw unavailable(`The session bus cannot be reached (${lostBus}).`, 'run it in a desktop session or under dbus-run-session; check DBUS_SESSION_BUS_ADDRESS');
  if (!owned) {
    log('another NoFear service already owns org.nofear.NoFear; this one exits');
    await pool.close();
    connection.disconnect();
    return 0;
  }
  const reaped = await reapLeftovers(ensureRuntimeBase(env), log);
  const watcher = watchSettings(env, { manager, pool, idle }, (next) => (config = next));
  await watcher.ready;
  // NoFear's VM thumbnails stay in the cache when a file manager saves its placeholder after them.
  const keeper = new ThumbnailKeeper(log);
  const arrivals = await startArrivals(config, env, idle, log, backgroundThumbnails(background, keeper, config, env, log));
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping every sandbox and exiting`);
    finish(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  log(
    `serving org.nofear.NoFear${activated ? ` (bus-activated; idle exit after ${config.service.idleExitSeconds} s)` : ''}; removed ${reaped} leftover(s); at most ${config.service.maxSandboxes} sandboxes; warm pool of ${config.pool.size}`,
  );
  idle.start();
  pool.start(activated ? ACTIVATED_POOL_GRACE_MS : 0);
  const status = await finished;
  idle.stop();
  await Promise.all([pool.close(), manager.close()]);
  await watcher.close();
  await arrivals?.close();
  keeper.close();
  connection.disconnect();
  log(`stopped (status ${status})`);
  return status;
}
