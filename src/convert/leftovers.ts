// What a conversion that crashed (its process killed, the machine off) leaves: the safe PDF's temporary
// file beside the document (.NAME.safe.pdf.nofear-<16 hex>) and its work directory in the cache
// (convert-<pid>-XXXXXX: the pages' spools, the OCR's PNGs). Every conversion sweeps them first: a work
// directory whose process is gone, and a temporary PDF or an older work directory (convert-XXXXXX, no pid) nobody can still be writing (older than three job deadlines: the converter's, the OCR's,
// and a margin). Nothing else is touched, and a sweep that fails never stops the conversion.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { pidRuns } from '../util/owned-dirs.js';
import { removeTree } from '../util/remove-tree.js';
import { JOB_DEADLINE_MS } from './limits.js';

const WORK_DIR = /^convert-(?:([1-9][0-9]{0,9})-)?[A-Za-z0-9]{6}$/;

/** mkdtemp's prefix for a conversion's work directory in the cache: convert-<pid>-, so the sweep can tell whose it is. */
export const workDirPrefix = (cacheRoot: string, pid: number = process.pid): string => path.join(cacheRoot, `convert-${pid}-`);
const TEMP_PDF = /^\..*\.safe(-[0-9]+)?\.pdf\.nofear-[0-9a-f]{16}$/;
/** Older than this, nothing can still be writing it. */
export const ABANDONED_AFTER_MS = 3 * JOB_DEADLINE_MS;

export type Leftover = { kind: 'work-dir'; pid?: number } | { kind: 'temp-pdf' } | undefined;

/** What a name in the cache or beside a document is, by name alone (pure). */
export function leftoverKind(name: string, where: 'cache' | 'output'): Leftover {
  if (where === 'output') return TEMP_PDF.test(name) ? { kind: 'temp-pdf' } : undefined;
  const match = WORK_DIR.exec(name);
  if (match === null) return undefined;
  return match[1] === undefined ? { kind: 'work-dir' } : { kind: 'work-dir', pid: Number(match[1]) };
}

/** Whether a leftover is abandoned: its process is gone (when it names one), or it is older than anyone's deadline. */
export function abandoned(leftover: NonNullable<Leftover>, ageMs: number, pidRuns: (pid: number) => boolean): boolean {
  if (ageMs > ABANDONED_AFTER_MS) return true;
  return leftover.kind === 'work-dir' && leftover.pid !== undefined && !pidRuns(leftover.pid);
}

async function sweep(dir: string, where: 'cache' | 'output', log: ((line: string) => void) | undefined): Promise<void> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const leftover = leftoverKind(name, where);
    if (leftover === undefined) continue;
    const file = path.join(dir, name);
    const stat = await fsp.lstat(file).catch(() => undefined);
    if (stat === undefined || !(leftover.kind === 'work-dir' ? stat.isDirectory() : stat.isFile())) continue;
    if (!abandoned(leftover, Date.now() - stat.mtimeMs, pidRuns)) continue;
    if (await removeTree(file, log)) log?.(`removed ${file}, left by a conversion that did not finish`);
  }
}

export async function reapConversionLeftovers(outputDir: string, cacheRoot: string, log?: (line: string) => void): Promise<void> {
  await sweep(outputDir, 'output', log);
  await sweep(cacheRoot, 'cache', log);
}
