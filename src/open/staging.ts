// Copies a file into a sandbox's staging export: never shared, never hard-linked, read from one open
// descriptor that is checked to be the very file that was checked, so that nothing swapped in between
// (the file for a symlink, a FIFO or a bigger file; a directory on its path for a symlink) is copied.
import { constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';
import { invalidArgument, limitReached } from '../errors.js';
import { createFilled, readChunks, writeAll } from '../util/new-file.js';

/** A file as checkOpenable found it: its canonical path, its size, and its identity (device and inode). */
export interface CheckedFile {
  source: string;
  size: number;
  dev: bigint;
  ino: bigint;
}

function changed(source: string, what: string): Error {
  return invalidArgument(`${source} changed while it was being opened (${what}); nothing was copied.`, 'open it again');
}

/**
 * Opens the checked file and proves it is what was checked: the same device and inode as the check's stat,
 * and, through /proc/self/fd, the same canonical path (a parent directory swapped for a symlink reaches
 * another path, even to the same inode by a hard link).
 */
async function openChecked(checked: CheckedFile): Promise<fsp.FileHandle> {
  const { source } = checked;
  // O_NOFOLLOW: the check resolved symlinks already, so one here appeared since; O_NONBLOCK: a FIFO
  // put in its place must not hang the open.
  const input = await fsp.open(source, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
    throw changed(source, error.code ?? error.message);
  });
  try {
    const stat = await input.stat({ bigint: true });
    if (!stat.isFile()) throw invalidArgument(`${source} is no longer a regular file.`, 'open a regular file');
    if (stat.dev !== checked.dev || stat.ino !== checked.ino) throw changed(source, 'another file is there now');
    const opened = await fsp.readlink(`/proc/self/fd/${input.fd}`);
    if (opened !== source) throw changed(source, `a directory on its path was replaced: it leads to ${opened}`);
    return input;
  } catch (error) {
    await input.close();
    throw error;
  }
}

export interface StageOptions {
  /** A copy the guest may write (--edit): private to the host's user, its guest owner set by the guest's init. */
  writable?: boolean;
  /** Sees every chunk copied (--edit hashes the staged bytes). */
  onChunk?: (chunk: Buffer) => void;
}

export async function stageCopy(checked: CheckedFile, exportDir: string, name: string, maxBytes: number, options: StageOptions = {}): Promise<string> {
  const input = await openChecked(checked);
  const target = path.join(exportDir, name);
  const tooBig = () => limitReached(`${checked.source} grew past the ${maxBytes}-byte limit while it was being copied.`, 'open it again once it is complete');
  // Readable by the guest's user whatever the host uid; never writable through a read-only export.
  const mode = options.writable === true ? 0o600 : 0o444;
  try {
    await createFilled(target, mode, async (output) => {
      await readChunks(
        input,
        maxBytes,
        async (chunk) => {
          options.onChunk?.(chunk);
          await writeAll(output, chunk);
        },
        tooBig,
      );
    });
  } finally {
    await input.close();
  }
  return target;
}
