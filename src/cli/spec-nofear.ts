// The option tables of nofear and nofear-open: what the parsers accept, and what help, the man pages and
// the shell completion say.
import type { CommandSpec } from './grammar.js';
import { ALL_HANDLED, NONE_HANDLED, SOME_FAILED } from '../util/batch-outcome.js';
import { IN_PROCESS_NOTICE } from './open-texts.js';

export const NOFEAR_SPEC: CommandSpec = {
  path: ['nofear'],
  summary: "run a command, or a shell, in a virtual machine that uses the host's own software",
  description: [
    'Runs CMD in a fresh virtual machine that sees the host\'s /usr, /bin, /lib and /opt read-only, a generated /etc and no network. Without CMD: an interactive shell. Options end at CMD, so `nofear ps fauxw` runs ps fauxw in the VM; put -- before a command whose name starts with "-".',
    'Without -p or -t the persistent profile "default" is used: what the guest writes is kept on the profile\'s disk. With -t nothing is kept.',
    "Without a terminal the guest's stdin, stdout and stderr are the command's own, byte for byte, so nofear works in pipes; where stdout or stderr is a terminal but the command is not interactive, the guest's control characters are shown escaped there (--raw-output passes them). The interactive shell passes escape sequences, as any remote shell does. The exit status is the command's (126 and 127: it cannot run or was not found; 128+N: killed by signal N); 125 means NoFear itself failed, with a one-line message naming the fix.",
  ],
  optionsEndAtOperand: true,
  operands: [
    { name: 'CMD', optional: true, complete: 'command' },
    { name: 'ARG', optional: true, rest: true, complete: 'file' },
  ],
  options: [
    { key: 'profile', long: 'profile', short: 'p', value: 'NAME', complete: 'profile', example: 'work', help: 'run in the persistent profile NAME (default: "default"); created on first use' },
    { key: 'temporary', long: 'temporary', short: 't', help: 'run in a throwaway VM: nothing it writes is kept' },
    { key: 'gui', long: 'gui', short: 'g', help: 'forward the windows of GUI programs to this display (with no CMD: a shell whose GUI programs are forwarded)' },
    { key: 'sound', long: 'sound', short: 's', help: 'forward sound too (with --gui)' },
    {
      key: 'sharedFolder',
      long: 'shared-folder',
      short: 'f',
      value: 'DIR',
      complete: 'directory',
      example: '~/shared',
      help: 'share DIR read-write with the guest, at /shared (the command starts there)',
    },
    { key: 'net', long: 'net', value: 'MODE', choices: ['none', 'user'], help: 'no network (none, the default), or user networking through passt (user)' },
    {
      key: 'mem',
      long: 'mem',
      value: 'SIZE',
      complete: 'none',
      example: '2G',
      help: "guest memory: MiB (2048) or with M, G or T (512M, 2G), from 128M up to the host's RAM (default: [vm] memory in config.ini, 1024)",
    },
    { key: 'cpus', long: 'cpus', value: 'N', complete: 'none', example: '2', help: 'guest CPUs, 1 to 64 (default: [vm] cpus in config.ini, 2)' },
    { key: 'root', long: 'root', help: 'run the command as root in the guest (root there only)' },
    {
      key: 'rawOutput',
      long: 'raw-output',
      help: "pass the guest's output to a terminal as it is, escape sequences included (by default, when stdout or stderr is a terminal and the command is not interactive, control characters other than newline, tab and carriage return are shown as cat -v shows them: ESC as ^[)",
    },
    { key: 'create', long: 'create', short: 'n', value: 'NAME', complete: 'none', example: 'work', help: 'create the persistent profile NAME, and run nothing' },
    { key: 'delete', long: 'delete', short: 'd', value: 'NAME', complete: 'profile', example: 'work', help: 'delete the persistent profile NAME and its disk, and run nothing' },
    { key: 'list', long: 'list', short: 'l', help: 'list the persistent profiles, and run nothing' },
    { key: 'verbose', long: 'verbose', short: 'v', help: "say which kernel, image and accelerator are used, and each step's time" },
    { key: 'quiet', long: 'quiet', short: 'q', help: "print none of NoFear's own notices (errors still show)" },
  ],
};

/** nofear-open's exit statuses (its --help and its man page's EXIT STATUS say these). */
export const OPEN_EXIT_STATUSES: ReadonlyArray<readonly [number, string]> = [
  [ALL_HANDLED, 'when every file was opened (or converted)'],
  [SOME_FAILED, 'when some were and some failed, each failure told with its fix'],
  [NONE_HANDLED, 'when none was: NoFear failed, with a message naming the fix'],
  [130, 'and 143 when Ctrl-C or SIGTERM stopped it'],
];

