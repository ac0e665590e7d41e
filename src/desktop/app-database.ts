// A snapshot of what viewer resolution reads (mimeapps.list files, mimeinfo.cache, desktop entries and whether
// their programs exist in the guest), loaded once through a FileReader so that resolution itself stays pure.
import path from 'node:path';
import { desktopIdFromPath, parseDesktopEntry, type DesktopEntry } from './desktop-entry.js';
import type { FileReader } from './file-reader.js';
import { KeyFile } from './keyfile.js';
import { canonicalMime, type MimeTree } from './mime-tree.js';
import { checkProgram, execProgram, findProgram, DEFAULT_GUEST_PATH, DEFAULT_GUEST_ROOTS, type ProgramCheck } from './program.js';
import { mimeappsDirs, mimeappsFileNames, type XdgDirs } from './xdg-dirs.js';

export interface MimeappsList {
  path: string;
  defaults: Map<string, string[]>;
  added: Map<string, string[]>;
  removed: Map<string, string[]>;
}

export interface AppDir {
  dir: string;
  holdsApplications: boolean;
  /** Its mimeapps.list files in reading order (desktop-specific ones first, defaults.list last). */
  lists: MimeappsList[];
  /** mimeinfo.cache, type → ids in the cache's order (GLib follows it). */
  cache: Map<string, string[]> | undefined;
  /** type → ids of this directory's own (unmasked) entries whose MimeType lists it, sorted. */
  declared: Map<string, string[]>;
}

export interface InstalledApp {
  entry: DesktopEntry;
  /** Index in AppDatabase.dirs of the directory that provides it (the highest-precedence one). */
  dirIndex: number;
  /** Whether TryExec names an executable (undefined without TryExec). */
  tryExecFound: boolean | undefined;
  /** The guest-side program check, or why Exec is unusable; undefined without Exec. */
  program: ProgramCheck | { error: string } | undefined;
}

export interface AppDatabase {
  dirs: AppDir[];
  apps: Map<string, InstalledApp>;
  /** Ids whose highest-precedence file could not be read as a desktop entry → why. */
  broken: Map<string, string>;
}

export interface LoadOptions {
  tree: MimeTree;
  locale?: string | undefined;
  /** Where bare program names are looked up: the guest's PATH. */
  searchPath?: readonly string[];
  /** The host directories the guest sees. */
  roots?: readonly string[];
}

const GROUPS = { defaults: 'Default Applications', added: 'Added Associations', removed: 'Removed Associations' } as const;
const MAX_DEPTH = 4;

function typeMap(file: KeyFile, group: string, tree: MimeTree): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const { key } of file.entries(group)) {
    const ids = (file.getList(group, key) ?? []).map((id) => id.trim()).filter((id) => id !== '');
    const type = canonicalMime(tree, key);
    map.set(type, [...(map.get(type) ?? []), ...ids.filter((id) => !(map.get(type) ?? []).includes(id))]);
  }
  return map;
}

/** Reads one mimeapps.list; a desktop-specific one (or defaults.list) may only set defaults: its other groups are ignored. */
export function parseMimeappsList(text: string, listPath: string, defaultsOnly: boolean, tree: MimeTree): MimeappsList {
  const file = KeyFile.parse(text);
  const empty = new Map<string, string[]>();
  return {
    path: listPath,
    defaults: typeMap(file, GROUPS.defaults, tree),
    added: defaultsOnly ? empty : typeMap(file, GROUPS.added, tree),
    removed: defaultsOnly ? empty : typeMap(file, GROUPS.removed, tree),
  };
}

export function parseMimeinfoCache(text: string, tree: MimeTree): Map<string, string[]> {
  return typeMap(KeyFile.parse(text), 'MIME Cache', tree);
}

async function findDesktopFiles(reader: FileReader, root: string, dir = root, depth = 0): Promise<string[]> {
  const found: string[] = [];
  for (const item of (await reader.listDir(dir)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, item.name);
    if (item.kind === 'file' && item.name.endsWith('.desktop')) found.push(full);
    else if (item.kind === 'directory' && depth < MAX_DEPTH) found.push(...(await findDesktopFiles(reader, root, full, depth + 1)));
  }
  return found;
}

async function inspect(reader: FileReader, entry: DesktopEntry, dirIndex: number, options: LoadOptions): Promise<InstalledApp> {
  const searchPath = options.searchPath ?? DEFAULT_GUEST_PATH;
  const roots = options.roots ?? DEFAULT_GUEST_ROOTS;
  const tryExecFound = entry.tryExec === undefined ? undefined : (await findProgram(entry.tryExec, searchPath, reader)) !== undefined;
  let program: InstalledApp['program'];
  if (entry.exec !== undefined) {
    const parsed = execProgram(entry.exec);
    program = 'error' in parsed ? parsed : await checkProgram(parsed.program, { searchPath, roots, probe: reader });
  }
  return { entry, dirIndex, tryExecFound, program };
}

export async function loadAppDatabase(reader: FileReader, xdg: XdgDirs, options: LoadOptions): Promise<AppDatabase> {
  const dirs: AppDir[] = [];
  const broken = new Map<string, string>();
  const seen = new Set<string>();
  const found: Array<Promise<[string, InstalledApp]>> = [];
  const fileNames = mimeappsFileNames(xdg.desktops);
  for (const { dir, holdsApplications } of mimeappsDirs(xdg)) {
    const lists: MimeappsList[] = [];
    for (const name of fileNames) {
      const listPath = path.join(dir, name);
      const text = await reader.readText(listPath);
      if (text !== undefined) lists.push(parseMimeappsList(text, listPath, name !== 'mimeapps.list', options.tree));
    }
    // defaults.list is deprecated, but GLib and xdg-mime still read it (as defaults only) in applications dirs.
    const legacy = holdsApplications ? await reader.readText(path.join(dir, 'defaults.list')) : undefined;
    if (legacy !== undefined) lists.push(parseMimeappsList(legacy, path.join(dir, 'defaults.list'), true, options.tree));
    const cacheText = holdsApplications ? await reader.readText(path.join(dir, 'mimeinfo.cache')) : undefined;
    const cache = cacheText === undefined ? undefined : parseMimeinfoCache(cacheText, options.tree);
    const appDir: AppDir = { dir, holdsApplications, lists, cache, declared: new Map() };
    const dirIndex = dirs.push(appDir) - 1;
    if (!holdsApplications) continue;
    for (const file of await findDesktopFiles(reader, dir)) {
      const id = desktopIdFromPath(dir, file);
      // The first directory that has an id masks it in every later one, whatever that file holds.
      if (id === undefined || seen.has(id)) continue;
      seen.add(id);
      const text = await reader.readText(file);
      let entry: DesktopEntry;
      try {
        if (text === undefined) throw new Error(`${file} cannot be read.`);
        entry = parseDesktopEntry(text, { id, path: file, locale: options.locale });
      } catch (error) {
        broken.set(id, error instanceof Error ? error.message : String(error));
        continue;
      }
      for (const type of new Set(entry.mimeTypes.map((mime) => canonicalMime(options.tree, mime)))) {
        appDir.declared.set(type, [...(appDir.declared.get(type) ?? []), id]);
      }
      found.push(inspect(reader, entry, dirIndex, options).then((app) => [id, app]));
    }
  }
  return { dirs, apps: new Map(await Promise.all(found)), broken };
}
