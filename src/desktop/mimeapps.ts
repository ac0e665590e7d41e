// Chooses the viewer for a MIME type the way the user's desktop would (MIME Applications spec, as GLib reads it),
// never NoFear itself, and only among programs the guest can run. Pure: it works on a loaded AppDatabase.
import { NoFearError, notFound } from '../errors.js';
import type { AppDatabase, InstalledApp } from './app-database.js';
import { normaliseDesktopId } from './desktop-entry.js';
import { canonicalMime, mimeLineage, type MimeTree } from './mime-tree.js';
import { viewerLineage } from './type-packages.js';

/** Desktop ids NoFear installs start with this; they are never a viewer (NoFear may be the default handler). */
export const OWN_ID_PREFIX = 'org.nofear.';

export type CandidateSource = 'override' | 'previous-default' | 'default' | 'added' | 'installed';

export interface Candidate {
  id: string;
  /** The type (the file's, or an ancestor) through which it was found. */
  mime: string;
  source: CandidateSource;
  /** The file or directory that named it, for --verbose. */
  origin: string;
  usable: boolean;
  /** Why it was skipped. */
  reason: string | undefined;
  app: InstalledApp | undefined;
}

export interface Resolution {
  mime: string;
  /** The type and the ancestors tried, in order. */
  lineage: string[];
  candidates: Candidate[];
  chosen: Candidate | undefined;
}

export interface ResolveOptions {
  /** `--with DESKTOP_ID`: only this one is considered. */
  override?: string | undefined;
  /** type → desktop id that was the default before NoFear made itself the handler (recorded at install). */
  previousDefaults?: Readonly<Record<string, string>>;
  /** Terminal=true programs show nothing without a terminal, so they are skipped unless this is set. */
  allowTerminal?: boolean;
}

function assess(db: AppDatabase, id: string, options: ResolveOptions): { usable: boolean; reason: string | undefined; app: InstalledApp | undefined } {
  const app = db.apps.get(id);
  const skip = (reason: string) => ({ usable: false, reason, app });
  if (id.startsWith(OWN_ID_PREFIX)) return skip("NoFear's own entry (NoFear never opens a file with itself)");
  if (app === undefined) {
    const broken = db.broken.get(id);
    return skip(broken ?? 'not installed (no such desktop file in any applications directory)');
  }
  const { entry } = app;
  if (entry.hidden) return skip(`deleted (Hidden=true in ${entry.path})`);
  if (entry.type !== 'Application') return skip(`not an application (Type=${entry.type ?? 'missing'})`);
  if (app.program === undefined) return skip(entry.dbusActivatable ? 'started only by D-Bus activation (no Exec line)' : 'no Exec line');
  if ('error' in app.program) return skip(app.program.error);
  if (app.tryExecFound === false) return skip(`TryExec program ${entry.tryExec ?? ''} is not installed`);
  if (entry.terminal && options.allowTerminal !== true) return skip('runs in a terminal (Terminal=true); NoFear shows only windows');
  if (!app.program.runnable) return skip(app.program.reason ?? 'its program cannot run in the VM');
  // NoDisplay=true only hides an entry from menus; GLib still uses it as a handler, and so do we.
  return { usable: true, reason: undefined, app };
}

function defaultsFor(db: AppDatabase, type: string): Array<{ id: string; origin: string }> {
  return db.dirs.flatMap((dir) => dir.lists.flatMap((list) => (list.defaults.get(type) ?? []).map((id) => ({ id, origin: list.path }))));
}

/**
 * The spec's association order: per directory, its Added Associations, then its Removed ones join the block
 * list, then its own desktop entries for the type (mimeinfo.cache order first, then any MimeType= the cache
 * misses). The block list is shared across the lineage, as in GLib: removing an app for text/x-python also
 * stops it arriving through text/plain.
 */
function associationsFor(db: AppDatabase, type: string, blocked: Set<string>): Array<{ id: string; origin: string; source: CandidateSource }> {
  const out: Array<{ id: string; origin: string; source: CandidateSource }> = [];
  db.dirs.forEach((dir, index) => {
    for (const list of dir.lists) {
      for (const id of list.added.get(type) ?? []) if (!blocked.has(id)) out.push({ id, origin: list.path, source: 'added' });
      for (const id of list.removed.get(type) ?? []) if (!out.some((hit) => hit.id === id)) blocked.add(id);
    }
    if (!dir.holdsApplications) return;
    const declared = dir.declared.get(type) ?? [];
    for (const id of [...(dir.cache?.get(type) ?? []), ...declared]) {
      const app = db.apps.get(id);
      const masked = app !== undefined && app.dirIndex !== index;
      if (!masked && !blocked.has(id)) out.push({ id, origin: dir.dir, source: 'installed' });
    }
  });
  return out;
}

