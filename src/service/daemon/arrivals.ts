// [trust] watch = on: the service watches the untrusted places and marks what arrives, so it stays up for
// as long as it runs (an idle exit would stop the marking). What it marks is thumbnailed in a VM.
import type { Config } from '../../config/index.js';
import { trustScope } from '../../trust/origin.js';
import { watchArrivals } from '../../trust/watcher.js';
import type { IdleExit } from './lifetime.js';
import { thumbnailBatch } from '../../convert/thumb-batch.js';
import { ThumbnailQueue, type RunBatch } from '../../convert/thumb-queue.js';
import { conversionMemoryMiB } from '../../sandbox/pool-shapes.js';
import type { BackgroundJobs } from './background-jobs.js';
import type { ThumbnailKeeper } from '../../convert/thumb-keeper.js';

export interface Arrivals {
  close(): Promise<void>;
}

/**
 * Thumbnail batches in VMs as background work: each takes a slot within max_sandboxes and the guest memory
 * limit only when no user waits, and gives it up to a user's open (its files then wait for a later batch).
 */
export function backgroundThumbnails(background: BackgroundJobs, keeper: ThumbnailKeeper, config: Config, env: NodeJS.ProcessEnv, log: (line: string) => void): RunBatch {
  return async (targets, stop) => {
    const keep = keeper.keep.bind(keeper);
    const ran = await background.run(conversionMemoryMiB(config), stop, (abort) => thumbnailBatch(targets, { config, env, ownerKind: 'service', log, abort, keep }));
    if ('value' in ran) return ran.value;
    // What the batch wrote before it stopped is in the cache; the queue skips those files next time.
    return targets.map(({ file }) => ({ file, deferred: 'the batch gave its VM slot to an open' }));
  };
}

/** `renderThumbnails`: batches in VMs (backgroundThumbnails; the unit test gives a stand-in). */
export async function startArrivals(config: Config, env: NodeJS.ProcessEnv, idle: IdleExit, log: (line: string) => void, renderThumbnails: RunBatch): Promise<Arrivals | undefined> {
  if (!config.trust.watch) return undefined;
  const scope = await trustScope(config, env);
  for (const skipped of scope.skipped) log(`trust: [trust] places: ${skipped}`);
  const release = idle.hold();
  // What arrives is thumbnailed in a VM (the host's thumbnailers give it a placeholder): issue 29.
  const thumbs = new ThumbnailQueue(env, renderThumbnails, log);
  const watch = watchArrivals(scope, {
    log,
    onMarked: (files, stores) => {
      thumbs.add(files);
      const written = stores.filter((s) => s !== 'kept').length;
      if (written > 0) log(`trust: marked ${written} of ${files.length} arrival(s)${stores.includes('sidecar') ? ' (some in the sidecar: no user xattrs there)' : ''}`);
    },
  });
  await watch.ready;
  log(`trust: watching ${watch.watched.join(', ') || 'nothing'} (the service stays up to mark what arrives)`);
  return {
    close: async () => {
      await watch.close();
      await thumbs.close();
      release();
    },
  };
}
