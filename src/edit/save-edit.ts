// Writing an edit where the user wants it: over the original in one step (a synced temporary file in the
// same directory, renamed over it, only while the original is still what was staged), or beside it as
// NAME (edited in NoFear).EXT without replacing anything. A directory NoFear cannot write to gets the
// copy in $XDG_DATA_HOME/nofear/edited instead, so an edit is never lost for want of a place.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { publishNoClobber, publishOver, tempPathFor } from '../util/publish.js';
import { xdgDataHome } from '../util/xdg.js';
import { copyChecked, type FileFacts } from './edit-files.js';
import type { EditOutcome } from './edit-types.js';
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
}

/** `report (edited in NoFear).odt`, then `report (edited in NoFear 2).odt`, ... */
export function editedName(name: string, attempt: number): string {
  const { name: stem, ext } = path.parse(name);
  return `${stem} (edited in NoFear${attempt === 1 ? '' : ` ${attempt}`})${ext}`;
}

const cannotWrite = (error: unknown) => ['EACCES', 'EPERM', 'EROFS'].includes((error as NodeJS.ErrnoException).code ?? '');

/** The original's permission bits for the new file (never setuid, setgid or sticky). */
async function modeOf(file: string): Promise<number> {
  return ((await fsp.stat(file).catch(() => undefined))?.mode ?? 0o600) & 0o777;
}

async function copyInto(dir: string, target: SaveTarget): Promise<string> {
  const temp = tempPathFor(path.join(dir, path.basename(target.file)));
  await copyChecked(target.held, temp, { maxBytes: target.maxBytes, sha256: target.edited.sha256, mode: await modeOf(target.source) });
  try {
    // Marked before it gets its name (the mark moves with the rename), so it is never there unmarked.
    await markGuestMade(temp, 'an edited copy');
    return await publishNoClobber(temp, (attempt) => path.join(dir, editedName(path.basename(target.file), attempt)));
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
}

export async function saveCopy(target: SaveTarget, why: 'chosen' | 'original-changed'): Promise<EditOutcome> {
  try {
    return { kind: 'saved-copy', path: await copyInto(path.dirname(target.file), target), why };
  } catch (error) {
    if (!cannotWrite(error)) throw error;
    const fallback = path.join(xdgDataHome(target.env), 'nofear', 'edited');
    await fsp.mkdir(fallback, { recursive: true, mode: 0o700 });
    return { kind: 'saved-copy', path: await copyInto(fallback, target), why: 'not-writable' };
  }
}

/** Replaces the original with the edit, unless the original changed meanwhile (then a copy, beside it). */
export async function saveBack(target: SaveTarget, originalUnchanged: () => Promise<boolean>): Promise<EditOutcome> {
  const temp = tempPathFor(target.source);
  try {
    await copyChecked(target.held, temp, { maxBytes: target.maxBytes, sha256: target.edited.sha256, mode: await modeOf(target.source) });
  } catch (error) {
    if (cannotWrite(error)) return saveCopy(target, 'chosen');
    throw error;
  }
  try {
    // Checked again right before the rename: the window in which a change to the original is lost is this one step.
    if (!(await originalUnchanged())) {
      await fsp.rm(temp, { force: true });
      return await saveCopy(target, 'original-changed');
    }
    // The rename makes a new inode without the original's xattrs: the edit is marked as the guest's work.
    await markGuestMade(temp, 'an edit saved back');
    await publishOver(temp, target.source);
    return { kind: 'saved-back', path: target.source };
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
}
