// The search orders the MIME specs derive from the XDG base directories (src/util/xdg.ts).
import path from 'node:path';
import { xdgConfigDirs, xdgConfigHome, xdgDataDirs, xdgDataHome } from '../util/xdg.js';

export interface XdgDirs {
  configHome: string;
  configDirs: string[];
  dataHome: string;
  dataDirs: string[];
  /** XDG_CURRENT_DESKTOP's names, lowercased, in order (for `$desktop-mimeapps.list`). */
  desktops: string[];
}

/** The base directories (util/xdg's rules), with `home` standing in for $HOME. */
export function xdgDirsFromEnv(env: NodeJS.ProcessEnv, home: string): XdgDirs {
  const withHome = { ...env, HOME: home };
  return {
    configHome: xdgConfigHome(withHome),
    configDirs: xdgConfigDirs(withHome),
    dataHome: xdgDataHome(withHome),
    dataDirs: xdgDataDirs(withHome),
    desktops: (env.XDG_CURRENT_DESKTOP ?? '')
      .split(':')
      .filter((name) => name !== '')
      .map((name) => name.toLowerCase()),
  };
}

/** Applications directories, highest precedence first: a desktop id found in an earlier one masks later ones. */
export function applicationDirs(xdg: XdgDirs): string[] {
  return unique([xdg.dataHome, ...xdg.dataDirs].map((dir) => path.join(dir, 'applications')));
}

/** Where shared-mime-info's generated files (globs2, subclasses, aliases, types) live, highest precedence first. */
export function mimeDirs(xdg: XdgDirs): string[] {
  return unique([xdg.dataHome, ...xdg.dataDirs].map((dir) => path.join(dir, 'mime')));
}

/**
 * The directories searched for mimeapps.list, in the MIME Applications spec's order: config home, config dirs,
 * then the applications directories (which also hold desktop files and mimeinfo.cache).
 */
export function mimeappsDirs(xdg: XdgDirs): Array<{ dir: string; holdsApplications: boolean }> {
  const apps = applicationDirs(xdg);
  const config = unique([xdg.configHome, ...xdg.configDirs]).filter((dir) => !apps.includes(dir));
  return [...config.map((dir) => ({ dir, holdsApplications: false })), ...apps.map((dir) => ({ dir, holdsApplications: true }))];
}

/** File names to read in one directory, in order: each desktop's own list, then the common one. */
export function mimeappsFileNames(desktops: readonly string[]): string[] {
  return [...desktops.map((desktop) => `${desktop}-mimeapps.list`), 'mimeapps.list'];
}

function unique(dirs: string[]): string[] {
  return [...new Set(dirs.map((dir) => path.normalize(dir)))];
}
