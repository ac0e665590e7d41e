// A throwaway HOME with its own XDG directories and NoFear launchers, for `nofearctl integrate` tests; the
// commands run from the TypeScript sources through tsx, and GLib's own view is asked with `gio mime`.
import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './cli.js';

export interface Tree {
  top: string;
  home: string;
  env: Record<string, string>;
  configHome: string;
  dataHome: string;
  stateFile: string;
  /** Where the fake launchers are: a path with a space, so every format's quoting is exercised. */
  bin: string;
  nofearctl(...args: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }>;
  /** GLib's default application for the type in this tree, or undefined. */
  gioDefault(type: string): Promise<string | undefined>;
  /** Every path below HOME (relative), for before/after comparisons. */
  listing(): string[];
  cleanup(): void;
}

export function makeTree(): Tree {
  const top = mkdtempSync(path.join(tmpdir(), 'nofear-integrate-'));
  const home = path.join(top, 'home');
  const bin = path.join(top, 'with space', 'bin');
  const configDirs = path.join(top, 'etc-xdg');
  for (const dir of [home, bin, configDirs]) mkdirSync(dir, { recursive: true });
  for (const name of ['nofear', 'nofear-open', 'nofearctl']) {
    const launcher = path.join(bin, name);
    writeFileSync(launcher, `#!/bin/sh\nexec node ${JSON.stringify(path.join(ROOT, 'dist', 'cli', `${name}.js`))} "$@"\n`);
    chmodSync(launcher, 0o755);
  }
  const configHome = path.join(home, '.config');
  const dataHome = path.join(home, '.local', 'share');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: home,
    XDG_CONFIG_HOME: configHome,
    XDG_DATA_HOME: dataHome,
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
    // The tree's own (empty) system config dir, then the test machine's desktop defaults (mupdf for PDFs:
    // test/helpers/desktop-defaults.cjs), never /etc/xdg.
    XDG_CONFIG_DIRS: [configDirs, path.join(ROOT, 'test', 'fixtures', 'desktop-defaults')].join(':'),
    XDG_DATA_DIRS: '/usr/local/share:/usr/share',
    NOFEAR_BIN_DIR: bin,
    // Never the developer's own systemd or session bus.
    NOFEAR_SYSTEMCTL: '/bin/true',
  };
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => {
        const full = path.join(dir, name);
        return statSync(full).isDirectory() ? [`${path.relative(home, full)}/`, ...walk(full)] : [path.relative(home, full)];
      });
  return {
    top,
    home,
    env,
    configHome,
    dataHome,
    stateFile: path.join(home, '.local', 'state', 'nofear', 'integration.json'),
    bin,
    async nofearctl(...args) {
      const result = await execa(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'nofearctl.ts'), ...args], {
        cwd: ROOT,
        env,
        extendEnv: false,
        reject: false,
        timeout: 120_000,
      });
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
    },
    async gioDefault(type) {
      const result = await execa('gio', ['mime', type], { env, extendEnv: false, reject: false, timeout: 30_000 });
      return /^Default application for .*?: (\S+)$/m.exec(result.stdout)?.[1];
    },
    listing: () => walk(home),
    cleanup: () => rmSync(top, { recursive: true, force: true }),
  };
}
