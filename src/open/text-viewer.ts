// The text viewer of last resort: where no graphical program opens a text file, an X terminal from the
// host's packages runs `less` on it inside the VM, and that terminal is the forwarded window (never the
// host's own terminal). Pure but for the executable lookup, which callers may replace.
import { findExecutable } from '../util/which.js';
import { GUEST_USER_PATH } from '../vm/guest-env.js';

/** The id --dry-run and ps show for it (not a desktop entry: NoFear builds the command itself). */
export const TERMINAL_VIEWER_ID = 'nofear:xterm-less';

export interface TerminalViewer {
  id: string;
  name: string;
  argv: string[];
}

const inGuest = (tool: string) => findExecutable(tool, { PATH: GUEST_USER_PATH });

/** For a text type (its lineage reaches text/plain), `xterm -e less FILE` when both are installed; else undefined. */
export function terminalTextViewer(lineage: readonly string[], stagedPath: string, title: string, find: (tool: string) => string | undefined = inGuest): TerminalViewer | undefined {
  if (!lineage.includes('text/plain') && !lineage.some((type) => type.startsWith('text/'))) return undefined;
  const xterm = find('xterm');
  const less = find('less');
  if (xterm === undefined || less === undefined) return undefined;
  // -T: the window's title names the file; `--` so that a file name never reads as an option to less.
  return { id: TERMINAL_VIEWER_ID, name: 'a terminal (xterm, less)', argv: [xterm, '-T', title, '-e', less, '--', stagedPath] };
}
