// The option tables of nofearctl and each of its commands: what the parser accepts, and what help, the
// man page and the shell completion say.
import type { CommandSpec } from './grammar.js';

const ctl = (...words: string[]) => ['nofearctl', ...words];

const PROFILES: CommandSpec = {
  path: ctl('profiles'),
  summary: 'list, create, delete or describe persistent profiles (without a command: list)',
  options: [],
  operands: [],
  defaultSubcommand: 'list',
  subcommands: [
    { path: ctl('profiles', 'list'), summary: 'the profiles, their size on disk and last use', options: [], operands: [] },
    { path: ctl('profiles', 'create'), summary: 'create the profile NAME (an ext4 disk for what its VMs write)', options: [], operands: [{ name: 'NAME', complete: 'none' }] },
    { path: ctl('profiles', 'delete'), summary: 'delete the profile NAME and its disk', options: [], operands: [{ name: 'NAME', complete: 'profile' }] },
    { path: ctl('profiles', 'info'), summary: "the profile NAME's disk, size, last use and the sandbox using it", options: [], operands: [{ name: 'NAME', complete: 'profile' }] },
  ],
};

const INTEGRATE: CommandSpec = {
  path: ctl('integrate'),
  summary: 'NoFear as a desktop handler and in the file managers',
  options: [],
  operands: [],
  subcommands: [
    {
      path: ctl('integrate', 'install'),
      summary: '"Open in NoFear" in Nautilus, Caja, Nemo, Thunar and Dolphin, and NoFear as the default for chosen types, for you only',
      description: [
        "From a checkout or `make install`, writes the desktop entry, icon, D-Bus service, systemd user unit and file-manager actions into your own XDG directories, naming the launchers by absolute path. Where the nofear package is installed these are already in the system's places, and only your choices are written: the MIME defaults (mimeapps.list) and Thunar's custom action (uca.xml).",
        'For each type NoFear becomes the default for, the application that had it is recorded, and is what NoFear starts inside the VM.',
      ],
      options: [
        { key: 'risky', long: 'risky', help: 'make NoFear the default for PDF, Office, image, archive, audio and video types' },
        { key: 'links', long: 'links', help: 'open web links (http, https) in a throwaway browser: the browser you had runs in the VM; [links] trusted lists domains that still open on the host' },
        { key: 'mail', long: 'mail', help: 'make NoFear the default for what mail clients hand over: PDF, Office, image and archive attachments, and .eml/.mbox/.msg messages' },
        {
          key: 'defaultFor',
          long: 'default-for',
          value: 'TYPE',
          list: 'words',
          complete: 'mime',
          example: 'application/pdf',
          help: 'make NoFear the default for these MIME types (e.g. application/pdf text/html)',
        },
        { key: 'byOrigin', long: 'by-origin', help: 'open only files from outside in a VM and the rest natively ([trust] policy = marked, watch = on in config.ini)' },
      ],
      operands: [],
    },
    { path: ctl('integrate', 'uninstall'), summary: 'remove all of it and give every type its previous default back', options: [], operands: [] },
    {
      path: ctl('integrate', 'status'),
      summary: 'what is installed, and which types NoFear opens',
      options: [{ key: 'json', long: 'json', help: 'print the status as JSON' }],
      operands: [],
    },
  ],
};

export const NOFEARCTL_SPEC: CommandSpec = {
  path: ['nofearctl'],
  summary: "see and stop NoFear's sandboxes, check the machine, manage profiles and the desktop integration",
  description: [
    'nofearctl COMMAND runs one of the commands below; each takes --help. `nofearctl doctor` is the first thing to run when something does not work: it names each problem and the command that fixes it.',
  ],
  options: [],
  operands: [],
  subcommands: [
    {
      path: ctl('ps'),
      summary: 'the sandboxes: profile, state, age, accelerator, memory, RSS (leftovers of crashed runs are shown as stale, then removed)',
      options: [{ key: 'json', long: 'json', help: 'print the list as JSON' }],
      operands: [],
    },
    {
      path: ctl('stop'),
      summary: 'power sandboxes off (killed after a deadline) and clean up after them',
      options: [{ key: 'all', long: 'all', help: 'stop every sandbox' }],
      operands: [{ name: 'ID|PROFILE', optional: true, complete: 'sandbox' }],
    },
    {
      path: ctl('doctor'),
      summary: 'check that NoFear can run here, and how to fix what is missing (exit 1 when it cannot); then what opens each kind of file in the VM',
      options: [{ key: 'json', long: 'json', help: 'print the checks and what opens what as JSON' }],
      operands: [],
    },
    { path: ctl('config'), summary: 'the effective settings and where each comes from', options: [], operands: [] },
    PROFILES,
    {
      path: ctl('service'),
      summary: 'run the per-user D-Bus service (org.nofear.NoFear) in the foreground',
      options: [{ key: 'activated', long: 'activated', help: 'started by D-Bus activation: exit when idle' }],
      operands: [],
    },
    INTEGRATE,
    {
      path: ctl('trust'),
      summary: 'trust FILE: open it natively from now on; trust status FILE: whether it is marked as from outside',
      description: [
        "A file is from outside when it lies in an untrusted place ([trust] places in config.ini: the download folder, removable drives, mail attachments), carries NoFear's mark (user.nofear.origin) or a browser's (user.xdg.origin.url). With [trust] policy = marked, only such files open in a VM.",
        '`nofearctl trust FILE` writes user.nofear.trusted, which wins over the place and both marks: the file then opens natively, in your own application, with nothing between it and your session. `nofearctl trust status FILE` prints `marked (from outside: WHY)` or `not marked`.',
      ],
      options: [{ key: 'notify', long: 'notify', help: 'also show what trust says (its warning, or why it failed) in a desktop notification: the file managers\' "Trust this file" has no terminal' }],
      operands: [{ name: 'FILE', rest: true, complete: 'file' }],
    },
    {
      path: ctl('distrust'),
      summary: 'take the trust back from FILE and mark it as from outside',
      options: [],
      operands: [{ name: 'FILE', complete: 'file' }],
    },
    { path: ctl('help'), summary: 'help on nofearctl, or on one of its commands', options: [], operands: [{ name: 'COMMAND', optional: true, rest: true, complete: 'none' }] },
  ],
};
