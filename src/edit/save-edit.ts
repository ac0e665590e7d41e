// Writing an edit where the user wants it: over the original in one step, or beside it as
// NAME (edited in NoFear).EXT without replacing anything. Saving back holds the original open from before
// its hash to after the swap: the edit (a synced temporary file beside it) takes the original's name by
// renameat2(RENAME_EXCHANGE) only while the name still holds that very file (device, inode) unwritten
// since (ctime), and is swapped back when the file it displaced turns out to have changed. Whatever fails,
// the edit is kept: beside the original, else in $XDG_DATA_HOME/nofear/edited, named in the outcome.
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fitName, publishNoClobber, publishOver, syncDirectory, tempPathFor } from '../util/publish.js';
import { xdgDataHome } from '../util/xdg.js';
import { copyChecked, openRegular, readAll, type FileFacts } from './edit-files.js';
import type { EditOutcome } from './edit-types.js';
import { exchangeFiles, notCarriedOver } from './exchange.js';
import { markGuestMade } from '../trust/origin.js';

export interface SaveTarget {
  /** The guest-written file, moved out of the export. */
  held: string;
  edited: FileFacts;
  /** The file as the user named it (a copy goes beside it). */
  file: string;
  /** The real file behind it (saving back replaces this one, so a symlink stays a symlink). */
  source: string;
  maxBytes: number;
  env: NodeJS.ProcessEnv;
  /** Tests only: runs between the original's check and the swap (a write there must not be lost). */
  beforeExchange?: () => Promise<void>;
}

/** `report (edited in NoFear).odt`, then `report (edited in NoFear 2).odt`, ...; the stem shortened (by bytes) to fit a name. */
export function editedName(name: string, attempt: number): string {
  const { name: stem, ext } = path.parse(name);
  const suffix = ` (edited in NoFear${attempt === 1 ? '' : ` ${attempt}`})${ext}`;
  return `${fitName(stem, 255 - Buffer.byteLength(suffix))}${suffix}`;
}

/** Where an edit goes when it cannot go where it was asked: private to the user. */
export const editedFolder = (env: NodeJS.ProcessEnv) => path.join(xdgDataHome(env), 'nofear', 'edited');

const cannotWrite = (error: unknown) => ['EACCES', 'EPERM', 'EROFS'].includes((error as NodeJS.ErrnoException).code ?? '');
const problemOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The original's permission bits for the new file (never setuid, setgid or sticky). */
async function modeOf(file: string): Promise<number> {
  return ((await fsp.stat(file).catch(() => undefined))?.mode ?? 0o600) & 0o777;
}

async function copyInto(dir: string, target: SaveTarget): Promise<string> {
  const temp = tempPathFor(path.join(dir, path.basename(target.file)));
  await copyChecked(target.held, temp, { maxBytes: target.maxBytes, sha256: target.edited.sha256, mode: await modeOf(target.source) });
  try {
    // Marked before it gets its name (the mark moves with the rename), so it is never there unmarked.
    await markGuestMade(temp, 'an edited copy', target.env);
    return await publishNoClobber(temp, (attempt) => path.join(dir, editedName(path.basename(target.file), attempt)));
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
}

/** The edit kept in the private folder, when it cannot be saved where asked (the folder gone, a name too long, a full disk). */
export async function keepAside(target: SaveTarget, problem: unknown): Promise<EditOutcome> {
  const folder = editedFolder(target.env);
  await fsp.mkdir(folder, { recursive: true, mode: 0o700 });
  const why = cannotWrite(problem) ? 'not-writable' : 'save-failed';
  return { kind: 'saved-copy', path: await copyInto(folder, target), why, ...(why === 'save-failed' ? { problem: problemOf(problem) } : {}) };
}

export async function saveCopy(target: SaveTarget, why: 'chosen' | 'original-changed'): Promise<EditOutcome> {
  try {
    return { kind: 'saved-copy', path: await copyInto(path.dirname(target.file), target), why };
  } catch (error) {
    return keepAside(target, error);
  }
}

type Verdict = { saved: true; notKept: string[] } | { saved: false };

/** The original, held open: unchanged since it was staged (hash, size, mtime), and its identity then. */
async function checkOriginal(original: FileHandle, staged: FileFacts, maxBytes: number) {
  const before = await original.stat();
  const now = await readAll(original, maxBytes);
  const unchanged = now.size === staged.size && now.mtimeMs === staged.mtimeMs && now.sha256 === staged.sha256;
  return { unchanged, before };
}

/** Puts `temp` in the original's place only while the original is the file checked and unwritten; swaps back otherwise. */
async function exchangeIfUnchanged(temp: string, target: SaveTarget, staged: FileFacts): Promise<Verdict> {
  const original = await openRegular(target.source);
  if (original === undefined) return { saved: false };
  try {
    const { unchanged, before } = await checkOriginal(original, staged, target.maxBytes);
    if (!unchanged) return { saved: false };
    await target.beforeExchange?.();
    const [held, named] = [await original.stat(), await fsp.lstat(target.source)];
    if (held.ctimeMs !== before.ctimeMs || named.ino !== before.ino || named.dev !== before.dev) return { saved: false };
    const swap = await exchangeFiles(temp, target.source);
    if (!swap.swapped) {
      // No RENAME_EXCHANGE here (an old kernel, some filesystems): the check above is as close as a rename gets.
      await publishOver(temp, target.source);
      return { saved: true, notKept: notCarriedOver(before.nlink, []) };
    }
    // The swap itself changes ctime; a write since the check shows in mtime or size.
    const [displaced, after] = [await fsp.lstat(temp), await original.stat()];
    if (displaced.ino !== before.ino || displaced.dev !== before.dev || after.mtimeMs !== before.mtimeMs || after.size !== before.size) {
      await exchangeFiles(temp, target.source); // swapped back: the changed original keeps its name
      return { saved: false };
    }
    await fsp.rm(temp, { force: true });
    await syncDirectory(path.dirname(target.source));
    return { saved: true, notKept: notCarriedOver(before.nlink, swap.originalXattrs) };
  } finally {
    await original.close();
  }
}

/** Replaces the original with the edit, unless the original changed meanwhile (then a copy, beside it). */
export async function saveBack(target: SaveTarget, staged: FileFacts): Promise<EditOutcome> {
  const temp = tempPathFor(target.source);
  try {
    await copyChecked(target.held, temp, { maxBytes: target.maxBytes, sha256: target.edited.sha256, mode: await modeOf(target.source) });
  } catch (error) {
    if (cannotWrite(error)) return saveCopy(target, 'chosen');
    return keepAside(target, error);
  }
  try {
    // The new file has none of the original's xattrs: the edit is marked as the guest's work (the mark follows the inode through the swap).
    await markGuestMade(temp, 'an edit saved back', target.env);
    const verdict = await exchangeIfUnchanged(temp, target, staged);
    if (verdict.saved) return { kind: 'saved-back', path: target.source, ...(verdict.notKept.length > 0 ? { notKept: verdict.notKept } : {}) };
    await fsp.rm(temp, { force: true });
    return await saveCopy(target, 'original-changed');
  } catch (error) {
    await fsp.rm(temp, { force: true });
    return keepAside(target, error);
  }
}
