// A link VM's downloads: the guest's Downloads folder is a writable export (as --edit's copy is, on disk,
// mapped-xattr, its size capped by src/vm/export-budget.ts). Once QEMU is gone the folder is moved aside
// (nothing of the VM can write it after that), its regular files are offered to the user, and only an
// explicit "keep" copies them into the user's download folder: new files, never replacing one, marked as
// from outside before they get their name. Nobody to ask, or no answer: nothing leaves.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ExportSpec } from '../vm/vm-shape.js';
import type { WritableCopy } from '../sandbox/open-file.js';
import { checkUserXattrs } from './xattr-probe.js';
import { openRegular, readAll } from './edit-files.js';
import { loadPlaces } from '../trust/places.js';
import { markGuestMade } from '../trust/origin.js';
import { createFilled, writeAll } from '../util/new-file.js';
import { publishNoClobber, tempPathFor } from '../util/publish.js';
import { removeTree } from '../util/remove-tree.js';
import { runTool } from '../util/run.js';
import { chooseDownloads, keptName, type HeldEntry, type Offered } from '../open/download-choice.js';

/** Where the guest's browser saves: its Downloads folder is the export (mounted at /staging by init.sh). */
export const GUEST_DOWNLOADS = '/staging';
/** Files offered at most; entries looked at at most (a guest can make millions). */
export const MAX_DOWNLOADS = 20;
const MAX_ENTRIES = 500;

/**
 * Run in the guest before the browser, as the user: ~/Downloads is the export, and user-dirs.dirs says so
 * (Firefox, Chromium and GLib programs save there by default).
 */
const GUEST_SETUP = [
  'rmdir "$HOME/Downloads" 2>/dev/null',
  `ln -sfn ${GUEST_DOWNLOADS} "$HOME/Downloads" && mkdir -p "$HOME/.config" && printf 'XDG_DOWNLOAD_DIR="$HOME/Downloads"\\n' >"$HOME/.config/user-dirs.dirs"`,
  'exec "$@"',
].join('\n');

export interface DownloadsQuestion {
  /** The names they would be kept under. */
  names: string[];
  folder: string;
}

export type DownloadsAsker = (question: DownloadsQuestion) => Promise<'keep' | 'discard'>;

export type DownloadsOutcome =
  /** Nothing to offer; `left`: what was there and why it was not offered. */
  { kind: 'none'; left: string[] } | { kind: 'discarded'; names: string[]; left: string[] } | { kind: 'kept'; folder: string; paths: string[]; left: string[] };

/** Lists the held folder without following anything: the host's kind, the guest's (mapped-xattr's mode), the size; names as UTF-8 or null. */
const LIST = String.raw`
import json, os, stat, sys
out = []
with os.scandir(sys.argv[1]) as entries:
    for entry in entries:
        if len(out) >= int(sys.argv[2]):
            break
        try:
            name = entry.name.encode("utf-8", "strict").decode("utf-8")
        except UnicodeError:
            name = None
        st = entry.stat(follow_symlinks=False)
        try:
            raw = os.getxattr(entry.path, "user.virtfs.mode", follow_symlinks=False)
            guest = "file" if stat.S_ISREG(int.from_bytes(raw[:4], sys.byteorder)) else "other"
        except OSError:
            guest = "unsaid"
        out.append({"name": name, "host": "file" if stat.S_ISREG(st.st_mode) else "other", "guest": guest, "size": st.st_size})
json.dump(out, sys.stdout)
`;

