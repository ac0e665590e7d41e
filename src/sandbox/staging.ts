// Copies a file into a sandbox's staging export: never shared, never hard-linked, read from one open
// descriptor so a file swapped for a symlink, a FIFO or a bigger file mid-way is refused, not followed.
import { constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';
import { invalidArgument, limitReached } from '../errors.js';

const CHUNK = 1024 * 1024;

export interface StageOptions {
  /** A copy the guest may write (--edit): private to the host's user, its guest owner set by the guest's init. */
  writable?: boolean;
  /** Sees every chunk copied (--edit hashes the staged bytes). */
  onChunk?: (chunk: Buffer) => void;
}

export async function stageCopy(source: string, exportDir: string, name: string, maxBytes: number, options: StageOptions = {}): Promise<string> {
  // O_NOFOLLOW: the caller resolved symlinks already, so one here appeared since; O_NONBLOCK: a FIFO
  // put in its place must not hang the open.
  const input = await fsp.open(source, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
    throw invalidArgument(`${source} changed while it was being opened (${error.code ?? error.message}).`, 'open it again');
  });
  const target = path.join(exportDir, name);
  try {
    const stat = await input.stat();
    if (!stat.isFile()) throw invalidArgument(`${source} is no longer a regular file.`, 'open a regular file');
    const output = await fsp.open(target, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
    try {
      const buffer = Buffer.alloc(CHUNK);
      let total = 0;
      for (;;) {
        const { bytesRead } = await input.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) break;
        total += bytesRead;
        if (total > maxBytes) throw limitReached(`${source} grew past the ${maxBytes}-byte limit while it was being copied.`, 'open it again once it is complete');
        await output.write(buffer, 0, bytesRead);
        options.onChunk?.(buffer.subarray(0, bytesRead));
      }
      // Readable by the guest's user whatever the host uid; never writable through a read-only export.
      await output.chmod(options.writable === true ? 0o600 : 0o444);
    } finally {
      await output.close();
    }
  } catch (error) {
    await fsp.rm(target, { force: true });
    throw error;
  } finally {
    await input.close();
  }
  return target;
}
