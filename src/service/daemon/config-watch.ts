// Keeps the service's settings current: chokidar watches config.ini's directory (chokidar 4+ has no
// globs), debounced; a file with problems keeps the previous settings and the log says why.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { watch } from 'chokidar';
import { configPath, formatProblem, loadConfig, type Config } from '../../config/index.js';

/** Editors write in bursts (truncate, write, rename): one reload per burst. */
const DEBOUNCE_MS = 150;

export interface ConfigWatch {
  close(): Promise<void>;
  /** Resolves once chokidar watches (changes before that would be missed). */
  ready: Promise<void>;
}

export function watchConfig(env: NodeJS.ProcessEnv, onReload: (config: Config) => void, log: (line: string) => void): ConfigWatch {
  const file = configPath(env);
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true }); // chokidar cannot watch a directory that does not exist yet
  const watcher = watch(dir, { depth: 0, ignoreInitial: true, ignored: (p: string) => p !== dir && p !== file });
  let timer: NodeJS.Timeout | undefined;
  const reload = () => {
    timer = undefined;
    const result = loadConfig(env);
    if (result.problems.length > 0) {
      for (const problem of result.problems) log(`config.ini: ${formatProblem(problem)} (keeping the previous settings)`);
      return;
    }
    onReload(result.config);
    log(
      `config.ini reloaded: max_sandboxes ${result.config.service.maxSandboxes}, max_guest_memory ${result.config.service.maxGuestMemoryMiB} MiB, queue_timeout ${result.config.service.queueTimeoutSeconds} s, idle_exit ${result.config.service.idleExitSeconds} s`,
    );
  };
  watcher.on('all', () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(reload, DEBOUNCE_MS);
  });
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    close: async () => {
      if (timer !== undefined) clearTimeout(timer);
      await watcher.close();
    },
  };
}
