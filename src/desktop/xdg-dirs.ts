// The XDG base directories from the environment, and the search orders the MIME specs derive from them.
import path from 'node:path';

export interface XdgDirs {
  configHome: string;
  configDirs: string[];
  dataHome: string;
  dataDirs: string[];
  /** XDG_CURRENT_DESKTOP's names, lowercased, in order (for `$desktop-mimeapps.list`). */
  desktops: string[];
}

/** Per the basedir spec: unset or empty means the default, and relative entries are ignored. */
export function xdgDirsFromEnv(env: NodeJS.ProcessEnv, home: string): XdgDirs {
  const one = (value: string | undefined, fallback: string) =>
    value !== undefined && path.isAbsolute(value) ? value : fallback;
  const many = (value: string | undefined, fallback: string[]) => {
    const dirs = (value ?? '').split(':').filter((dir) => path.isAbsolute(dir));
    return dirs.length > 0 ? dirs : fallback;
  };
  return {
    configHome: one(env.XDG_CONFIG_HOME, path.join(home, '.config')),
    configDirs: many(env.XDG_CONFIG_DIRS, ['/etc/xdg']),
    dataHome: one(env.XDG_DATA_HOME, path.join(home, '.local', 'share')),
    dataDirs: many(env.XDG_DATA_DIRS, ['/usr/local/share', '/usr/share']),
    desktops: (env.XDG_CURRENT_DESKTOP ?? '').split(':').filter((name) => name !== '').map((name) => name.toLowerCase()),
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
  return [
    ...config.map((dir) => ({ dir, holdsApplications: false })),
    ...apps.map((dir) => ({ dir, holdsApplications: true })),
  ];
}

/** File names to read in one directory, in order: each desktop's own list, then the common one. */
export function mimeappsFileNames(desktops: readonly string[]): string[] {
  return [...desktops.map((desktop) => `${desktop}-mimeapps.list`), 'mimeapps.list'];
}

function unique(dirs: string[]): string[] {
  return [...new Set(dirs.map((dir) => path.normalize(dir)))];
}
