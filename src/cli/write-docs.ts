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
import { CONFIG_PARAGRAPH, ENVIRONMENT_PARAGRAPHS } from './man-environment.js';

const SEE_ALSO = ['nofear(1)', 'nofear-open(1)', 'nofearctl(1)'];
const seeAlso = (self: string, ...more: string[]) => [...SEE_ALSO.filter((p) => !p.startsWith(`${self}(`)), ...more];

const CONFIG = CONFIG_PARAGRAPH;

export const MAN_EXTRAS: Record<string, ManExtras> = {
  nofear: {
    sections: [
      {
        title: 'Examples',
        paragraphs: [
          '`nofear ps fauxw` runs ps fauxw in the "default" profile\'s VM.',
          "`nofear -t -- sh -c 'uname -a'` runs a shell command in a throwaway VM.",
          "`nofear -tg xclock` shows a GUI program's window, forwarded with a coloured border.",
          '`nofear -t pdftotext - - < report.pdf | less` reads an untrusted PDF in a throwaway VM and pages its text on the host: in pipes, stdin, stdout and stderr are byte-exact.',
          '`nofear -p work -g --net user firefox` runs Firefox in the persistent profile "work" with user networking: its windows come back, and what it writes stays in the profile.',
        ],
      },
      { title: 'Exit status', paragraphs: ["The command's own status; 126 when it cannot run, 127 when it is not found, 128+N when signal N ended it; 125 when NoFear itself failed."] },
      { title: 'Files', paragraphs: [CONFIG, 'Profiles: `~/.local/share/nofear/profiles/NAME/` (`$XDG_DATA_HOME`). Running sandboxes: `$XDG_RUNTIME_DIR/nofear/ID/`.'] },
      { title: 'Environment', paragraphs: ENVIRONMENT_PARAGRAPHS },
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
          '`nofear-open https://example.org/` opens a web address in your web browser, in a throwaway VM with user networking.',
          '`nofear-open --convert --ocr scan.pdf` writes scan.safe.pdf beside it: the pages as pixels, with a text layer read from them.',
          '`nofear-open --convert --output ~/Documents invoice.docx` writes invoice.safe.pdf into ~/Documents.',
          '`nofear-open --edit notes.odt` edits a writable copy and offers to save it back when the program ends.',
        ],
      },
      { title: 'Exit status', paragraphs: [`${OPEN_EXIT_STATUSES.map(([status, meaning]) => `${status} ${meaning}`).join('; ')}. A viewer's own exit status is not returned.`] },
      { title: 'Files', paragraphs: [CONFIG] },
      { title: 'Environment', paragraphs: ENVIRONMENT_PARAGRAPHS },
    ],
    seeAlso: seeAlso('nofear-open', 'xdg-open(1)'),
  },
  nofearctl: {
    sections: [
      { title: 'Exit status', paragraphs: ['0 on success; doctor exits 1 when NoFear cannot run here; 125 when a command failed.'] },
      { title: 'Files', paragraphs: [CONFIG, 'What integrate install wrote, and the defaults it replaced: `~/.local/state/nofear/integration.json` (`$XDG_STATE_HOME`).'] },
      { title: 'Environment', paragraphs: ENVIRONMENT_PARAGRAPHS },
      {
        title: 'Examples',
        paragraphs: [
          '`nofearctl doctor` checks this machine and says what opens each kind of file; `nofearctl doctor --json` says the same for programs.',
          '`nofearctl ps` lists the sandboxes; `nofearctl stop --all` stops them.',
        ],
      },
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
