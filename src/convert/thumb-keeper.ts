// A file manager that asked its thumbnail factory before NoFear's VM thumbnail was written saves the guard's
// placeholder when the factory answers, which can be after NoFear's PNG: renamed over it, with the file's
// mtime, so the file manager would show the placeholder from then on. For a while after each write the
// keeper watches the cache's folders (inotify, through fs.watch) and puts NoFear's PNG back when another
// PNG took its place while the file is unchanged. Only PNGs NoFear wrote go into the cache this way.
import { randomBytes } from 'node:crypto';
import { watch, promises as fsp, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { SOFTWARE, type WrittenThumbnail } from './thumb-cache.js';

/** A factory's late save comes seconds after the write; a minute or two covers a loaded desktop. */
const KEEP_MS = 120_000;
/** Two sizes of a few batches of MAX_BATCH files; the oldest go first. */
const MAX_KEPT = 200;
/** A factory that keeps saving over it is not fought for ever. */
const MAX_RESTORES = 3;

/** Pure: whether NoFear's PNG goes back over what is now in its place. */
export function shouldRestore(now: Buffer | undefined, fileMtimeSeconds: number | undefined, kept: WrittenThumbnail): boolean {
  if (now === undefined) return false; // removed (the cache cleaned): not NoFear's to undo
  if (fileMtimeSeconds !== kept.mtimeSeconds) return false; // the file changed: NoFear's PNG is stale
  return !now.includes(SOFTWARE, 0, 'latin1'); // NoFear's, this one or a newer batch's: nothing to do
}

interface Kept {
  thumb: WrittenThumbnail;
  until: number;
  restores: number;
  /** A check runs; `again` says an event came meanwhile. */
  checking: boolean;
  again: boolean;
}

export class ThumbnailKeeper {
  private readonly kept = new Map<string, Kept>();
  private readonly watchers = new Map<string, FSWatcher>();
  private closed = false;

  constructor(
    private readonly log: (line: string) => void,
    private readonly keepMs = KEEP_MS,
  ) {}

  /** Keeps `thumb` in its place for a while (a write just made it). */
  keep(thumb: WrittenThumbnail): void {
    if (this.closed) return;
    this.prune();
    this.kept.delete(thumb.target); // re-inserted: the newest last
    this.kept.set(thumb.target, { thumb, until: Date.now() + this.keepMs, restores: 0, checking: false, again: false });
    while (this.kept.size > MAX_KEPT) this.kept.delete(this.kept.keys().next().value as string);
    const dir = path.dirname(thumb.target);
    if (this.watchers.has(dir)) return;
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (typeof name === 'string') this.changed(path.join(dir, name));
      });
      watcher.on('error', (error) => {
        this.log(`thumbnails: stopped watching ${dir}: ${error.message}`);
        watcher.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, watcher);
    } catch (error) {
      this.log(`thumbnails: cannot watch ${dir} (a placeholder saved late stays): ${(error as Error).message}`);
    }
  }

  close(): void {
    this.closed = true;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.kept.clear();
  }

  private prune(): void {
    const now = Date.now();
    for (const [target, entry] of this.kept) if (entry.until < now) this.kept.delete(target);
  }

  private changed(target: string): void {
    const entry = this.kept.get(target);
    if (entry === undefined) return;
    if (entry.until < Date.now()) {
      this.kept.delete(target);
      return;
    }
    if (entry.checking) {
      entry.again = true;
      return;
    }
    entry.checking = true;
    void this.check(entry).finally(() => {
      entry.checking = false;
      if (entry.again && !this.closed) {
        entry.again = false;
        this.changed(target);
      }
    });
  }

  private async check(entry: Kept): Promise<void> {
    const { thumb } = entry;
    try {
      const [now, stat] = await Promise.all([fsp.readFile(thumb.target).catch(() => undefined), fsp.stat(thumb.file).catch(() => undefined)]);
      if (this.closed || !shouldRestore(now, stat === undefined ? undefined : Math.floor(stat.mtimeMs / 1000), thumb)) return;
      if (entry.restores >= MAX_RESTORES) {
        this.kept.delete(thumb.target);
        this.log(`thumbnails: another program keeps saving over ${path.basename(thumb.target)} (${thumb.file}); left to it`);
        return;
      }
      entry.restores++;
      const temp = `${thumb.target}.nofear-${randomBytes(6).toString('hex')}.tmp`;
      try {
        await fsp.writeFile(temp, thumb.png, { mode: 0o600, flag: 'wx' });
        await fsp.rename(temp, thumb.target);
      } catch (error) {
        await fsp.rm(temp, { force: true });
        throw error;
      }
      this.log(`thumbnails: put NoFear's ${path.basename(path.dirname(thumb.target))} thumbnail of ${thumb.file} back over a placeholder saved after it`);
    } catch (error) {
      this.log(`thumbnails: cannot put NoFear's thumbnail of ${thumb.file} back: ${(error as Error).message}`);
    }
  }
}
