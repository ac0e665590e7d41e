// The packages NoFear needs at run time, read from package-lock.json: every installed entry that is
// neither a dev dependency nor only optional (dbus-next's optional usocket is native code, which an
// Architecture: all package must not carry, and NoFear never loads it). Used by `make install`,
// `make deb` and their tests, so all three ship the same node_modules.
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  license?: string;
}

export interface ProductionModule {
  /** Relative to the checkout: node_modules/a or node_modules/a/node_modules/b. */
  dir: string;
  name: string;
  version: string;
}

export function productionModules(lockText: string): ProductionModule[] {
  const lock = JSON.parse(lockText) as { packages?: Record<string, LockEntry> };
  return Object.entries(lock.packages ?? {})
    .filter(([dir, entry]) => dir.startsWith('node_modules/') && entry.dev !== true && entry.devOptional !== true && entry.optional !== true)
    .map(([dir, entry]) => ({ dir, name: dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length), version: entry.version ?? '' }))
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

export function readProductionModules(checkout: string): ProductionModule[] {
  return productionModules(readFileSync(`${checkout}/package-lock.json`, 'utf8'));
}
