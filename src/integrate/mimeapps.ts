// Makes NoFear the default for chosen types in the user's mimeapps.list and takes that back, as line edits
// through KeyFile: NoFear's id goes first in each type's list (the user's own ids stay behind it), so taking
// it out again leaves each line as it was, and nothing else in the file is touched.
import { KeyFile } from '../desktop/keyfile.js';
import { NOFEAR_DESKTOP_ID } from './types.js';

export const DEFAULTS_GROUP = 'Default Applications';
// GLib's own "set as default" adds the association too; it puts NoFear in "Open With" lists for types its
// desktop entry does not declare (--default-for text/x-python).
export const ADDED_GROUP = 'Added Associations';
const GROUPS = [DEFAULTS_GROUP, ADDED_GROUP] as const;

/** Whether two MIME type spellings name the same type (case, aliases). */
export type SameType = (a: string, b: string) => boolean;

export interface ClaimResult {
  text: string;
  /** Groups that did not exist before, so that releasing can remove them again. */
  createdGroups: string[];
}

// The ids of a `;`-list as written; NoFear's id has no escapes, so a plain split finds it.
const items = (raw: string) => raw.split(';');
const isOurs = (item: string) => item.trim() === NOFEAR_DESKTOP_ID;

function withoutOurs(raw: string): string {
  return items(raw)
    .filter((item) => !isOurs(item))
    .join(';');
}

export function claimTypes(text: string, types: readonly string[], same: SameType): ClaimResult {
  const file = KeyFile.parse(text);
  const createdGroups = GROUPS.filter((group) => !file.hasGroup(group));
  for (const group of GROUPS) {
    for (const type of types) {
      const key = file.entries(group).find((entry) => same(entry.key, type))?.key ?? type;
      const raw = file.getRaw(group, key) ?? '';
      if (isOurs(items(raw)[0] ?? '')) continue;
      const rest = withoutOurs(raw);
      file.setRaw(group, key, rest.trim() === '' ? `${NOFEAR_DESKTOP_ID};` : `${NOFEAR_DESKTOP_ID};${rest}`);
    }
  }
  const out = file.toString();
  // A file NoFear creates ends its last line like every file an editor writes; a user's file keeps its style.
  return { text: text === '' && out !== '' ? `${out}\n` : out, createdGroups };
}

/** Takes NoFear's id out of every list of both groups; a key left empty goes, and so does a group NoFear added. */
export function releaseTypes(text: string, createdGroups: readonly string[] = []): string {
  const file = KeyFile.parse(text);
  for (const group of GROUPS) {
    for (const { key, value } of file.entries(group)) {
      if (!items(value).some(isOurs)) continue;
      const rest = withoutOurs(value);
      if (rest.replaceAll(';', '').trim() === '') file.removeKey(group, key);
      else file.setRaw(group, key, rest);
    }
    if (createdGroups.includes(group)) file.removeGroupIfEmpty(group);
  }
  return file.toString();
}

/** The types whose [Default Applications] list starts with NoFear in this file. */
export function claimedTypes(text: string): string[] {
  const file = KeyFile.parse(text);
  return file
    .entries(DEFAULTS_GROUP)
    .filter(({ value }) => isOurs(items(value)[0] ?? ''))
    .map(({ key }) => key);
}
