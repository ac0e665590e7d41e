// What the desktop says about a file's type and the viewers for it, read from the user's XDG dirs: the one
// lookup behind opening a file (planOpen), a web address (planUrl), ListViewers and converting (the type
// only). Read fresh at every call, so a changed mimeapps.list or a newly installed viewer shows at once.
import os from 'node:os';
import path from 'node:path';
import { xdgDirsFromEnv } from '../desktop/xdg-dirs.js';
import { nodeFileReader } from '../desktop/file-reader.js';
import { detectMime, loadMimeDatabase, type MimeDatabase, type MimeDecision } from '../desktop/mime-detect.js';
import { loadAppDatabase, type AppDatabase } from '../desktop/app-database.js';
import { listViewers, resolveViewer, type Resolution, type Viewer } from '../desktop/mimeapps.js';
import { localeFromEnv } from '../desktop/keyfile.js';
import { previousDefaults } from '../integrate/state.js';

export interface ViewerData {
  mimeDb: MimeDatabase;
  apps: AppDatabase;
  /** The defaults NoFear replaced: the viewer the user had chosen still comes first. */
  previous: Readonly<Record<string, string>>;
}

/** The shared MIME database (types, globs, magic, the subclass tree). */
export function readMimeData(env: NodeJS.ProcessEnv): Promise<MimeDatabase> {
  return loadMimeDatabase(nodeFileReader, xdgDirsFromEnv(env, env.HOME ?? os.homedir()));
}

/** The MIME database, the applications, and the defaults NoFear replaced. */
export async function readViewerData(env: NodeJS.ProcessEnv): Promise<ViewerData> {
  const mimeDb = await readMimeData(env);
  const xdg = xdgDirsFromEnv(env, env.HOME ?? os.homedir());
  const apps = await loadAppDatabase(nodeFileReader, xdg, { tree: mimeDb.tree, locale: localeFromEnv(env) });
  return { mimeDb, apps, previous: await previousDefaults(env) };
}

/** The type of a checked file (`source`, its canonical path), its name as the user gave it counting too. */
export function detectType(source: string, asGiven: string, mimeDb: MimeDatabase): Promise<MimeDecision> {
  return detectMime(source, mimeDb, { name: path.basename(asGiven) });
}

/** The viewer for a type: `override` (--with) if usable, else the user's choice, the one NoFear replaced, the system's. */
export function resolveFor(data: ViewerData, mime: string, override?: string): Resolution {
  return resolveViewer(data.apps, data.mimeDb.tree, mime, { override, previousDefaults: data.previous });
}

/** What can open a type in the VM, the viewer OpenFiles would pick first (also where NoFear replaced the user's default). */
export function installedViewers(data: ViewerData, mime: string): Viewer[] {
  return listViewers(data.apps, data.mimeDb.tree, mime, { previousDefaults: data.previous });
}

/** ListViewers: [id, name, icon] of each viewer for a checked file. */
export async function listViewersFor(source: string, asGiven: string, env: NodeJS.ProcessEnv): Promise<Array<[string, string, string]>> {
  const data = await readViewerData(env);
  const decision = await detectType(source, asGiven, data.mimeDb);
  return installedViewers(data, decision.mime).map((viewer) => [viewer.id, viewer.name, viewer.icon]);
}
