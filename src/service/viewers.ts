// ListViewers: the applications that can open a file in the VM, for the file managers' "Open with".
import os from 'node:os';
import path from 'node:path';
import { xdgDirsFromEnv } from '../desktop/xdg-dirs.js';
import { nodeFileReader } from '../desktop/file-reader.js';
import { detectMime, loadMimeDatabase } from '../desktop/mime-detect.js';
import { loadAppDatabase } from '../desktop/app-database.js';
import { listViewers } from '../desktop/mimeapps.js';
import { localeFromEnv } from '../desktop/keyfile.js';

export async function listViewersFor(source: string, asGiven: string, env: NodeJS.ProcessEnv): Promise<[string, string, string][]> {
  const xdg = xdgDirsFromEnv(env, env.HOME ?? os.homedir());
  const mimeDb = await loadMimeDatabase(nodeFileReader, xdg);
  const decision = await detectMime(source, mimeDb, { name: path.basename(asGiven) });
  const apps = await loadAppDatabase(nodeFileReader, xdg, { tree: mimeDb.tree, locale: localeFromEnv(env) });
  return listViewers(apps, mimeDb.tree, decision.mime).map((viewer) => [viewer.id, viewer.name ?? viewer.id, viewer.icon ?? '']);
}