export const NOFEAR_OPEN_SPEC: CommandSpec = {
  path: ['nofear-open'],
  summary: 'open files or web addresses safely, each in its own throwaway virtual machine',
  description: [
    'Opens each FILE in its own throwaway VM with the application you would normally use for its type (your default in mimeapps.list, or the one NoFear replaced as default). The VM sees a read-only copy of the file, your /usr read-only and no network; its window comes back with a coloured border and a [NoFear:...] title. An http(s) URL opens in your default web browser in a VM with user networking.',
    "Options go before the files: one of nofear-open's own options after a FILE is refused, not taken for a file name. Put -- before a file named like an option (`nofear-open -- --wait.pdf`).",
    `nofear-open asks the NoFear service on the session bus (starting it by D-Bus activation), follows each open to its window, then returns (with --wait: once the windows are closed). Where there is no session bus, and with --no-service, it does the work itself and stays in the foreground until its VMs end: ${IN_PROCESS_NOTICE}.`,
    "Each FILE is planned and opened (or converted) on its own; the ones that cannot be are told together at the end, each with its fix: on stderr, as one desktop notification when stderr is not a terminal (a file manager's menu), and in ~/.local/state/nofear/nofear.log.",
    `Exit status: ${OPEN_EXIT_STATUSES.map(([status, meaning]) => `${status} ${meaning}`).join('; ')}. A viewer's own exit status is not returned.`,
    'With --convert, nothing opens: each FILE is rendered page by page to pixels in a throwaway VM without network (PDF with pdftoppm or mutool, images with ImageMagick, office documents and text with LibreOffice first), only the pixels come back, and NoFear writes a new PDF of them, NAME.safe.pdf beside the file (or in --output DIR). It keeps no text, fonts, links, forms, scripts or attachments of the original; --ocr adds a text layer read from the pixels by tesseract in a second VM.',
    'With --edit, the VM gets a writable copy; when the program ends and the copy changed, NoFear offers to save it back (on the terminal a prompt, elsewhere a notification; --save-back=always or never decides beforehand). It saves back only over an original that has not changed since it was opened, in one atomic step, and only a file of the type that was opened; otherwise the edit goes beside it as NAME (edited in NoFear).EXT. --edit works in this process, which stays until it ends. --convert asks the service too (it takes a ready conversion VM when its pool has one) and returns once the safe PDFs are written; with --password-stdin or --no-service, or without a service, the conversions run in this process.',
  ],
  optionsEndAtOperand: true,
  refuseOptionsAfterOperand: true,
  operands: [{ name: 'FILE|URL', rest: true, complete: 'file' }],
  options: [
    {
      key: 'with',
      long: 'with',
      value: 'DESKTOP_ID',
      complete: 'desktop',
      example: 'mupdf',
      help: 'open with this installed application (e.g. mupdf or org.gnome.Evince.desktop) instead of your default',
    },
    { key: 'profile', long: 'profile', short: 'p', value: 'NAME', complete: 'none', example: 'temporary', help: 'the profile to open in; only "temporary" (a throwaway VM) for now' },
    { key: 'wait', long: 'wait', help: 'return when the windows are closed' },
    {
      key: 'net',
      long: 'net',
      value: 'MODE',
      choices: ['none', 'user'],
      help: "no network for a file (none, the default: a local document needs none), or user networking through passt (user), e.g. for a web page's remote images",
    },
    { key: 'sound', long: 'sound', help: "play the VM's sound on your speakers (the default for audio and video files: [gui] sound = media); never a microphone" },
    { key: 'noSound', long: 'no-sound', help: "no sound from the VM, whatever the file's type" },
    { key: 'noService', long: 'no-service', help: 'do the work in this process instead of the service (it stays until its VMs end)' },
    { key: 'convert', long: 'convert', help: 'make a safe PDF of each FILE (NAME.safe.pdf) from its pixels, rendered in a throwaway VM; open nothing' },
    { key: 'output', long: 'output', goesWith: 'convert', value: 'DIR', complete: 'directory', example: '~/Documents', help: 'with --convert: write the safe PDFs in DIR instead of beside each FILE' },
    { key: 'ocr', long: 'ocr', goesWith: 'convert', help: 'with --convert: add a searchable text layer, recognised by tesseract from the pixels in a second VM' },
    {
      key: 'ocrLang',
      long: 'ocr-lang',
      value: 'LANGS',
      complete: 'none',
      example: 'deu+eng',
      help: "with --convert: the OCR's languages, tesseract's names joined with + (implies --ocr; default: [convert] ocr_languages, else your locale's language and English)",
    },
    { key: 'dpi', long: 'dpi', value: 'N', complete: 'none', example: '150', help: 'with --convert: render the pages at N dots per inch, 75..300 (default 150)' },
    {
      key: 'keepOriginals',
      long: 'keep-originals',
      value: 'WHERE',
      choices: ['unsafe'],
      help: 'with --convert: once its safe PDF is written, move each original into an unsafe/ folder beside it',
    },
    {
      key: 'passwordStdin',
      long: 'password-stdin',
      goesWith: 'convert',
      help: 'with --convert: read the password of protected PDFs and office documents as one line on stdin (on a terminal, a prompt without echo); it goes to the conversion VMs only, never into a file, argv or log',
    },
    { key: 'jpeg', long: 'jpeg', help: 'with --convert: store grey and colour (photo) pages as JPEG, encoded by the host from the checked pixels: smaller, slightly lossy' },
    { key: 'edit', long: 'edit', help: 'open a writable copy, and offer to save it back when the program ends and the copy changed' },
    {
      key: 'saveBack',
      long: 'save-back',
      goesWith: 'edit',
      value: 'WHEN',
      choices: ['ask', 'always', 'never'],
      help: 'with --edit: ask (the default), always save back (beside the file when it changed meanwhile), or never',
    },
    { key: 'dryRun', long: 'dry-run', help: 'open nothing: print the type, the application and the guest command for each file' },
    { key: 'verbose', long: 'verbose', short: 'v', help: "say how the type and the application were chosen, and each step's time" },
    { key: 'quiet', long: 'quiet', short: 'q', help: "print none of NoFear's own notices (errors still show)" },
  ],
};