async function listHeld(dir: string): Promise<HeldEntry[]> {
  const result = await runTool('/usr/bin/python3', ['-I', '-S', '-c', LIST, dir, String(MAX_ENTRIES)], { timeoutMs: 20_000 });
  if (result.failed) throw new Error(`cannot list the downloads: ${result.timedOut ? 'it took over 20 s' : result.stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(result.stdout) as HeldEntry[];
}

/** The user's download folder (xdg:DOWNLOAD, as [trust] places reads it). */
export async function downloadFolder(env: NodeJS.ProcessEnv): Promise<string> {
  const { places } = await loadPlaces(['xdg:DOWNLOAD'], env);
  const folder = places[0];
  if (folder === undefined) throw new Error('there is no download folder (xdg-user-dir DOWNLOAD)');
  return folder;
}

/** One offered file copied out (read from one descriptor, never through a link), marked, then named without replacing anything. */
async function keepOne(held: string, offered: Offered, folder: string, maxBytes: number, env: NodeJS.ProcessEnv): Promise<string> {
  const input = await openRegular(path.join(held, offered.held));
  if (input === undefined) throw new Error('it is no longer a regular file');
  const temp = tempPathFor(path.join(folder, offered.name));
  try {
    await createFilled(temp, 0o644, async (output) => void (await readAll(input, maxBytes, (chunk) => writeAll(output, chunk))), { sync: true });
  } finally {
    await input.close();
  }
  try {
    // Marked before it gets its name (the mark moves with the link), so it is never there unmarked.
    await markGuestMade(temp, 'a download kept from a link', env);
    return await publishNoClobber(temp, (attempt) => path.join(folder, keptName(offered.name, attempt)));
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
}

export class LinkDownloads implements WritableCopy {
  private held: string | undefined;
  /** Why the guest could not save there (the cache's filesystem keeps no user xattrs): the link still opens. */
  private problem: string | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** An empty folder the guest writes (capped as --edit's copy is); without mapped-xattr's attributes it cannot, and is told so after. */
  exportSpec(): ExportSpec {
    const fill = async (dir: string) => {
      try {
        await checkUserXattrs(dir);
      } catch (error) {
        this.problem = error instanceof Error ? error.message : String(error);
      }
    };
    return { bytes: 0, writable: true, fill };
  }

  /** The browser's command, with the guest's Downloads folder made the export first. */
  guestArgv(argv: readonly string[]): string[] {
    return ['/bin/sh', '-c', GUEST_SETUP, 'nofear-downloads', ...argv];
  }

  /** After QEMU has exited: the whole folder moved aside in one rename (however much the guest put there). */
  async hold(exportDir: string): Promise<void> {
    // Beside the export (the cache's staging folder): the same filesystem, so the rename is one step.
    const held = tempPathFor(path.join(path.dirname(exportDir), 'downloads'));
    try {
      await fsp.rename(exportDir, held);
      this.held = held;
      await fsp.mkdir(exportDir, { mode: 0o700 }); // the sandbox's clean-up finds its export where it left it
    } catch {
      // nothing there (or gone): nothing to keep
    }
  }

  /** Offers what the guest downloaded, keeps it only on "keep"; the held folder is gone afterwards whatever happens. */
  async settle(ask: DownloadsAsker): Promise<DownloadsOutcome> {
    const held = this.held;
    if (held === undefined || this.problem !== undefined) {
      await this.discard();
      return { kind: 'none', left: this.problem === undefined ? [] : [`the browser could not save downloads: ${this.problem}`] };
    }
    try {
      const { offered, left } = chooseDownloads(await listHeld(held), { maxFiles: MAX_DOWNLOADS, maxBytes: this.maxBytes });
      if (offered.length === 0) return { kind: 'none', left };
      const folder = await downloadFolder(this.env);
      const names = offered.map((o) => o.name);
      if ((await ask({ names, folder })) !== 'keep') return { kind: 'discarded', names, left };
      await fsp.mkdir(folder, { recursive: true, mode: 0o700 });
      const paths: string[] = [];
      for (const one of offered) {
        try {
          paths.push(await keepOne(held, one, folder, this.maxBytes, this.env));
        } catch (error) {
          left.push(`${JSON.stringify(one.name)}: not kept (${error instanceof Error ? error.message : String(error)})`);
        }
      }
      return { kind: 'kept', folder, paths, left };
    } finally {
      await this.discard();
    }
  }

  async discard(): Promise<void> {
    if (this.held !== undefined) await removeTree(this.held);
    this.held = undefined;
  }
}
