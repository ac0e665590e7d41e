// Build step (`npm run build`, `make build`): writes the man pages and bash completions of the three
// commands from their option tables into dist/man and dist/completion, so they cannot drift from the parsers.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCompletion } from './completion.js';
import type { CommandSpec } from './grammar.js';
import { renderManPage, type ManExtras } from './man-page.js';
import { NOFEAR_OPEN_SPEC, NOFEAR_SPEC, OPEN_EXIT_STATUSES } from './spec-nofear.js';
import { NOFEARCTL_SPEC } from './spec-nofearctl.js';
import { nofearVersion } from './version.js';

const SEE_ALSO = ['nofear(1)', 'nofear-open(1)', 'nofearctl(1)'];
const seeAlso = (self: string, ...more: string[]) => [...SEE_ALSO.filter((p) => !p.startsWith(`${self}(`)), ...more];

const CONFIG =
  'Settings: `~/.config/nofear/config.ini` (`$XDG_CONFIG_HOME/nofear/config.ini`): [vm] memory, cpus, accel, net, tb_size; [gui] border, clipboard; [profile.NAME] border; [open] max_file_size; [service] max_sandboxes, max_guest_memory, idle_exit, queue_timeout; [pool] size, min_available_memory. `nofearctl config` shows the effective values and where each comes from.';

export const MAN_EXTRAS: Record<string, ManExtras> = {
  nofear: {
    sections: [
      {
        title: 'Examples',
        paragraphs: [
          '`nofear ps fauxw` runs ps fauxw in the "default" profile\'s VM.',
          "`nofear -t -- sh -c 'uname -a'` runs a shell command in a throwaway VM.",
          "`nofear -tg xclock` shows a GUI program's window, forwarded with a coloured border.",
          '`pdftotext - - < report.pdf | nofear -t less` works in pipes: stdin, stdout and stderr are byte-exact.',
        ],
      },
      { title: 'Exit status', paragraphs: ["The command's own status; 126 when it cannot run, 127 when it is not found, 128+N when signal N ended it; 125 when NoFear itself failed."] },
      { title: 'Files', paragraphs: [CONFIG, 'Profiles: `~/.local/share/nofear/profiles/NAME/` (`$XDG_DATA_HOME`). Running sandboxes: `$XDG_RUNTIME_DIR/nofear/ID/`.'] },
      { title: 'Environment', paragraphs: ['`NOFEAR_ACCEL=kvm|tcg` overrides the accelerator check.'] },
    ],
    seeAlso: seeAlso('nofear', 'qemu-system-x86_64(1)', 'xpra(1)'),
  },
  'nofear-open': {
    sections: [
      {
        title: 'Examples',
        paragraphs: [
          '`nofear-open report.pdf` opens report.pdf in your usual PDF viewer, in a throwaway VM.',
          '`nofear-open --dry-run notes.txt` prints the type, the application and the guest command, and opens nothing.',
          '`nofear-open --with mupdf report.pdf` picks the application.',
        ],
      },
      { title: 'Exit status', paragraphs: [`${OPEN_EXIT_STATUSES.map(([status, meaning]) => `${status} ${meaning}`).join('; ')}. A viewer's own exit status is not returned.`] },
      { title: 'Files', paragraphs: [CONFIG] },
    ],
    seeAlso: seeAlso('nofear-open', 'xdg-open(1)'),
  },
  nofearctl: {
    sections: [
      { title: 'Exit status', paragraphs: ['0 on success; doctor exits 1 when NoFear cannot run here; 125 when a command failed.'] },
      { title: 'Files', paragraphs: [CONFIG, 'What integrate install wrote, and the defaults it replaced: `~/.local/state/nofear/integration.json` (`$XDG_STATE_HOME`).'] },
    ],
    seeAlso: seeAlso('nofearctl'),
  },
};

export const DOCUMENTED: readonly CommandSpec[] = [NOFEAR_SPEC, NOFEAR_OPEN_SPEC, NOFEARCTL_SPEC];

/** Writes dist/man/NAME.1 and dist/completion/NAME for each command; returns the files written. */
export function writeDocs(distDir: string, version = nofearVersion()): string[] {
  const written: string[] = [];
  for (const command of DOCUMENTED) {
    const name = command.path[0] ?? '';
    const extras = MAN_EXTRAS[name] ?? { sections: [], seeAlso: SEE_ALSO };
    const files: Array<[string, string]> = [
      [path.join(distDir, 'man', `${name}.1`), renderManPage(command, version, extras)],
      [path.join(distDir, 'completion', name), renderCompletion(command)],
    ];
    for (const [file, text] of files) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      written.push(file);
    }
  }
  return written;
}

// Run as a program (the build), not when a test imports it.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  writeDocs(fileURLToPath(new URL('../', import.meta.url)));
}
