// Checking a target once, before anything is planned or copied: an absolute path to a readable regular
// file within the size limit, never a view of the system; and the name its staged copy gets.
import { promises as fsp, constants as fsc } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accessDenied, invalidArgument, limitReached, notFound } from '../errors.js';
import { configPath } from '../config/load.js';
import type { CheckedFile } from './staging.js';

/** Refuses what cannot be opened, with the error the D-Bus contract names; what can be is what stageCopy copies. */
export async function checkOpenable(file: string, maxBytes: number, env: NodeJS.ProcessEnv = process.env): Promise<CheckedFile> {
  if (!path.isAbsolute(file)) throw invalidArgument(`${JSON.stringify(file)} is not an absolute path.`, 'pass the full path, e.g. $PWD/FILE');
  let stat;
  try {
    stat = await fsp.stat(file, { bigint: true }); // follows a symlink: its target is what opens
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES') throw accessDenied(`${file} cannot be read: permission denied.`, `check its permissions: ls -l ${JSON.stringify(file)}`);
    throw notFound(`${file} does not exist.`, 'check the path');
  }
  if (stat.isDirectory()) throw invalidArgument(`${file} is a directory; NoFear opens files.`, 'open a file inside it');
  if (!stat.isFile()) throw invalidArgument(`${file} is not a regular file (a device, FIFO or socket).`, 'open a regular file');
  try {
    await fsp.access(file, fsc.R_OK);
  } catch {
    throw accessDenied(`${file} cannot be read: permission denied.`, `check its permissions: ls -l ${JSON.stringify(file)}`);
  }
  const size = Number(stat.size);
  if (size > maxBytes) {
    throw limitReached(
      `${file} is ${size} bytes, over the ${maxBytes}-byte limit for opened files.`,
      `raise [open] max_file_size in ${configPath(env)} (e.g. max_file_size = ${Math.ceil(size / 1024 ** 3)}G)`,
    );
  }
  const source = await fsp.realpath(file);
  if (isSystemView(source)) {
    throw invalidArgument(`${file} is a view of the system (${source}), not a document.`, 'copy what you want to open into a regular file first');
  }
  return { source, size, dev: stat.dev, ino: stat.ino };
}

/**
 * Kernel and device views are not documents (/proc/self/environ would hand our environment to the guest),
 * nor is /run, except where it holds the user's own files: removable media mounted by udisks
 * (/run/media/$USER/..., Fedora and Arch) and files handed over by the document portal (/run/user/$UID/doc/...).
 */
export function isSystemView(canonical: string, user = os.userInfo().username, uid = process.getuid?.() ?? 0): boolean {
  const usersOwn = [`/run/media/${user}/`, `/run/user/${uid}/doc/`];
  if (usersOwn.some((dir) => canonical.startsWith(dir))) return false;
  return /^\/(proc|sys|dev|run)(\/|$)/.test(canonical);
}

/** A base name safe to create in the staging dir, keeping what the user would recognise. */
export function stagedNameFor(file: string): string {
  const base = path.basename(file);
  // Names are bytes on Linux: only '/' and NUL are impossible, and "." / ".." would escape.
  const cleaned = base.replace(/\0/g, '');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned;
}
