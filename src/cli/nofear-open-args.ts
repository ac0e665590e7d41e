// Reads nofear-open's command line. Pure.
import { invalidArgument } from '../errors.js';
import { flag, parseCommandLine, text, type ParseResult } from './grammar.js';
import { NOFEAR_OPEN_SPEC } from './spec-nofear.js';
import { shellWord } from '../util/shell-word.js';

export interface OpenArgs {
  profile: string | undefined;
  viewer: string | undefined;
  wait: boolean;
  noService: boolean;
  dryRun: boolean;
  verbose: boolean;
  quiet: boolean;
  targets: string[];
  convert: boolean;
  /** --output DIR for --convert. */
  output: string | undefined;
  ocr: boolean;
  /** --ocr-lang LANGS (implies --ocr). */
  ocrLang: string | undefined;
  /** --dpi N, 75..300. */
  dpi: number | undefined;
  jpeg: boolean;
  /** --password-stdin: the protected PDFs' password, read from stdin. */
  passwordStdin: boolean;
  /** --keep-originals=unsafe. */
  keepOriginals: 'unsafe' | undefined;
  edit: boolean;
  saveBack: SaveBackMode;
  /** --net user: the VM of each file gets user networking (through passt); web addresses always have it. */
  net: 'none' | 'user';
  /** --sound / --no-sound; undefined: [gui] sound decides by the file's type. */
  sound: boolean | undefined;
}

export type SaveBackMode = 'ask' | 'always' | 'never';

export type OpenCommandLine = { kind: 'open'; args: OpenArgs } | { kind: 'help' | 'version'; parsed: ParseResult };

export function parseOpenArgs(argv: readonly string[]): OpenCommandLine {
  const parsed = parseCommandLine(NOFEAR_OPEN_SPEC, argv);
  if (parsed.kind !== 'run') return { kind: parsed.kind, parsed };
  const { values, operands } = parsed;
  const args: OpenArgs = {
    profile: text(values, 'profile'),
    viewer: text(values, 'with'),
    wait: flag(values, 'wait'),
    noService: flag(values, 'noService'),
    dryRun: flag(values, 'dryRun'),
    verbose: flag(values, 'verbose'),
    quiet: flag(values, 'quiet'),
    targets: operands,
    convert: flag(values, 'convert'),
    output: text(values, 'output'),
    ocr: flag(values, 'ocr') || text(values, 'ocrLang') !== undefined,
    ocrLang: text(values, 'ocrLang'),
    dpi: dpiOf(text(values, 'dpi')),
    jpeg: flag(values, 'jpeg'),
    passwordStdin: flag(values, 'passwordStdin'),
    keepOriginals: text(values, 'keepOriginals') === 'unsafe' ? 'unsafe' : undefined,
    edit: flag(values, 'edit'),
    saveBack: (text(values, 'saveBack') ?? 'ask') as SaveBackMode,
    net: text(values, 'net') === 'user' ? 'user' : 'none',
    sound: flag(values, 'sound') ? true : flag(values, 'noSound') ? false : undefined,
  };
  if (flag(values, 'sound') && flag(values, 'noSound')) throw invalidArgument('--sound and --no-sound exclude each other.', `nofear-open --no-sound ${args.targets.map(shellWord).join(' ')}`);
  checkModes(args, text(values, 'saveBack') !== undefined);
  if (args.profile !== undefined && args.profile !== 'temporary') {
    throw invalidArgument(
      `--profile takes only "temporary" for now, not ${JSON.stringify(args.profile)}: every file opens in a throwaway VM.`,
      `nofear-open ${args.targets.map(shellWord).join(' ')} (without --profile)`,
    );
  }
  if (args.quiet && args.verbose) throw invalidArgument('-q and -v exclude each other.', 'nofear-open -v FILE to see every step, or nofear-open -q FILE to see none');
  return { kind: 'open', args };
}

/** --dpi's value: a whole number 75..300 (DPI_RANGE in convert-plan.ts). */
function dpiOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const dpi = /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(dpi >= 75 && dpi <= 300)) throw invalidArgument(`--dpi takes a whole number from 75 to 300, not ${JSON.stringify(value)}.`, 'nofear-open --convert --dpi 150 FILE');
  return dpi;
}

/** --convert and --edit are modes of their own: the options that belong to one make no sense elsewhere. */
function checkModes(args: OpenArgs, saveBackGiven: boolean): void {
  if (args.convert && args.edit) throw invalidArgument('--convert and --edit exclude each other.', 'nofear-open --convert FILE makes a safe PDF; nofear-open --edit FILE edits a copy');
  const convertOnly = [
    args.ocrLang !== undefined && '--ocr-lang',
    args.ocr && '--ocr',
    args.output !== undefined && '--output',
    args.dpi !== undefined && '--dpi',
    args.jpeg && '--jpeg',
    args.passwordStdin && '--password-stdin',
    args.keepOriginals !== undefined && '--keep-originals',
  ];
  const misplaced = convertOnly.find((option) => option !== false);
  if (!args.convert && misplaced !== undefined)
    throw invalidArgument(
      `${misplaced} goes with --convert.`,
      `nofear-open --convert ${misplaced === '--ocr-lang' ? '--ocr-lang deu+eng' : misplaced === '--dpi' ? '--dpi 150' : misplaced === '--output' ? '--output DIR' : misplaced === '--keep-originals' ? '--keep-originals=unsafe' : misplaced} FILE`,
    );
  if (args.convert && args.viewer !== undefined) throw invalidArgument('--with chooses the application that opens a file; --convert opens none.', 'leave out --with');
  if (!args.edit && saveBackGiven) throw invalidArgument('--save-back goes with --edit.', 'nofear-open --edit --save-back=always FILE');
}
