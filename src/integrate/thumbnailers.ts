// NoFear's thumbnail guard for GNOME's thumbnail factory: for each of the system's .thumbnailer entries, an
// entry of the same types in the user's thumbnailers dir (the factory reads that dir first, and the first
// entry for a type wins: gnome-desktop-thumbnail.c, 43.x) whose command runs thumbnail-guard.py in front of
// the original command. The guard decides from the file's marks inside the factory's sandbox.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeValue, formatList, KeyFile } from '../desktop/keyfile.js';
import { xdgDataDirs, xdgDataHome, type Env } from '../util/xdg.js';

const GROUP = 'Thumbnailer Entry';
/** The system's Python: the factory's sandbox sees /usr only, and the guard needs nothing beyond the standard library. */
const PYTHON = '/usr/bin/python3';
/** thumbnail-guard.py, found from both src/integrate (tsx) and dist/integrate (compiled). */
export const GUARD_SCRIPT = fileURLToPath(new URL('../../src/integrate/thumbnail-guard.py', import.meta.url));
/**
 * NoFear's entries carry the name of the one they guard: tumbler (Xfce) then loads the user's entry instead
 * of the system's of the same name, and GNOME's factory, reading the user dir first, registers it first.
 * This first line tells NoFear's own entries from a user's.
 */
export const GUARD_HEADER = '# Written by nofearctl integrate install:';

export interface ThumbnailerEntry {
  /** The file name, e.g. evince.thumbnailer. */
  name: string;
  exec: string;
  tryExec: string | undefined;
  mimeTypes: string[];
}

/** A .thumbnailer's fields, or undefined when it lacks what the factory needs (Exec and MimeType). */
export function parseThumbnailer(name: string, text: string): ThumbnailerEntry | undefined {
  const file = KeyFile.parse(text);
  const exec = file.getString(GROUP, 'Exec');
  const mimeTypes = file.getList(GROUP, 'MimeType');
  if (exec === undefined || exec.trim() === '' || mimeTypes === undefined || mimeTypes.length === 0) return undefined;
  return { name, exec, tryExec: file.getString(GROUP, 'TryExec'), mimeTypes };
}

/**
 * How the factory's sandbox reaches the guard: the script's own path when it lies under /usr (the nofear
 * package), else (a per-user install under the home, which the sandbox cannot see) the script's text inline.
 */
export type GuardCommand = { kind: 'file'; path: string } | { kind: 'inline'; script: string };

export function guardCommandFor(scriptPath: string, scriptText: string): GuardCommand {
  return scriptPath.startsWith('/usr/') ? { kind: 'file', path: scriptPath } : { kind: 'inline', script: scriptText };
}

/** The factory expands %-codes in every argument: a literal % is written %%. */
const percentEscaped = (text: string) => text.replace(/%/g, '%%');

/** The script as one single-quoted shell word: full-line comments dropped; a quote in the rest is a bug here. */
function inlineScript(script: string): string {
  const code = script
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#') && line.trim() !== '')
    .join('\n');
  if (code.includes("'")) throw new Error('thumbnail-guard.py has a single quote outside its comments: it cannot be written inline');
  return `'${code}'`;
}

/** The guarded command line: the guard with size, input and output, then the original command unexpanded. */
export function guardedExec(originalExec: string, guard: GuardCommand): string {
  const program = guard.kind === 'file' ? `${PYTHON} -I -S ${guard.path}` : `${PYTHON} -I -S -c ${inlineScript(guard.script)}`;
  return `${percentEscaped(program)} %s %i %o -- ${percentEscaped(originalExec)}`;
}

/** The text of NoFear's entry guarding `entry`. */
export function renderGuardEntry(entry: ThumbnailerEntry, guard: GuardCommand): string {
  const lines = [
    `${GUARD_HEADER} ${entry.name} behind NoFear's thumbnail guard (files from outside get a placeholder).`,
    `[${GROUP}]`,
    ...(entry.tryExec === undefined ? [] : [`TryExec=${escapeValue(entry.tryExec)}`]),
    `Exec=${escapeValue(guardedExec(entry.exec, guard))}`,
    `MimeType=${formatList(entry.mimeTypes)}`,
  ];
  return `${lines.join('\n')}\n`;
}

export const isGuardEntry = (text: string): boolean => text.startsWith(GUARD_HEADER);

/** Where NoFear's entries go: the user's thumbnailers dir, which the factory reads before the system's. */
export function userThumbnailersDir(env: Env): string {
  return path.join(xdgDataHome(env), 'thumbnailers');
}

/** The system's entries (XDG_DATA_DIRS, first dir first), NoFear's own left out; a name seen earlier wins. */
export async function systemThumbnailers(env: Env): Promise<ThumbnailerEntry[]> {
  const found = new Map<string, ThumbnailerEntry>();
  for (const dir of xdgDataDirs(env).map((d) => path.join(d, 'thumbnailers'))) {
    const names = await fsp.readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.thumbnailer')).sort()) {
      if (found.has(name)) continue;
      const text = await fsp.readFile(path.join(dir, name), 'utf8').catch(() => undefined);
      const entry = text === undefined || isGuardEntry(text) ? undefined : parseThumbnailer(name, text);
      if (entry !== undefined) found.set(name, entry);
    }
  }
  return [...found.values()];
}

/** NoFear's entries to write: file path → text. */
export async function guardEntries(env: Env, scriptPath = GUARD_SCRIPT): Promise<Map<string, string>> {
  const guard = guardCommandFor(scriptPath, await fsp.readFile(scriptPath, 'utf8'));
  const dir = userThumbnailersDir(env);
  return new Map((await systemThumbnailers(env)).map((entry) => [path.join(dir, entry.name), renderGuardEntry(entry, guard)]));
}
