// Small filesystem helpers shared by the modules that write caches and runtime files.
import { createHash } from 'node:crypto';
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

/** Writes through a temporary sibling and a rename, so readers never see half a file. */
export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  await fsp.writeFile(temp, data, { mode });
  await fsp.rename(temp, file);
}

export function sha256(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}
