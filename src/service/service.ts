// `nofearctl service`: the per-user NoFear service on the session bus. Wires the D-Bus adapter, the
// sandbox manager, config reloads and the service's lifetime; logs one line per event to stderr.
import path from 'node:path';
import { configPath, formatProblem, loadConfig, type Config } from '../config/index.js';
import { unavailable } from '../errors.js';
import { launch } from '../sandbox/launch.js';
import { SandboxManager } from '../sandbox/manager.js';
import type { Limits } from '../sandbox/admission.js';
import { ensureRuntimeBase, reapLeftovers } from '../sandbox/registry.js';
import { watchConfig } from './config-watch.js';
import { connectSessionBus, sandboxObjectPath, type RootHandlers, type SandboxObject } from './dbus-adapter.js';
import { IdleExit } from './lifetime.js';
import { requestHandlers } from './requests.js';

/** Ended sandboxes stay on the bus this long, so late readers still see their exit status. */
const LINGER_MS = 10_000;
/** Opens slower than this get a "starting" notification (a file manager shows nothing meanwhile). */
const SLOW_OPEN_MS = 1000;

const log = (line: string) => process.stderr.write(`nofear-service: ${line}\n`);

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
    listViewers: held(handlers.listViewers),
    stopAll: held(handlers.stopAll),
    sandboxes: handlers.sandboxes,
    activate: held(handlers.activate),
    open: held(handlers.open),
    activateAction: held(handlers.activateAction),
  };
}

/** Runs until SIGTERM/SIGINT (0), idle exit when bus-activated (0), or the bus connection's end (1). */
export async function runService(options: { activated: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { activated } = options;
  const initial = loadConfig(env);
  for (const problem of initial.problems) log(`config.ini: ${formatProblem(problem)}`);
  let config = initial.config;

  let finish: (status: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  let lostBus = '';
  const connection = connectSessionBus(env, {
    onEnd: (reason) => {
      lostBus = reason;
      log(`session bus: ${reason}; stopping every sandbox and exiting`);
      finish(1);
    },
    log,
  });
  const idle = new IdleExit(activated, () => config.service.idleExitSeconds, (seconds) => {
    log(`idle for ${seconds} s with no sandbox: exiting`);
    finish(0);
  });

  const objects = new Map<string, { object: SandboxObject; release: () => void; cancelNotice: () => void }>();
  const manager = new SandboxManager({
    limits: limitsOf(config, env),
    lingerMs: LINGER_MS,
    launch: (spec) => launch(spec, { env, config, ownerKind: 'service', log }),
    events: {
      started(sandbox) {
        const object = connection.exportSandbox(sandbox);
        const what = sandbox.files[0] === undefined ? undefined : path.basename(sandbox.files[0]);
        const timer = what === undefined ? undefined : setTimeout(() => void connection.notify(`Opening ${what} safely`, 'Starting a throwaway VM…'), SLOW_OPEN_MS);
        timer?.unref();
        objects.set(sandbox.id, { object, release: idle.hold(), cancelNotice: () => clearTimeout(timer) });
        root.sandboxStarted(object.path);
        root.sandboxesChanged();
      },
      changed(sandbox) {
        objects.get(sandbox.id)?.object.stateChanged();
        if (sandbox.state === 'running') {
          objects.get(sandbox.id)?.cancelNotice();
          log(`sandbox ${sandbox.id} running`);
        }
      },
      failedToStart(sandbox, error) {
        objects.get(sandbox.id)?.cancelNotice();
        const message = error instanceof Error ? error.message : String(error);
        log(`sandbox ${sandbox.id} failed to start: ${message}`);
        // Nobody may be watching an open from a file manager: say it on the desktop.
        if (sandbox.files[0] !== undefined) void connection.notify(`NoFear could not open ${path.basename(sandbox.files[0])}`, message);
      },
      ended(sandbox, status) {
        const entry = objects.get(sandbox.id);
        entry?.cancelNotice();
        if (entry !== undefined) root.sandboxExited(entry.object.path, status);
        log(`sandbox ${sandbox.id} ${sandbox.state} with status ${status}`);
        entry?.release();
      },
      removed(sandbox) {
        objects.get(sandbox.id)?.object.remove();
        objects.delete(sandbox.id);
        root.sandboxesChanged();
      },
    },
  });

  const handlers = requestHandlers({
    manager,
    config: () => config,
    env,
    objectPath: (sandbox) => sandboxObjectPath(sandbox.id),
    notify: (summary, body) => connection.notify(summary, body),
    log,
  });
  const root = connection.exportRoot(heldBy(idle, handlers));

  const owned = await Promise.race([connection.ownName(), finished.then(() => undefined)]);
  if (owned === undefined) throw unavailable(`The session bus cannot be reached (${lostBus}).`, 'run it in a desktop session or under dbus-run-session; check DBUS_SESSION_BUS_ADDRESS');
  if (!owned) {
    log('another NoFear service already owns org.nofear.NoFear; this one exits');
    connection.disconnect();
    return 0;
  }
  const reaped = await reapLeftovers(ensureRuntimeBase(env), log);
  const watcher = watchConfig(
    env,
    (next) => {
      config = next;
      manager.updateLimits(limitsOf(next, env));
      idle.rearm();
    },
    log,
  );
  await watcher.ready;
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping every sandbox and exiting`);
    finish(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  log(`serving org.nofear.NoFear${activated ? ` (bus-activated; idle exit after ${config.service.idleExitSeconds} s)` : ''}; removed ${reaped} leftover(s); at most ${config.service.maxSandboxes} sandboxes`);
  idle.start();

  const status = await finished;
  idle.stop();
  await manager.close();
  await watcher.close();
  connection.disconnect();
  log(`stopped (status ${status})`);
  return status;
}
