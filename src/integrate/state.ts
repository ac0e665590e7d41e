// integration.json: what `integrate install` wrote (with hashes), the defaults it replaced, and the bytes of
// each file it edited, so that `uninstall` can remove exactly that and restore an untouched file byte for byte.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { NoFearError } from '../errors.js';
import { writeFileAtomic } from '../util/publish.js';
import type { Launchers } from './launchers.js';
import { integrationPaths } from './paths.js';

export interface InstalledFile {
  role: string;
  path: string;
  sha256: string;
}

/** A file NoFear edits rather than owns (mimeapps.list, Thunar's uca.xml). */
export interface EditedFile {
  path: string;
  existedBefore: boolean;
  /** The bytes before NoFear's first edit, base64; null once someone else changed the file in between. */
  before: string | null;
  /** The hash of what NoFear last wrote: equal to the file's now means nobody else touched it. */
  afterSha256: string;
  /** mimeapps.list groups NoFear added. */
  createdGroups: string[];
}

export interface IntegrationState {
  version: 1;
  installedAt: string;
  launchers: Launchers;
  files: InstalledFile[];
  /** Directories install created, deepest last; uninstall removes those left empty. */
  createdDirs: string[];
  /** The types NoFear was made the default for. */
  types: string[];
  /** type → the desktop id that opened it before (read by the viewer lookup through previousDefaults below). */
  previousDefaults: Record<string, string>;
  mimeapps: EditedFile | null;
  thunar: EditedFile | null;
  /** The user's tumbler.rc (absent in records written before NoFear edited it). */
  tumbler?: EditedFile | null;
  /** Whether the applications dir had a mimeinfo.cache before: if not, uninstall removes an empty one. */
  mimeinfoCacheExisted: boolean;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function readBytes(file: string): Promise<Buffer | undefined> {
  try {
    return await fsp.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NoFearError('AccessDenied', `Cannot read ${file}: ${(error as Error).message}.`, { fix: `check its permissions: ls -l ${JSON.stringify(file)}`, cause: error });
  }
}

function isState(value: unknown): value is IntegrationState {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Partial<IntegrationState>;
  return v.version === 1 && Array.isArray(v.files) && Array.isArray(v.types) && Array.isArray(v.createdDirs) && typeof v.previousDefaults === 'object' && v.previousDefaults !== null;
}

export async function readState(file: string): Promise<IntegrationState | undefined> {
  const bytes = await readBytes(file);
  if (bytes === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    parsed = error;
  }
  if (!isState(parsed)) {
    throw new NoFearError('InvalidArgument', `${file} is not a NoFear integration record (it is damaged or from another version).`, {
      fix: `move it aside (mv ${JSON.stringify(file)} ${JSON.stringify(`${file}.bak`)}) and run nofearctl integrate install again; remove what it listed by hand`,
    });
  }
  return parsed;
}

export async function writeState(file: string, state: IntegrationState): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`, 0o600);
}

export async function removeState(file: string): Promise<void> {
  await fsp.rm(file, { force: true });
}

/**
 * The defaults `integrate install` replaced with NoFear, per MIME type: the viewer NoFear starts in the
 * VM comes from these first. The open path must still work when the record is damaged: it then has none.
 */
export async function previousDefaults(env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  let state: IntegrationState | undefined;
  try {
    state = await readState(integrationPaths(env).stateFile);
  } catch {
    return {}; // damaged or unreadable: `integrate status` reports it; opening a file goes on without it
  }
  return Object.fromEntries(Object.entries(state?.previousDefaults ?? {}).filter((pair): pair is [string, string] => typeof pair[1] === 'string'));
}

/** Whether `integrate install` made NoFear the default for some types (the pool then keeps a GUI VM ready). */
export async function isDefaultHandler(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  try {
    return ((await readState(integrationPaths(env).stateFile))?.types.length ?? 0) > 0;
  } catch {
    return false; // damaged: `integrate status` reports it
  }
}
