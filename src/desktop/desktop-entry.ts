// The fields of a desktop entry that choosing and launching a viewer needs, read from its [Desktop Entry] group.
import path from 'node:path';
import { invalidArgument } from '../errors.js';
import { KeyFile } from './keyfile.js';

export const DESKTOP_GROUP = 'Desktop Entry';

export interface DesktopEntry {
  /** Desktop file id, e.g. `org.gnome.Evince.desktop` or `kde4-okular.desktop`. */
  id: string;
  /** Where it was read from (also what `%k` expands to). */
  path: string;
  type: string | undefined;
  /** Name in the requested locale, else the plain Name. */
  name: string | undefined;
  icon: string | undefined;
  /** Exec with the key-file escapes undone; quoting and field codes are exec-line.ts's job. */
  exec: string | undefined;
  tryExec: string | undefined;
  hidden: boolean;
  noDisplay: boolean;
  terminal: boolean;
  dbusActivatable: boolean;
  mimeTypes: string[];
}

/** Parses a desktop entry; refuses text without a [Desktop Entry] group. */
export function parseDesktopEntry(text: string, where: { id: string; path: string; locale?: string | undefined }): DesktopEntry {
  const file = KeyFile.parse(text);
  if (!file.hasGroup(DESKTOP_GROUP)) {
    throw invalidArgument(`${where.path} is not a desktop entry: it has no [${DESKTOP_GROUP}] group.`);
  }
  const g = DESKTOP_GROUP;
  const nonEmpty = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value);
  return {
    id: where.id,
    path: where.path,
    type: nonEmpty(file.getString(g, 'Type')),
    name: nonEmpty(file.getLocaleString(g, 'Name', where.locale)),
    icon: nonEmpty(file.getLocaleString(g, 'Icon', where.locale)),
    exec: nonEmpty(file.getString(g, 'Exec')),
    tryExec: nonEmpty(file.getString(g, 'TryExec')),
    hidden: file.getBoolean(g, 'Hidden') ?? false,
    noDisplay: file.getBoolean(g, 'NoDisplay') ?? false,
    terminal: file.getBoolean(g, 'Terminal') ?? false,
    dbusActivatable: file.getBoolean(g, 'DBusActivatable') ?? false,
    mimeTypes: (file.getList(g, 'MimeType') ?? []).map((type) => type.trim()).filter((type) => type !== ''),
  };
}

/**
 * The desktop file id of a file below an applications directory: its relative path with `/` turned into `-`
 * (`applications/kde4/okular.desktop` is `kde4-okular.desktop`). Undefined when the file is not below the dir.
 */
export function desktopIdFromPath(applicationsDir: string, file: string): string | undefined {
  const relative = path.posix.relative(applicationsDir, file);
  if (relative === '' || relative.startsWith('..') || path.posix.isAbsolute(relative) || !relative.endsWith('.desktop')) {
    return undefined;
  }
  return relative.split('/').join('-');
}

/** Accepts `evince` as shorthand for `evince.desktop`, as `--with` users will type it. */
export function normaliseDesktopId(id: string): string {
  return id.endsWith('.desktop') ? id : `${id}.desktop`;
}
