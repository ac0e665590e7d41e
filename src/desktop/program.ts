// Finds the program an Exec line runs and says whether the guest can run it: only what lies under the
// exported host directories exists in the VM, so Flatpak, snap, AppImage and $HOME programs are skipped.
import path from 'node:path';
import { parseExec, programIndex } from './exec-line.js';
import { isNoFearError } from '../errors.js';

/** The host directories exported read-only to the guest (DESIGN, principle 2). */
export const DEFAULT_GUEST_ROOTS: readonly string[] = ['/usr', '/bin', '/lib', '/lib64', '/sbin', '/opt'];

/** The guest's PATH: a bare program name in Exec resolves against this, inside the VM. */
export const DEFAULT_GUEST_PATH: readonly string[] = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export interface ProgramProbe {
  isExecutable(file: string): Promise<boolean>;
  /** The path with every symlink resolved, or undefined when it does not resolve. */
  realpath(file: string): Promise<string | undefined>;
}

export interface ProgramCheck {
  /** The program as Exec names it (after an `env VAR=value` prefix). */
  program: string;
  /** Where it was found. */
  found: string | undefined;
  runnable: boolean;
  /** Why it cannot run in the guest (for --verbose). */
  reason: string | undefined;
}

export function isUnder(file: string, roots: readonly string[]): boolean {
  const normal = path.posix.normalize(file);
  return roots.some((root) => normal === root || normal.startsWith(root.endsWith('/') ? root : `${root}/`));
}

/** A bare name is looked up on `searchPath`; a name with a slash must be absolute. */
export async function findProgram(program: string, searchPath: readonly string[], probe: ProgramProbe): Promise<string | undefined> {
  if (program.includes('/')) return path.posix.isAbsolute(program) && (await probe.isExecutable(program)) ? program : undefined;
  for (const dir of searchPath) {
    if (!path.posix.isAbsolute(dir)) continue;
    const candidate = path.posix.join(dir, program);
    if (await probe.isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function packagedElsewhere(program: string): string | undefined {
  const base = path.posix.basename(program);
  if (base === 'flatpak') return 'a Flatpak app: its files live under /var/lib/flatpak or ~/.local/share/flatpak, which the VM does not see';
  if (base === 'snap' || program.startsWith('/snap/')) return 'a snap: its files live under /snap, which the VM does not see';
  if (/\.appimage$/i.test(base)) return 'an AppImage: it is not part of the exported system directories';
  return undefined;
}

/** Decides whether the guest can run `program` (symlinks must end under the roots too). */
export async function checkProgram(program: string, options: { searchPath: readonly string[]; roots: readonly string[]; probe: ProgramProbe }): Promise<ProgramCheck> {
  const refuse = (found: string | undefined, reason: string): ProgramCheck => ({ program, found, runnable: false, reason });
  const elsewhere = packagedElsewhere(program);
  if (elsewhere !== undefined) return refuse(undefined, `${program} is ${elsewhere}`);
  const found = await findProgram(program, options.searchPath, options.probe);
  if (found === undefined) {
    return refuse(undefined, program.includes('/') ? `${program} is not an executable file` : `${program} is not on the path (${options.searchPath.join(':')})`);
  }
  const packaged = packagedElsewhere(found);
  if (packaged !== undefined) return refuse(found, `${found} is ${packaged}`);
  const exported = options.roots.join(' ');
  if (!isUnder(found, options.roots)) return refuse(found, `${found} is outside the directories the VM sees (${exported})`);
  const real = await options.probe.realpath(found);
  if (real === undefined || !isUnder(real, options.roots)) {
    return refuse(found, `${found} leads to ${real ?? 'nothing'}, outside the directories the VM sees (${exported})`);
  }
  return { program, found, runnable: true, reason: undefined };
}

/** The program an Exec line runs, or the reason the line is unusable. */
export function execProgram(exec: string): { program: string } | { error: string } {
  try {
    const { tokens } = parseExec(exec);
    return { program: tokens[programIndex(tokens)]?.text ?? '' };
  } catch (error) {
    if (isNoFearError(error)) return { error: error.message };
    throw error;
  }
}
