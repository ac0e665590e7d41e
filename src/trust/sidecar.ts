// Where a filesystem has no user xattrs, NoFear keeps the same attributes in its state:
// $XDG_STATE_HOME/nofear/marks.json, keyed by device and inode (so the entry follows a rename on that
// filesystem, as an xattr would). Written atomically; read again before each change.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/publish.js';
import { xdgStateHome, type Env } from '../util/xdg.js';

export interface SidecarEntry {
  /** The path when it was recorded (for people reading the file; the key is the inode). */
  path: string;
  attrs: Record<string, string>;
}

export type Sidecar = Record<string, SidecarEntry>;

/** Bounds the file: the oldest entries go first (an inode may long since have been reused). */
const MAX_ENTRIES = 20_000;

export const sidecarKey = (dev: number, ino: number) => `${dev}:${ino}`;

export function sidecarFile(env: Env): string {
  return path.join(xdgStateHome(env), 'nofear', 'marks.json');
}

export async function readSidecar(env: Env): Promise<Sidecar> {
  try {
    const parsed: unknown = JSON.parse(await fsp.readFile(sidecarFile(env), 'utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Sidecar) : {};
  } catch {
    return {}; // none yet, or damaged: marks written from now on still count
  }
}

/** Pure: the sidecar with `name` set (value) or removed (undefined) on one inode. */
export function withAttr(sidecar: Sidecar, key: string, file: string, name: string, value: string | undefined): Sidecar {
  const { [key]: current, ...rest } = sidecar;
  const attrs = { ...(current?.attrs ?? {}) };
  if (value === undefined) delete attrs[name];
  else attrs[name] = value;
  const next: Sidecar = Object.keys(attrs).length === 0 ? rest : { ...rest, [key]: { path: file, attrs } };
  const keys = Object.keys(next);
  return keys.length <= MAX_ENTRIES ? next : Object.fromEntries(keys.slice(keys.length - MAX_ENTRIES).map((k) => [k, next[k] as SidecarEntry]));
}

// One change at a time in this process (the watcher marks many files at once): read, change, write.
let queue: Promise<void> = Promise.resolve();

export function updateSidecar(env: Env, key: string, file: string, name: string, value: string | undefined): Promise<void> {
  const change = async () => {
    const target = sidecarFile(env);
    await fsp.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await writeFileAtomic(target, `${JSON.stringify(withAttr(await readSidecar(env), key, file, name, value))}\n`, 0o600);
  };
  const next = queue.then(change);
  queue = next.catch(() => undefined);
  return next;
}
