// What --convert converts: the files named, and the files found in the folders named, walked
// recursively. Skipped by rule, silently: safe PDFs NoFear made (*.safe.pdf, "* (N).safe.pdf"), unsafe/
// folders (where --keep-originals=unsafe put originals), symlinks found inside a folder (a link could lead
// anywhere; one named on the command line is checked like any file), NoFear's own temporary files, and
// hidden files and folders (a name starting with a dot: named on the command line, one is converted).
import { promises as fsp } from 'node:fs';
import path from 'node:path';

/** Folders deeper than this are not walked (a loop cannot happen without symlinks; this bounds the work). */
const MAX_DEPTH = 32;
/** At most this many files in one batch: a home folder by mistake is refused before any VM starts. */
export const MAX_BATCH_FILES = 10_000;

export const UNSAFE_DIR = 'unsafe';

/** Why an entry met while walking a folder is left out, or undefined when it is a candidate. */
export function skippedByRule(name: string, kind: 'file' | 'directory' | 'symlink' | 'other'): string | undefined {
  if (kind === 'symlink') return 'a symlink';
  if (kind === 'other') return 'not a regular file';
  if (kind === 'file' && /^\..*\.nofear-[0-9a-f]{16}$/.test(name)) return "NoFear's temporary file";
  // .git, .DS_Store, an editor's swap file: not what a person means by "this folder's documents".
  if (name.startsWith('.')) return `hidden (its name starts with a dot; name the ${kind === 'directory' ? 'folder' : 'file'} itself to convert it)`;
  if (kind === 'directory') return name === UNSAFE_DIR ? 'an unsafe/ folder of kept originals' : undefined;
  if (/\.safe\.pdf$/i.test(name) || /\.safe-\d+\.pdf$/i.test(name)) return 'a safe PDF';
  return undefined;
}

export interface ExpandedTargets {
  /** Files to plan, in a stable order (as named; a folder's files sorted by path). */
  files: string[];
  /** Entries left out by rule, for --verbose. */
  skipped: Array<{ path: string; why: string }>;
}

async function walk(dir: string, depth: number, out: ExpandedTargets): Promise<void> {
  if (depth > MAX_DEPTH) {
    out.skipped.push({ path: dir, why: `deeper than ${MAX_DEPTH} folders` });
    return;
  }
  const entries = (await fsp.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const kind = entry.isSymbolicLink() ? 'symlink' : entry.isDirectory() ? 'directory' : entry.isFile() ? 'file' : 'other';
    const why = skippedByRule(entry.name, kind);
    if (why !== undefined) out.skipped.push({ path: full, why });
    else if (kind === 'directory') await walk(full, depth + 1, out);
    else out.files.push(full);
    if (out.files.length > MAX_BATCH_FILES) throw new Error(`more than ${MAX_BATCH_FILES} files`);
  }
}

/** The files of the targets (absolute paths): a folder (not a symlink to one) is walked; anything else is left to planning. */
export async function expandTargets(targets: readonly string[]): Promise<ExpandedTargets> {
  const out: ExpandedTargets = { files: [], skipped: [] };
  for (const target of targets) {
    const absolute = path.resolve(target);
    const stat = await fsp.lstat(absolute).catch(() => undefined);
    if (stat?.isDirectory() === true) await walk(absolute, 0, out);
    else out.files.push(absolute); // planning says what is wrong with it, if anything
  }
  return out;
}
