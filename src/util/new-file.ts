// A new file filled from an open one, chunk by chunk and bounded: created here (O_EXCL, never through a
// link, private while it is written), given its mode once complete, and removed again when anything
// fails. Staging a copy for the guest and saving an edit back both write their copies through it.
import { constants as fsc, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 1024 * 1024;

/** Reads `input` from its start, handing on each chunk (valid until the next); over maxBytes, `tooBig()` is thrown. Returns the byte count. */
export async function readChunks(input: FileHandle, maxBytes: number, onChunk: (chunk: Buffer) => Promise<void>, tooBig: () => Error): Promise<number> {
  const buffer = Buffer.alloc(CHUNK);
  let total = 0;
  for (;;) {
    const { bytesRead } = await input.read(buffer, 0, CHUNK, total);
    if (bytesRead === 0) return total;
    total += bytesRead;
    if (total > maxBytes) throw tooBig();
    await onChunk(buffer.subarray(0, bytesRead));
  }
}

/** Writes all of `chunk`: a write may take less than it is given. */
export async function writeAll(output: FileHandle, chunk: Buffer): Promise<void> {
  let done = 0;
  while (done < chunk.length) done += (await output.write(chunk, done, chunk.length - done)).bytesWritten;
}

/**
 * Creates `target` (refused when anything is there, a link included), lets `fill` write it, then gives it
 * `mode` and, when asked, syncs it. A copy that fails part-way is removed; a file that was there already
 * is left alone.
 */
export async function createFilled(target: string, mode: number, fill: (output: FileHandle) => Promise<void>, options: { sync?: boolean } = {}): Promise<void> {
  const output = await fsp.open(target, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
  try {
    try {
      await fill(output);
      await output.chmod(mode);
      if (options.sync === true) await output.sync();
    } finally {
      await output.close();
    }
  } catch (error) {
    await fsp.rm(target, { force: true });
    throw error;
  }
}
