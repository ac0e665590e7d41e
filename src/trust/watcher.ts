// While the service runs, chokidar watches the untrusted places recursively and marks what arrives. Its
// first scan (ignoreInitial: false) is the rescan at start: files that arrived while the service was down
// are marked then. Each place gets tracker's ignore marker (indexer.ts). Events come in bursts (a download, an unpacked archive): marked in batches.
import { existsSync, mkdirSync } from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import { homeDir } from '../util/xdg.js';
import { markArrivals, type TrustScope } from './origin.js';
import { isIndexerMarker, keepIndexerOut } from './indexer.js';

const BATCH_MS = 100;
const MAX_BATCH = 500;

export interface ArrivalWatch {
  /** The places watched (those that exist; the ones under the home are created). */
  watched: string[];
  /** Resolves once the first scan has been marked. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export interface WatchEvents {
  log: (line: string) => void;
  /** After each batch: the files and where their marks went. */
  onMarked?: (files: readonly string[], stores: ReadonlyArray<'xattr' | 'sidecar' | 'kept'>) => void;
}

export function watchArrivals(scope: TrustScope, events: WatchEvents): ArrivalWatch {
  const home = homeDir(scope.env);
  const watched = scope.places.filter((place) => {
    if (!existsSync(place) && place.startsWith(`${home}/`)) mkdirSync(place, { recursive: true, mode: 0o700 });
    if (existsSync(place)) return true;
    events.log(`trust: ${place} does not exist; not watched`);
    return false;
  });
  if (watched.length === 0) return { watched, ready: Promise.resolve(), close: async () => {} };
  const markers = Promise.all(watched.map((place) => keepIndexerOut(place, events.log)));
  const watcher: FSWatcher = watch(watched, { ignoreInitial: false, followSymlinks: false, alwaysStat: false, ignored: isIndexerMarker });
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let work: Promise<void> = Promise.resolve();
  const flush = () => {
    timer = undefined;
    const files = [...pending];
    pending = new Set();
    for (let i = 0; i < files.length; i += MAX_BATCH) {
      const batch = files.slice(i, i + MAX_BATCH);
      work = work
        .then(async () => events.onMarked?.(batch, await markArrivals(batch, scope)))
        .catch((error: unknown) => events.log(`trust: marking ${batch.length} file(s) failed: ${(error as Error).message}`));
    }
  };
  const arrived = (file: string) => {
    pending.add(file);
    timer ??= setTimeout(flush, BATCH_MS);
  };
  watcher.on('add', arrived);
  watcher.on('change', arrived);
  watcher.on('error', (error) => events.log(`trust: watching failed: ${(error as Error).message}`));
  const ready = new Promise<void>((resolve) => watcher.once('ready', resolve)).then(async () => {
    await markers;
    if (timer !== undefined) clearTimeout(timer);
    flush();
    return work;
  });
  return {
    watched,
    ready,
    close: async () => {
      if (timer !== undefined) clearTimeout(timer);
      await watcher.close();
      await work;
    },
  };
}
