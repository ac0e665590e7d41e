// Files NoFear writes (a safe PDF, an edit saved back, its own records and caches): made under an
// unpredictable temporary name in the target directory, then given their name in one step, so that
// nobody ever sees half a file; the user's files are synced first, so a crash leaves the old one whole.
import { randomBytes } from 'node:crypto';
import { constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';

/**
 * `text` cut to at most `maxBytes` bytes of UTF-8, never inside a character: file names are limited in
 * bytes (255), and a name of CJK characters takes three per character.
 */
export function fitName(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += character.length;
  }
  return text.slice(0, end);
}

/**
 * `text` cut to at most `maxBytes` bytes by dropping its middle: its last `endBytes` stay, so a long
 * name keeps its extension (`.safe.pdf`), which is what the leftover sweep recognises it by.
 */
export function fitNameKeepingEnd(text: string, maxBytes: number, endBytes = 40): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const reversed = [...text].reverse().join('');
  const end = [...fitName(reversed, endBytes)].reverse().join('');
  return fitName(text, maxBytes - Buffer.byteLength(end) - 1) + '~' + end;
}

/** `.NAME.nofear-<16 hex>` beside `NAME` (at most 200 bytes of it, its end kept): hidden, unpredictable, created by the caller with O_EXCL. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${fitNameKeepingEnd(path.basename(target), 200)}.nofear-${randomBytes(8).toString('hex')}`);
}

/**
 * Writes through a temporary sibling and a rename, so readers never see half a file. The temporary name
 * is unpredictable and created with O_EXCL (flag 'wx'): a symlink planted in the directory is never
 * followed, whatever name it has (one at the very name chosen makes the write fail, never go through it).
 * `tempName` is for tests that plant one there.
 */
export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644, tempName = tempPathFor): Promise<void> {
  const temp = tempName(file);
  try {
    await fsp.writeFile(temp, data, { mode, flag: 'wx' });
    await fsp.rename(temp, file);
  } catch (error) {
    // EEXIST: something was there first and is not ours to remove; anything else left a partial temp file.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await fsp.rm(temp, { force: true });
    throw error;
  }
}

/** Makes a rename durable: the directory entry is on disk, not only the file's bytes. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await fsp.open(dir, fsc.O_RDONLY | fsc.O_DIRECTORY);
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on a directory (EINVAL): the rename itself has happened
  } finally {
    await handle.close();
  }
}

/**
 * Gives a finished temporary file the first free name of `names(1)`, `names(2)`, ... without ever
 * replacing a file that exists: link() fails on an existing name where rename() would overwrite it.
 * Returns the name it got.
 */
export async function publishNoClobber(temp: string, names: (attempt: number) => string, attempts = 100): Promise<string> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const target = names(attempt);
    try {
      await fsp.link(temp, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
      // A filesystem without hard links (FAT): check, then rename; the gap between the two is the best it allows.
      if (
        await fsp.lstat(target).then(
          () => true,
          () => false,
        )
      )
        continue;
      await fsp.rename(temp, target);
      await syncDirectory(path.dirname(target));
      return target;
    }
    await fsp.unlink(temp);
    await syncDirectory(path.dirname(target));
    return target;
  }
  throw new Error(`no free name after ${attempts} attempts (last: ${names(attempts)})`);
}

/** Replaces `target` with the finished temporary file in one step (the caller synced the file). */
export async function publishOver(temp: string, target: string): Promise<void> {
  await fsp.rename(temp, target);
  await syncDirectory(path.dirname(target));
}
