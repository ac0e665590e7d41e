// The few filesystem questions the desktop logic asks, behind an interface so tests can answer from memory.
import { constants, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ProgramProbe } from './program.js';

export interface DirEntry {
  name: string;
  kind: 'file' | 'directory' | 'other';
}

export interface FileReader extends ProgramProbe {
  /** The file's text, or undefined when it is missing, unreadable, not a regular file or too large. */
  readText(file: string): Promise<string | undefined>;
  /** A directory's entries (symlinks followed), or [] when it cannot be listed. */
  listDir(dir: string): Promise<DirEntry[]>;
}

// Generous for mimeinfo.cache and globs2 (tens of KiB); a file this large in these places is not ours to parse.
const MAX_TEXT_BYTES = 8 * 1024 * 1024;

/** The real filesystem. Errors mean "absent": a broken desktop file must not stop the others from loading. */
export const nodeFileReader: FileReader = {
  async readText(file) {
    try {
      const stat = await fsp.stat(file);
      if (!stat.isFile() || stat.size > MAX_TEXT_BYTES) return undefined;
      return await fsp.readFile(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  async listDir(dir) {
    let names: string[];
    try {
      names = await fsp.readdir(dir);
    } catch {
      return [];
    }
    return Promise.all(
      names.map(async (name): Promise<DirEntry> => {
        try {
          const stat = await fsp.stat(path.join(dir, name));
          return { name, kind: stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other' };
        } catch {
          return { name, kind: 'other' };
        }
      }),
    );
  },
  async isExecutable(file) {
    try {
      const stat = await fsp.stat(file);
      if (!stat.isFile()) return false;
      await fsp.access(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  async realpath(file) {
    try {
      return await fsp.realpath(file);
    } catch {
      return undefined;
    }
  },
};
