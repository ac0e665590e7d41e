// A file's MIME type from its content (libmagic, via `file`) and then its name (shared-mime-info's globs2).
// When they disagree the content wins, with a note for --verbose: a `report.pdf` holding HTML opens as HTML.
import path from 'node:path';
import type { FileReader } from './file-reader.js';
import { loadGlobs, matchName, type GlobRule } from './globs.js';
import { canonicalMime, isKnownMime, isSubtypeOf, loadMimeTree, type MimeTree } from './mime-tree.js';
import { mimeDirs, type XdgDirs } from './xdg-dirs.js';

export interface MimeDatabase {
  tree: MimeTree;
  globs: GlobRule[];
}

export interface MimeDecision {
  mime: string;
  /** Which side decided: both agreed, one alone, or neither knew (application/octet-stream). */
  from: 'both' | 'content' | 'name' | 'none';
  content: string | undefined;
  byName: string[];
  /** What --verbose prints when the two sides differ or one is missing. */
  note: string | undefined;
}

// libmagic spells some types its own way; translate them so the two sides can be compared.
const MAGIC_NAMES: Readonly<Record<string, string>> = {
  'application/x-pie-executable': 'application/x-executable',
  'application/x-dosexec': 'application/x-ms-dos-executable',
  'application/cdfv2': 'application/x-ole-storage',
  'text/x-shellscript': 'application/x-shellscript',
  'text/x-c++': 'text/x-c++src',
  'text/x-php': 'application/x-php',
  'text/x-ruby': 'application/x-ruby',
  'text/x-awk': 'application/x-awk',
  'text/x-nawk': 'application/x-awk',
  'text/x-gawk': 'application/x-awk',
  'image/x-ms-bmp': 'image/bmp',
  'font/sfnt': 'font/ttf',
};

/** Mail types a name may give text content (src/integrate/types.ts MAIL_TYPES' text ones; not imported: a lower floor). */
const MAIL_NAMED_TYPES: ReadonlySet<string> = new Set(['message/rfc822', 'application/mbox']);

/** libmagic's type in shared-mime-info's words (aliases resolved, `text/x-script.LANG` mapped when known). */
export function normaliseMagicType(tree: MimeTree, type: string): string {
  const canonical = canonicalMime(tree, type);
  const mapped = MAGIC_NAMES[canonical];
  if (mapped !== undefined) return canonicalMime(tree, mapped);
  const script = /^text\/x-script\.(.+)$/.exec(canonical)?.[1];
  if (script !== undefined) {
    const known = [`text/x-${script}`, `application/x-${script}`].find((candidate) => isKnownMime(tree, candidate));
    if (known !== undefined) return canonicalMime(tree, known);
  }
  return canonical;
}

/** The pure rule that reconciles content and name. */
export function decideMime(tree: MimeTree, content: string | undefined, nameTypes: readonly string[]): MimeDecision {
  const byName = [...new Set(nameTypes.map((type) => canonicalMime(tree, type)))];
  const c = content === undefined ? undefined : normaliseMagicType(tree, content);
  const decision = (mime: string, from: MimeDecision['from'], note?: string): MimeDecision => ({ mime, from, content: c, byName, note });
  const named = byName[0];
  if (c === undefined || c === 'inode/x-empty') {
    const why = c === undefined ? 'the content could not be examined' : 'the file is empty';
    if (named !== undefined) return decision(named, 'name', `${why}; going by the name: ${named}`);
    return decision(c === undefined ? 'application/octet-stream' : 'application/x-zerosize', 'none', `${why}, and the name suggests no type`);
  }
  if (named === undefined) return decision(c, 'content');
  if (byName.includes(c)) return decision(c, 'both');
  // The name may only narrow the content (text/plain → text/csv, zip → docx, gzip → tar.gz), never contradict it.
  const narrower = byName.find((type) => isSubtypeOf(tree, type, c));
  if (narrower !== undefined) return decision(narrower, 'name', `the content is ${c}; the name narrows it to ${narrower}`);
  if (byName.some((type) => isSubtypeOf(tree, c, type))) return decision(c, 'content');
  // A message or mailbox is text whose body libmagic may take for the whole (an HTML body makes an .mbox
  // "text/html"): there the mail name decides, which only narrows what runs to NoFear's message view.
  const mail = byName.find((type) => MAIL_NAMED_TYPES.has(type));
  if (mail !== undefined && c.startsWith('text/')) return decision(mail, 'name', `the content is ${c}, as a message's body may read; the name makes it ${mail}`);
  if (!isKnownMime(tree, c)) {
    return decision(named, 'name', `the content type ${c} is unknown to shared-mime-info; going by the name: ${named}`);
  }
  return decision(c, 'content', `the content is ${c} but the name suggests ${named}: opening it as ${c} (the content wins)`);
}

const MIME_RE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

/**
 * Asks libmagic through `file` (Debian builds it with a seccomp sandbox, which matters: it parses hostile
 * bytes on the host). `--` keeps a name starting with `-` a name; -L examines a symlink's target.
 */
export async function contentMime(file: string, options: { timeoutMs?: number; command?: string } = {}): Promise<{ mime?: string; problem?: string }> {
  const command = options.command ?? process.env.NOFEAR_FILE ?? 'file';
  // Imported here: execa's 120 modules would otherwise load with every command that imports this one.
  const { execa } = await import('execa');
  const result = await execa(command, ['--brief', '--mime-type', '--dereference', '-E', '--', file], {
    timeout: options.timeoutMs ?? 5000,
    killSignal: 'SIGKILL',
    reject: false,
    stdin: 'ignore',
    env: { LC_ALL: 'C' },
    maxBuffer: 64 * 1024,
  });
  const output = typeof result.stdout === 'string' ? result.stdout.trim() : '';
  if (result.timedOut) return { problem: `${command} did not answer within ${options.timeoutMs ?? 5000} ms` };
  if (result.code === 'ENOENT') return { problem: `${command} is not installed (apt-get install file)` };
  if (result.failed || !MIME_RE.test(output)) {
    const stderr = typeof result.stderr === 'string' ? result.stderr.trim() : '';
    return { problem: `${command} failed: ${(stderr || output || (result.shortMessage ?? 'no output')).slice(0, 200)}` };
  }
  return { mime: output.toLowerCase() };
}

export async function loadMimeDatabase(reader: FileReader, xdg: XdgDirs): Promise<MimeDatabase> {
  const dirs = mimeDirs(xdg);
  const [tree, globs] = await Promise.all([loadMimeTree(reader, dirs), loadGlobs(reader, dirs)]);
  return { tree, globs };
}

/** Content first, then the name (`name` defaults to the file's own base name, e.g. for a staged copy). */
export async function detectMime(file: string, db: MimeDatabase, options: { name?: string; timeoutMs?: number; command?: string } = {}): Promise<MimeDecision> {
  const content = await contentMime(file, options);
  const decision = decideMime(db.tree, content.mime, matchName(db.globs, options.name ?? path.basename(file)).types);
  if (content.problem === undefined) return decision;
  return { ...decision, note: [content.problem, decision.note].filter((part) => part !== undefined).join('; ') };
}
