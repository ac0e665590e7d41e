// The per-user NoFear service: owns org.nofear.NoFear, starts sandboxes through launch(), keeps one
// D-Bus object per sandbox, enforces the limits, reloads config.ini, exits when idle if bus-activated.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { watch } from 'chokidar';
import { configPath, formatProblem, loadConfig, type Config } from '../config/index.js';
import { invalidArgument } from '../errors.js';
import { launch, type LaunchedSandbox, type LaunchSpec } from '../sandbox/launch.js';
import { classifyTarget, planOpen, planUrl, checkOpenable } from '../sandbox/open-plan.js';
import { ensureRuntimeBase, reapLeftovers } from '../sandbox/registry.js';
import { Admission, type Limits } from './limits.js';
import { checkAbsolute, checkOptions, checkStrings, OPEN_OPTIONS, RUN_OPTIONS } from './validate.js';
import { ApplicationInterface, connectSessionBus, ManagerInterface, OBJECT_PATH, ownName, SANDBOX_PATH_PREFIX, SandboxInterface, type ManagerHandlers, type SandboxView } from './dbus-objects.js';
import { listViewersFor } from './viewers.js';
import { notify, notifyIfSlow } from '../desktop/notify.js';

const log = (line: string) => process.stderr.write(`nofear-service: ${line}\n`);
/** Ended sandboxes stay on the bus this long, so late readers see their exit status. */
const LINGER_MS = 10_000;

interface Entry {
  handle: LaunchedSandbox;
  view: SandboxView;
  iface: SandboxInterface;
}

function limitsOf(config: Config): Limits {
  return { maxSandboxes: config.service.maxSandboxes, maxGuestMemoryMiB: config.service.maxGuestMemoryMiB, queueTimeoutMs: config.service.queueTimeoutSeconds * 1000 };
}

