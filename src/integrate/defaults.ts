// Which application the user's desktop opens a type with, read the way viewer resolution reads it
// (mimeapps.list files in precedence order, then associations): before install, to record the default
// NoFear replaces; afterwards, to say whether NoFear really is the default or another list overrides it.
import { homeDir, type Env } from '../util/xdg.js';
import { loadAppDatabase, type AppDatabase } from '../desktop/app-database.js';
import { nodeFileReader } from '../desktop/file-reader.js';
import { localeFromEnv } from '../desktop/keyfile.js';
import { resolveViewer } from '../desktop/mimeapps.js';
import { canonicalMime, isKnownMime, loadMimeTree, type MimeTree } from '../desktop/mime-tree.js';
import { mimeDirs, xdgDirsFromEnv } from '../desktop/xdg-dirs.js';
import { NOFEAR_DESKTOP_ID } from './types.js';

export interface DesktopView {
  db: AppDatabase;
  tree: MimeTree;
}

export async function loadDesktopView(env: Env): Promise<DesktopView> {
  const xdg = xdgDirsFromEnv(env, homeDir(env));
  const tree = await loadMimeTree(nodeFileReader, mimeDirs(xdg));
  const db = await loadAppDatabase(nodeFileReader, xdg, { tree, locale: localeFromEnv(env) });
  return { db, tree };
}

export interface EffectiveDefault {
  id: string;
  /** The mimeapps.list (or applications dir) that made it the default. */
  origin: string;
}

/**
 * The first installed, not deleted application among the type's candidates, NoFear's own entry included
 * or not. Candidates that only the guest could not run still count: this is the host desktop's choice.
 */
export function effectiveDefault(view: DesktopView, type: string, options: { includeNoFear: boolean }): EffectiveDefault | undefined {
  const { candidates } = resolveViewer(view.db, view.tree, type);
  const hit = candidates.find((candidate) => candidate.app !== undefined && !candidate.app.entry.hidden && (options.includeNoFear || candidate.id !== NOFEAR_DESKTOP_ID));
  return hit === undefined ? undefined : { id: hit.id, origin: hit.origin };
}

export function sameTypeIn(tree: MimeTree): (a: string, b: string) => boolean {
  return (a, b) => canonicalMime(tree, a) === canonicalMime(tree, b);
}

/** A type as it goes into mimeapps.list: an alias becomes its canonical name; unknown types are refused by the caller. */
export function normaliseType(tree: MimeTree, type: string): { type: string; known: boolean } {
  const trimmed = type.trim();
  const canonical = canonicalMime(tree, trimmed);
  // Keep the caller's spelling (e.g. macroEnabled) unless it was an alias.
  return { type: canonical === trimmed.toLowerCase() ? trimmed : canonical, known: isKnownMime(tree, trimmed) };
}