/**
 * Candidates in order, each assessed, and the first usable one. With an override only it is considered. Else,
 * for the type and then each ancestor (so a handler of the exact type beats a default of its parent): the
 * previous default recorded at install, the [Default Applications] of every mimeapps.list in precedence order
 * (not checked against associations or removals, as GLib and xdg-mime do), then the associations.
 */
export function resolveViewer(db: AppDatabase, tree: MimeTree, mime: string, options: ResolveOptions = {}): Resolution {
  // A .docx is never shown as the ZIP archive it also is: its lineage stops before a container format.
  const lineage = viewerLineage(mimeLineage(tree, mime));
  const type = lineage[0] ?? canonicalMime(tree, mime);
  const candidates: Candidate[] = [];
  const add = (id: string, through: string, source: CandidateSource, origin: string) => {
    if (candidates.some((candidate) => candidate.id === id)) return;
    candidates.push({ id, mime: through, source, origin, ...assess(db, id, options) });
  };
  if (options.override !== undefined) {
    add(normaliseDesktopId(options.override), type, 'override', '--with');
  } else {
    const blocked = new Set<string>();
    for (const through of lineage) {
      const previous = options.previousDefaults?.[through];
      if (previous !== undefined) add(previous, through, 'previous-default', 'the default recorded when NoFear was installed');
      for (const { id, origin } of defaultsFor(db, through)) add(id, through, 'default', origin);
      for (const { id, origin, source } of associationsFor(db, through, blocked)) add(id, through, source, origin);
    }
  }
  return { mime: type, lineage, candidates, chosen: candidates.find((candidate) => candidate.usable) };
}

/** What a refusal offers instead: the viewers ListViewers would list for the type, and the command to retry. */
export interface ViewerAlternatives {
  installed: readonly Viewer[];
  /** The same request with --with this id, as a command line. */
  retry(id: string): string;
  /** What to install when nothing that is installed will do. */
  install?: string;
}

function alternativesText(mime: string, alternatives: ViewerAlternatives): { tail: string; fix: string } {
  const first = alternatives.installed[0];
  if (first === undefined) {
    return {
      tail: ` No installed application that can run in the VM opens ${mime}.`,
      fix: alternatives.install ?? `install a graphical application that opens ${mime}, then run the same command again`,
    };
  }
  const listed = alternatives.installed
    .slice(0, 8)
    .map((v) => (v.name === v.id ? v.id : `${v.id} (${v.name})`))
    .join(', ');
  return { tail: ` Installed for ${mime}: ${listed}.`, fix: alternatives.retry(first.id) };
}

/** The chosen candidate, or a named error that says why none would do and names the installed ones instead. */
export function requireViewer(resolution: Resolution, alternatives: ViewerAlternatives = { installed: [], retry: (id) => `--with ${id}` }): Candidate {
  if (resolution.chosen !== undefined) return resolution.chosen;
  const { tail, fix } = alternativesText(resolution.mime, alternatives);
  const override = resolution.candidates.find((candidate) => candidate.source === 'override');
  if (override !== undefined && override.app === undefined && !override.id.startsWith(OWN_ID_PREFIX)) {
    throw notFound(`No application ${override.id}: ${override.reason ?? 'not installed'}.${tail}`, fix);
  }
  if (override !== undefined) throw new NoFearError('NoViewer', `${override.id} cannot open it in the VM: ${override.reason ?? 'not usable'}.${tail}`, { fix });
  const tried = resolution.candidates.slice(0, 6).map((candidate) => `${candidate.id}: ${candidate.reason ?? ''}`);
  const detail = tried.length === 0 ? 'no application is associated with it' : `skipped ${tried.join('; ')}`;
  // With nothing installed the first sentence says it all; else it names what would work.
  const rest = alternatives.installed.length === 0 ? '' : tail;
  throw new NoFearError('NoViewer', `No viewer for ${resolution.mime} can run in the VM (${detail}).${rest}`, { fix });
}

export interface Viewer {
  id: string;
  name: string;
  icon: string;
}

/** The "Open with" list: usable viewers, the chosen one first; NoDisplay entries only when chosen. */
export function listViewers(db: AppDatabase, tree: MimeTree, mime: string, options: ResolveOptions = {}): Viewer[] {
  const resolution = resolveViewer(db, tree, mime, { ...options, override: undefined });
  return resolution.candidates
    .filter((candidate) => candidate.usable && (candidate === resolution.chosen || candidate.app?.entry.noDisplay !== true))
    .map((candidate) => ({ id: candidate.id, name: candidate.app?.entry.name ?? candidate.id, icon: candidate.app?.entry.icon ?? '' }));
}
