// "The previous default" for a type: the application that opened it before NoFear. One function for every
// caller that hands a file to the user's own application (routing by the mark, the no-Xpra fallback, the safe
// PDF's Open, trusted links): the handler recorded at `integrate install`, else the desktop's own choice for
// the type (mimeapps.list precedence, then associations, as GLib reads them) with NoFear left out. Never
// xdg-open or `gio open`: both would ask the desktop again, and the desktop's answer is NoFear.
import os from 'node:os';
import { loadAppDatabase, type AppDatabase } from '../desktop/app-database.js';
import type { DesktopEntry } from '../desktop/desktop-entry.js';
import { nodeFileReader } from '../desktop/file-reader.js';
import { localeFromEnv } from '../desktop/keyfile.js';
import { OWN_ID_PREFIX, resolveViewer, type Candidate } from '../desktop/mimeapps.js';
import type { MimeTree } from '../desktop/mime-tree.js';
import { xdgDirsFromEnv } from '../desktop/xdg-dirs.js';
import { loadMimeDatabase } from '../desktop/mime-detect.js';
import { previousDefaults } from './state.js';

export interface NativeApp {
  id: string;
  entry: DesktopEntry;
  /** How it was found: "recorded at install" or the mimeapps.list / applications dir that named it. */
  origin: string;
}

/** NoFear's own entries (org.nofear.*) never count: they would send the file back to NoFear. */
function isHostHandler(candidate: Candidate): boolean {
  const app = candidate.app;
  return app !== undefined && !app.entry.hidden && !candidate.id.startsWith(OWN_ID_PREFIX) && app.entry.exec !== undefined && app.tryExecFound !== false;
}

/**
 * Pure: the first host application among the type's candidates (the recorded previous default comes first in
 * resolveViewer's order, for the type and then each ancestor). Whether the guest could run it does not
 * matter: it runs on the host.
 */
export function choosePreviousDefault(db: AppDatabase, tree: MimeTree, mime: string, recorded: Readonly<Record<string, string>>): NativeApp | undefined {
  const { candidates } = resolveViewer(db, tree, mime, { previousDefaults: recorded });
  const hit = candidates.find(isHostHandler);
  if (hit?.app === undefined) return undefined;
  return { id: hit.id, entry: hit.app.entry, origin: hit.source === 'previous-default' ? 'recorded at nofearctl integrate install' : hit.origin };
}

/** The previous default for `mime` on this desktop, read now (the user may have installed something since). */
export async function previousDefaultFor(mime: string, env: NodeJS.ProcessEnv = process.env): Promise<NativeApp | undefined> {
  const xdg = xdgDirsFromEnv(env, env.HOME ?? os.homedir());
  const mimeDb = await loadMimeDatabase(nodeFileReader, xdg);
  const db = await loadAppDatabase(nodeFileReader, xdg, { tree: mimeDb.tree, locale: localeFromEnv(env) });
  return choosePreviousDefault(db, mimeDb.tree, mime, await previousDefaults(env));
}