export async function runService(args: readonly string[]): Promise<number> {
  const activated = args.includes('--activated');
  const env = process.env;
  let config = loadConfig(env).config;
  const admission = new Admission(limitsOf(config));
  const sandboxes = new Map<string, Entry>();
  const bus = connectSessionBus();
  let finish: (status: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  bus.on('error', (error: Error) => {
    log(`lost the session bus: ${error.message}`);
    finish(1);
  });

  let idleTimer: NodeJS.Timeout | undefined;
  const touch = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    const idle = config.service.idleExitSeconds;
    if (activated && idle > 0 && sandboxes.size === 0) {
      idleTimer = setTimeout(() => {
        log(`idle for ${idle} s with no sandbox: exiting`);
        finish(0);
      }, idle * 1000);
    }
  };

  const start = async (spec: LaunchSpec): Promise<string> => {
    const release = await admission.acquire(config.vm.memoryMiB);
    let handle: LaunchedSandbox;
    try {
      handle = await launch(spec, { env, config, ownerKind: 'service', log });
    } catch (error) {
      release();
      throw error;
    }
    const objectPath = SANDBOX_PATH_PREFIX + handle.id;
    const view: SandboxView = {
      id: handle.id,
      state: 'starting',
      command: handle.command,
      files: handle.files,
      profile: handle.profile,
      startedAtMicros: BigInt(handle.startedAt.getTime()) * 1000n,
      exitStatus: -1,
      stop: () => handle.stop(),
    };
    const iface = new SandboxInterface(view);
    bus.export(objectPath, iface);
    sandboxes.set(handle.id, { handle, view, iface });
    touch();
    manager.SandboxStarted(objectPath);
    manager.sandboxesChanged();
    log(`sandbox ${handle.id} starting: ${handle.files.length > 0 ? handle.files.join(' ') : handle.command.join(' ')}`);
    const what = handle.files.length > 0 ? path.basename(handle.files[0] ?? '') : (handle.command[0] ?? 'a program');
    const cancelSlow = notifyIfSlow(`Opening ${what} safely`, 'Starting a throwaway VM…', 1000, env);
    handle.running.then(
      () => {
        cancelSlow();
        view.state = 'running';
        iface.changed();
        log(`sandbox ${handle.id} running`);
      },
      (error: unknown) => {
        cancelSlow();
        const message = error instanceof Error ? error.message : String(error);
        log(`sandbox ${handle.id} failed to start: ${message}`);
        void notify(`NoFear could not open ${what}`, message, env);
      },
    );
    void handle.ended.then((status) => {
      release();
      view.state = status === 125 ? 'failed' : 'exited';
      view.exitStatus = status;
      iface.changed();
      manager.SandboxExited(objectPath, status);
      log(`sandbox ${handle.id} ${view.state} with status ${status}`);
      setTimeout(() => {
        bus.unexport(objectPath, iface);
        sandboxes.delete(handle.id);
        manager.sandboxesChanged();
        touch();
      }, LINGER_MS).unref();
    });
    return objectPath;
  };

  const waitIfAsked = async (paths: string[], options: Record<string, string | boolean>) => {
    if (options.wait !== true) return paths;
    await Promise.all(paths.map((p) => sandboxes.get(p.slice(SANDBOX_PATH_PREFIX.length))?.handle.ended));
    return paths;
  };

  const handlers: ManagerHandlers = {
    async openFiles(paths, options) {
      const files = checkStrings(paths, 'paths').map(checkAbsolute);
      const opts = checkOptions(options, OPEN_OPTIONS);
      if (typeof opts.profile === 'string' && opts.profile !== 'temporary') throw invalidArgument('Files open in throwaway VMs only (profile "temporary").');
      // Every file is checked before any VM starts: one bad file refuses the whole call.
      const plans = await Promise.all(files.map((file) => planOpen(file, { viewer: typeof opts.viewer === 'string' ? opts.viewer : undefined, maxFileSizeBytes: config.open.maxFileSizeBytes, env })));
      return waitIfAsked(await Promise.all(plans.map((plan) => start({ kind: 'open-plan', plan }))), opts);
    },
    async openUris(uris, options) {
      const list = checkStrings(uris, 'uris');
      const opts = checkOptions(options, OPEN_OPTIONS);
      const viewer = typeof opts.viewer === 'string' ? opts.viewer : undefined;
      const plans = await Promise.all(
        list.map((uri) => {
          const target = classifyTarget(uri);
          return target.kind === 'url' ? planUrl(target.url, target.scheme, { viewer, env }) : planOpen(checkAbsolute(target.path), { viewer, maxFileSizeBytes: config.open.maxFileSizeBytes, env });
        }),
      );
      return waitIfAsked(await Promise.all(plans.map((plan) => start({ kind: 'open-plan', plan }))), opts);
    },
    async run(argv, options) {
      const command = checkStrings(argv, 'argv');
      const opts = checkOptions(options, RUN_OPTIONS);
      const spec: LaunchSpec = {
        kind: 'run',
        argv: command,
        gui: opts.gui === true,
        ...(typeof opts.net === 'string' ? { net: opts.net as 'none' | 'user' } : {}),
        ...(typeof opts.shared_folder === 'string' ? { sharedFolder: checkAbsolute(opts.shared_folder) } : {}),
        ...(typeof opts.profile === 'string' ? { profile: opts.profile } : {}),
      };
      const [objectPath] = await waitIfAsked([await start(spec)], opts);
      return objectPath ?? '/';
    },
    async listViewers(file) {
      if (typeof file !== 'string') throw invalidArgument('path must be a string.');
      const { source } = await checkOpenable(checkAbsolute(file), config.open.maxFileSizeBytes);
      return listViewersFor(source, file, env);
    },
    async stopAll() {
      log('stopping every sandbox');
      await Promise.all([...sandboxes.values()].map((entry) => entry.handle.stop()));
    },
    sandboxes: () => [...sandboxes.keys()].map((id) => SANDBOX_PATH_PREFIX + id),
    async activate() {
      log(`activated: ${sandboxes.size} sandbox(es) running`);
      const lines = [...sandboxes.values()].map((e) => `${e.view.id}  ${e.view.state}  ${e.view.files[0] ?? e.view.command.join(' ')}`);
      await notify(`NoFear: ${sandboxes.size} sandbox${sandboxes.size === 1 ? '' : 'es'}`, lines.length > 0 ? lines.join('\n') : 'Nothing is running. Open a file with “Open in NoFear”.', env);
    },
  };
  const manager = new ManagerInterface(handlers);
  bus.export(OBJECT_PATH, manager);
  bus.export(OBJECT_PATH, new ApplicationInterface(handlers));

  if (!(await ownName(bus))) {
    log('another NoFear service already owns org.nofear.NoFear; this one exits');
    bus.disconnect();
    return 0;
  }
  const base = ensureRuntimeBase(env);
  const reaped = await reapLeftovers(base, log);
  log(`serving org.nofear.NoFear${activated ? ' (bus-activated)' : ''}; removed ${reaped} leftover(s)`);

  // config.ini: limits and defaults follow the file; a broken one keeps the old settings.
  const configFile = configPath(env);
  mkdirSync(path.dirname(configFile), { recursive: true });
  const watcher = watch(path.dirname(configFile), { depth: 0, ignoreInitial: true, ignored: (file) => file !== path.dirname(configFile) && file !== configFile });
  watcher.on('all', () => {
    const result = loadConfig(env);
    if (result.problems.length > 0) {
      for (const problem of result.problems) log(`config.ini: ${formatProblem(problem)} (keeping the previous settings)`);
      return;
    }
    config = result.config;
    admission.update(limitsOf(config));
    log('config.ini reloaded');
  });

  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping every sandbox`);
    void handlers.stopAll().finally(() => finish(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  touch();
  const status = await finished;
  await handlers.stopAll();
  await watcher.close();
  bus.disconnect();
  return status;
}
