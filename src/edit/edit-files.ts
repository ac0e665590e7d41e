// The file operations of an edit, each on one descriptor opened without following links: hashing a file,
// copying the guest-written one (hostile) to a new file beside its destination, and checking that its
// type is still the one that was opened. Nothing here runs or opens the file with anything else.
import { createHash } from 'node:crypto';
import { constants as fsc, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { limitReached } from '../errors.js';
import { canonicalMime, mimeLineage, type MimeTree } from '../desktop/mime-tree.js';
import { normaliseMagicType } from '../desktop/mime-detect.js';
import { createFilled, readChunks, writeAll } from '../util/new-file.js';

export interface FileFacts {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** Opens a regular file without following a symlink or hanging on a FIFO; undefined when there is none. */
export async function openRegular(file: string): Promise<FileHandle | undefined> {
  let handle: FileHandle;
  try {
    handle = await fsp.open(file, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  } catch {
    return undefined; // gone, a symlink, or unreadable: not a file to take
  }
  if ((await handle.stat()).isFile()) return handle;
  await handle.close();
  return undefined;
}

/** Reads the whole file, at most `maxBytes`, handing each chunk on; returns its facts. */
export async function readAll(handle: FileHandle, maxBytes: number, onChunk: (chunk: Buffer) => Promise<void> = async () => {}): Promise<FileFacts> {
  const stat = await handle.stat();
  const hash = createHash('sha256');
  const tooBig = () => limitReached(`The edited file is over the ${maxBytes}-byte limit for files NoFear saves.`, 'raise [open] max_file_size in config.ini');
  const size = await readChunks(
    handle,
    maxBytes,
    async (chunk) => {
      hash.update(chunk);
      await onChunk(chunk);
    },
    tooBig,
  );
  return { size, mtimeMs: stat.mtimeMs, sha256: hash.digest('hex') };
}

/** The file's size, mtime and hash, or undefined when it is not a regular file (any more). */
export async function factsOf(file: string, maxBytes: number): Promise<FileFacts | undefined> {
  const handle = await openRegular(file);
  if (handle === undefined) return undefined;
  try {
    return await readAll(handle, maxBytes);
  } finally {
    await handle.close();
  }
}

/**
 * Copies `from` to the new file `to` (created here, O_EXCL, never following a link), synced, with the
 * given mode. The bytes must hash to `sha256`: what is written is what was checked.
 */
export async function copyChecked(from: string, to: string, options: { maxBytes: number; sha256: string; mode: number }): Promise<void> {
  const input = await openRegular(from);
  if (input === undefined) throw new Error(`${from} is no longer a regular file`);
  try {
    const fill = async (output: FileHandle) => {
      const facts = await readAll(input, options.maxBytes, (chunk) => writeAll(output, chunk));
      if (facts.sha256 !== options.sha256) throw new Error('the edited file changed while it was saved');
    };
    await createFilled(to, options.mode, fill, { sync: true });
  } finally {
    await input.close();
  }
}

/**
 * Whether an edit keeps the type that was opened, by content: the same type, one of its parents or
 * children in shared-mime-info (a zip-based document saved as zip), or text that stays text (libmagic
 * may call an edited text/plain text/x-c). application/octet-stream is no common parent: a document
 * that became unidentifiable bytes is not the type that was opened.
 */
export function sameKind(tree: MimeTree, opened: string, edited: string): boolean {
  const a = canonicalMime(tree, normaliseMagicType(tree, opened));
  const b = canonicalMime(tree, normaliseMagicType(tree, edited));
  const [lineageA, lineageB] = [mimeLineage(tree, a), mimeLineage(tree, b)];
  return a === b || lineageA.includes(b) || lineageB.includes(a) || (lineageA.includes('text/plain') && lineageB.includes('text/plain'));
}
