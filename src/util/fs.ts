// Small filesystem helpers shared by the modules that write caches and runtime files.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp, statSync } from 'node:fs';
import path from 'node:path';

export async function exists(file: string): Promise<boolean> {
  try {
    await fsp.lstat(file);
    return true;
  } catch {
    return false;
  }
}

export function isDirectorySync(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** `.NAME.<16 random hex>.tmp` beside the file: nobody can guess it to plant something there first. */
export function unpredictableTempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
}

/**
 * Writes through a temporary sibling and a rename, so readers never see half a file. The temporary name
 * is unpredictable and created with O_EXCL (flag 'wx'): a symlink planted in the directory is never
 * followed, whatever name it has (one at the very name chosen makes the write fail, never go through it).
 * `tempName` is for tests that plant one there.
 */
export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644, tempName = unpredictableTempName): Promise<void> {
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

export function sha256(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}
