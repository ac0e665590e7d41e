// The desktop's indexer kept out of the untrusted places: tracker-miner-fs 3 (Debian 12) skips any folder
// holding a file named in its `ignored-directories-with-content` setting, whose default names
// `.trackerignore`; so each watched place gets an empty one. A user who changed that setting, or another
// indexer (Baloo), is not covered: doctor's thumbnails line says so.
import { constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';

export const TRACKER_IGNORE = '.trackerignore';

/** An empty `.trackerignore` in the place, unless one is there; a place NoFear cannot write to is logged, not an error. */
export async function keepIndexerOut(place: string, log: (line: string) => void): Promise<void> {
  try {
    const handle = await fsp.open(path.join(place, TRACKER_IGNORE), fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o644);
    await handle.close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') log(`trust: cannot write ${TRACKER_IGNORE} in ${place} (${code ?? 'error'}); tracker may index it`);
  }
}

/** The marker itself is NoFear's, not an arrival. */
export const isIndexerMarker = (file: string) => path.basename(file) === TRACKER_IGNORE;
