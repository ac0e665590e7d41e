// An in-memory FileReader for the desktop tests: files, executables and symlinks declared by path.
import path from 'node:path';
import type { DirEntry, FileReader } from '../../../src/desktop/file-reader.js';

export interface MemoryTree {
  files?: Record<string, string>;
  /** Executable paths (their content does not matter). */
  executables?: readonly string[];
  /** link path → target path, for realpath. */
  symlinks?: Record<string, string>;
}

export function memoryReader(tree: MemoryTree): FileReader {
  const files = new Map(Object.entries(tree.files ?? {}));
  const executables = new Set(tree.executables ?? []);
  const symlinks = new Map(Object.entries(tree.symlinks ?? {}));
  const all = [...files.keys(), ...executables, ...symlinks.keys()];
  return {
    async readText(file) {
      return files.get(path.posix.normalize(file));
    },
    async listDir(dir) {
      const prefix = `${path.posix.normalize(dir)}/`;
      const entries = new Map<string, DirEntry>();
      for (const file of all) {
        if (!file.startsWith(prefix)) continue;
        const [name, ...rest] = file.slice(prefix.length).split('/');
        if (name !== undefined) entries.set(name, { name, kind: rest.length > 0 ? 'directory' : 'file' });
      }
      return [...entries.values()];
    },
    async isExecutable(file) {
      return executables.has(file) || executables.has(symlinks.get(file) ?? '');
    },
    async realpath(file) {
      const target = symlinks.get(file);
      if (target !== undefined) return executables.has(target) || files.has(target) ? target : undefined;
      return executables.has(file) || files.has(file) ? file : undefined;
    },
  };
}

/** A desktop entry's text from a few keys. */
export function desktopFile(keys: Record<string, string>): string {
  const lines = Object.entries({ Type: 'Application', ...keys }).map(([key, value]) => `${key}=${value}`);
  return ['[Desktop Entry]', ...lines, ''].join('\n');
}
