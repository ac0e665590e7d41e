// Edits of files NoFear shares with the user (mimeapps.list, uca.xml): the first edit keeps the original
// bytes, each edit the hash of what NoFear wrote, so that undoing restores the original byte for byte when
// nobody else wrote in between, and otherwise removes only NoFear's part.
//
// The edits see the file as a byte string (Latin-1: one character per byte), never as decoded UTF-8: a
// user's file may hold bytes that are not UTF-8 (a Latin-1 comment), which a UTF-8 round trip turns into
// U+FFFD. Every byte NoFear did not write stays as it was; what NoFear inserts goes through byteString().
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/publish.js';
import { readBytes, sha256Hex, type EditedFile } from './state.js';

/** Text NoFear inserts (UTF-8), as the byte string the edits work on. */
export function byteString(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

const bytesOf = (byteText: string) => Buffer.from(byteText, 'latin1');

/** Writes through a symlink (dotfile managers link ~/.config/mimeapps.list) and keeps the file's mode. */
async function writeShared(file: string, data: string | Buffer): Promise<void> {
  let target = file;
  let mode = 0o644;
  try {
    target = await fsp.realpath(file);
    mode = (await fsp.stat(target)).mode & 0o7777;
  } catch {
    await fsp.mkdir(path.dirname(file), { recursive: true });
  }
  await writeFileAtomic(target, data, mode);
}

export interface Edit {
  text: string;
  /** mimeapps.list groups the edit added. */
  createdGroups?: string[];
}

/**
 * Applies `edit` to the file's bytes (as a byte string; undefined: no file yet) and returns the updated
 * record; `previous` is the record of an earlier install. Returns `previous` unchanged (maybe null) when the
 * edit changes nothing.
 */
export async function applyEdit(file: string, previous: EditedFile | null, edit: (bytes: string | undefined) => Edit): Promise<EditedFile | null> {
  const before = await readBytes(file);
  const { text, createdGroups = [] } = edit(before?.toString('latin1'));
  const after = bytesOf(text);
  if (before !== undefined && after.equals(before)) return previous;
  await writeShared(file, after);
  const afterSha256 = sha256Hex(after);
  if (previous === null) {
    return { path: file, existedBefore: before !== undefined, before: before === undefined ? '' : before.toString('base64'), afterSha256, createdGroups };
  }
  // Someone else wrote it since NoFear's last edit: restoring the original bytes would lose their change.
  const untouched = before === undefined ? !previous.existedBefore : sha256Hex(before) === previous.afterSha256;
  return { ...previous, before: untouched ? previous.before : null, afterSha256, createdGroups: [...new Set([...previous.createdGroups, ...createdGroups])] };
}

export type UndoResult = 'restored' | 'edited' | 'absent';

/**
 * Restores the original bytes when the file is exactly what NoFear last wrote; otherwise `release` takes
 * NoFear's part out of the current bytes (a byte string). A file NoFear created goes when nothing but
 * `isEmpty` text is left.
 */
export async function undoEdit(record: EditedFile, release: (text: string) => string, isEmpty: (text: string) => boolean): Promise<UndoResult> {
  const now = await readBytes(record.path);
  if (now === undefined) return 'absent';
  if (sha256Hex(now) === record.afterSha256 && record.before !== null) {
    if (record.existedBefore) await writeShared(record.path, Buffer.from(record.before, 'base64'));
    else await fsp.rm(record.path, { force: true });
    return 'restored';
  }
  const text = release(now.toString('latin1'));
  if (!record.existedBefore && isEmpty(text)) await fsp.rm(record.path, { force: true });
  else if (!bytesOf(text).equals(now)) await writeShared(record.path, bytesOf(text));
  return 'edited';
}
