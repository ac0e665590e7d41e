// Copies the built program into a directory of its own: what package.json's `files` lists (what npm
// ships), package.json, and the production node_modules only. `make install` stages into
// PREFIX/lib/nofear and `make deb` into usr/lib/nofear, so neither depends on the checkout afterwards.
// Usage: node --import tsx packaging/stage.ts DEST
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProductionModules } from './production-modules.js';

export const CHECKOUT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Whether a file or directory of a node module is one a running program reads: not its tests, examples,
 * type declarations, source maps, documentation or dotfiles (.npmignore, CI settings). Licences stay.
 * `relative` is the path inside the module.
 */
export function runtimeFile(relative: string): boolean {
  const parts = relative.split(path.sep);
  const base = parts.at(-1) ?? '';
  if (parts.some((part) => part.startsWith('.') && part !== '.' && part !== '..')) return false;
  if (parts.slice(0, -1).some((dir) => /^(tests?|examples?|docs?|benchmarks?)$/i.test(dir)) || /^(tests?|examples?|docs?|benchmarks?)$/i.test(base)) return false;
  if (/^(licen[cs]e|copying|notice)/i.test(base)) return true;
  return !/\.(d\.[cm]?ts|map|md|markdown)$/i.test(base) && !/^(readme|changelog|history)(\..*)?$/i.test(base);
}

/**
 * What npm ships (package.json's `files`, whose "!" exclusions stageProgram's filter applies), less the
 * README: installs put it under share/doc, or nowhere.
 */
export function shippedFiles(checkout = CHECKOUT): string[] {
  const pkg = JSON.parse(readFileSync(path.join(checkout, 'package.json'), 'utf8')) as { files?: string[] };
  return [...(pkg.files ?? []).filter((f) => f !== 'README.md' && !f.startsWith('!')), 'package.json'];
}

/** Directories the filters left empty (a module's types/ without its .d.ts files). */
function pruneEmptyDirs(dir: string): boolean {
  let empty = true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && pruneEmptyDirs(full)) rmdirSync(full);
    else empty = false;
  }
  return empty;
}

export function stageProgram(dest: string, checkout = CHECKOUT): void {
  if (!existsSync(path.join(checkout, 'dist', 'cli', 'nofear.js'))) throw new Error(`${checkout}dist is not built: run make build first`);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const entry of shippedFiles(checkout)) {
    const source = path.join(checkout, entry);
    // dist's source maps point at src/*.ts, which does not ship.
    cpSync(source, path.join(dest, entry), { recursive: true, filter: (file) => !file.endsWith('.map') });
  }
  for (const module of readProductionModules(checkout)) {
    const source = path.join(checkout, module.dir);
    if (!existsSync(source)) throw new Error(`${module.dir} is not installed: run npm ci first`);
    // A nested node_modules holds packages of its own lock entries: each is copied (or left out) by its own.
    cpSync(source, path.join(dest, module.dir), {
      recursive: true,
      filter: (file) => file === source || (path.relative(source, file).split(path.sep)[0] !== 'node_modules' && runtimeFile(path.relative(source, file))),
    });
  }
  pruneEmptyDirs(path.join(dest, 'node_modules'));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dest = process.argv[2];
  if (dest === undefined || !path.isAbsolute(dest)) {
    process.stderr.write('usage: node --import tsx packaging/stage.ts /absolute/dest\n');
    process.exit(2);
  }
  stageProgram(dest);
}
