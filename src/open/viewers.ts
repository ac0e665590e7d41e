// ListViewers: the applications that can open a file in the VM, for the file managers' "Open with". Read
// fresh at every call, so a changed mimeapps.list or a newly installed viewer shows at once.
import os from 'node:os';
import path from 'node:path';
import { xdgDirsFromEnv } from '../desktop/xdg-dirs.js';
import { nodeFileReader } from '../desktop/file-reader.js';
import { detectMime, loadMimeDatabase } from '../desktop/mime-detect.js';
import { loadAppDatabase } from '../desktop/app-database.js';
import { listViewers } from '../desktop/mimeapps.js';
import { localeFromEnv } from '../desktop/keyfile.js';
import { previousDefaults } from '../integrate/state.js';

export async function listViewersFor(source: string, asGiven: string, env: NodeJS.ProcessEnv): Promise<Array<[string, string, string]>> {
  const xdg = xdgDirsFromEnv(env, env.HOME ?? os.homedir());
  const mimeDb = await loadMimeDatabase(nodeFileReader, xdg);
  const decision = await detectMime(source, mimeDb, { name: path.basename(asGiven) });
  const apps = await loadAppDatabase(nodeFileReader, xdg, { tree: mimeDb.tree, locale: localeFromEnv(env) });
  // The viewer OpenFiles would pick comes first, also where NoFear replaced the user's default.
  const viewers = listViewers(apps, mimeDb.tree, decision.mime, { previousDefaults: await previousDefaults(env) });
  return viewers.map((viewer) => [viewer.id, viewer.name, viewer.icon]);
}
