// Finds the installed `nofear-open` and `nofearctl` launchers: every file `integrate install` writes names
// them by absolute path, because neither D-Bus activation nor a file manager searches the user's PATH.
import path from 'node:path';
import { homeDir, type Env } from '../util/xdg.js';
import { invalidArgument, unavailable } from '../errors.js';
import { nodeFileReader } from '../desktop/file-reader.js';

export interface Launchers {
  nofearOpen: string;
  nofearctl: string;
}

const NAMES = { nofearOpen: 'nofear-open', nofearctl: 'nofearctl' } as const;

/**
 * NOFEAR_BIN_DIR when set, else the first PATH directory holding both launchers, else `make install`'s
 * default PREFIX/bin (~/.local/bin is missing from PATH on many desktops until the next login).
 */
export async function findLaunchers(env: Env = process.env): Promise<Launchers> {
  const explicit = env.NOFEAR_BIN_DIR;
  const candidates = explicit !== undefined && explicit !== '' ? [explicit] : [...(env.PATH ?? '').split(':'), path.join(homeDir(env), '.local', 'bin')];
  for (const dir of candidates.filter((d) => path.isAbsolute(d))) {
    const found = { nofearOpen: path.join(dir, NAMES.nofearOpen), nofearctl: path.join(dir, NAMES.nofearctl) };
    if ((await nodeFileReader.isExecutable(found.nofearOpen)) && (await nodeFileReader.isExecutable(found.nofearctl))) {
      checkQuotable(found.nofearOpen);
      checkQuotable(found.nofearctl);
      return found;
    }
  }
  const where = explicit !== undefined && explicit !== '' ? `NOFEAR_BIN_DIR (${explicit})` : 'PATH or ~/.local/bin';
  throw unavailable(
    `No nofear-open and nofearctl launchers found in ${where}; the desktop files must name installed programs.`,
    'run `make install` in the NoFear checkout (it writes them to ~/.local/bin), then run this again',
  );
}

// Desktop Exec, D-Bus service Exec, systemd ExecStart and g_shell_parse_argv (Thunar, Nemo) quote alike only
// for plain characters and spaces; `"`, `$`, `%`, `\` and backquotes each need a different escape in each.
const PLAIN = /^[A-Za-z0-9/._+@,:=-]+$/;
const QUOTABLE = /^[A-Za-z0-9/._+@,:=~ -]+$/;

function checkQuotable(file: string): void {
  if (!QUOTABLE.test(file)) {
    throw invalidArgument(
      `The launcher path ${JSON.stringify(file)} has characters that desktop files cannot quote the same way everywhere.`,
      'install NoFear with a PREFIX whose path has only letters, digits, spaces and . _ + @ , : = ~ - (make install PREFIX=...)',
    );
  }
}

/** The path as one command-line word in every format NoFear writes it into. */
export function quoteProgram(file: string): string {
  checkQuotable(file);
  return PLAIN.test(file) ? file : `"${file}"`;
}
