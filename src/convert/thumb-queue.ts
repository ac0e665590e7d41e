// The service's thumbnail work: files from outside that the watcher marked, grouped by folder, rendered
// one batch (one VM) at a time, each batch at most MAX_BATCH files. A file whose NoFear thumbnail is
// already in the cache for its current mtime is skipped (the rescan at each start finds the same files).
// Closing drops what waits and stops the batch that runs.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { detectType, readMimeData } from '../open/viewers.js';
import type { MimeDatabase } from '../desktop/mime-detect.js';
import { fileUri, thumbnailPath, SOFTWARE } from './thumb-cache.js';
import type { ThumbKind, ThumbOutcome, ThumbTarget } from './thumb-batch.js';

export const MAX_BATCH = 20;

/** A batch's outcome for one file, or: not rendered yet, to be tried again in a later batch (it gave way to an open). */
export type QueuedOutcome = ThumbOutcome | { file: string; deferred: string };

export type RunBatch = (targets: ThumbTarget[], abort: AbortSignal) => Promise<QueuedOutcome[]>;

/** The thumbnail kind of a detected type, or none (only PDFs and images are rendered). */
export function thumbKindOf(mime: string): ThumbKind | undefined {
  if (mime === 'application/pdf') return 'pdf';
  return mime.startsWith('image/') ? 'image' : undefined;
}

/** NoFear's own large thumbnail is there for this mtime. */
export async function hasOwnThumbnail(env: NodeJS.ProcessEnv, file: string): Promise<boolean> {
  try {
    const mtime = Math.floor((await fsp.stat(file)).mtimeMs / 1000);
    const png = await fsp.readFile(thumbnailPath(env, fileUri(file), 'large'));
    return png.includes(`Thumb::MTime\0${mtime}`, 0, 'latin1') && png.includes(SOFTWARE, 0, 'latin1');
  } catch {
    return false;
  }
}

export class ThumbnailQueue {
  private readonly waiting = new Map<string, Set<string>>();
  private running: Promise<void> | undefined;
  private readonly stop = new AbortController();
  private mime: Promise<MimeDatabase> | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly run: RunBatch,
    private readonly log: (line: string) => void,
  ) {}

  add(files: readonly string[]): void {
    if (this.stop.signal.aborted) return;
    for (const file of files) {
      const folder = path.dirname(file);
      const set = this.waiting.get(folder) ?? new Set<string>();
      set.add(file);
      this.waiting.set(folder, set);
    }
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves once nothing waits or runs. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  async close(): Promise<void> {
    this.stop.abort();
    this.waiting.clear();
    await this.idle();
  }

  private async drain(): Promise<void> {
    for (let next = this.take(); next.length > 0 && !this.stop.signal.aborted; next = this.take()) {
      try {
        const targets = await this.targetsOf(next);
        if (targets.length === 0 || this.stop.signal.aborted) continue;
        const outcomes = await this.run(targets, this.stop.signal);
        const deferred = outcomes.filter((one) => 'deferred' in one);
        if (deferred.length > 0) {
          this.log(`thumbnails: ${deferred.length} in ${path.dirname(next[0] ?? '')} wait for a later batch: ${(deferred[0] as { deferred: string }).deferred}`);
          this.add(deferred.map((one) => one.file));
        }
        // Each refusal first, the batch's summary last: the summary says the batch is over.
        for (const one of outcomes) if ('refused' in one) this.log(`thumbnails: none for ${one.file}: ${one.refused}`);
        const made = outcomes.filter((one) => 'written' in one).length;
        if (deferred.length < targets.length) this.log(`thumbnails: ${made} of ${targets.length - deferred.length} in ${path.dirname(next[0] ?? '')} rendered in a VM`);
      } catch (error) {
        if (!this.stop.signal.aborted) this.log(`thumbnails: a batch failed: ${(error as Error).message}`);
      }
    }
  }

  /** Up to MAX_BATCH waiting files of the folder that waited longest. */
  private take(): string[] {
    const [folder, set] = this.waiting.entries().next().value ?? [];
    if (folder === undefined || set === undefined) return [];
    const files = [...set].slice(0, MAX_BATCH);
    for (const file of files) set.delete(file);
    // The folder's rest goes behind the other folders: a big folder does not hold the others back.
    this.waiting.delete(folder);
    if (set.size > 0) this.waiting.set(folder, set);
    return files;
  }

  private async targetsOf(files: readonly string[]): Promise<ThumbTarget[]> {
    this.mime ??= readMimeData(this.env);
    const db = await this.mime;
    const targets: ThumbTarget[] = [];
    for (const file of files) {
      const kind = await detectType(file, file, db).then(
        (decision) => thumbKindOf(decision.mime),
        () => undefined,
      );
      if (kind !== undefined && !(await hasOwnThumbnail(this.env, file))) targets.push({ file, kind });
    }
    return targets;
  }
}
