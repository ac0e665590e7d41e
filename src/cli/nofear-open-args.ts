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
  edit: boolean;
  saveBack: SaveBackMode;
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
    ocr: flag(values, 'ocr'),
    edit: flag(values, 'edit'),
    saveBack: (text(values, 'saveBack') ?? 'ask') as SaveBackMode,
  };
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

/** --convert and --edit are modes of their own: the options that belong to one make no sense elsewhere. */
function checkModes(args: OpenArgs, saveBackGiven: boolean): void {
  if (args.convert && args.edit) throw invalidArgument('--convert and --edit exclude each other.', 'nofear-open --convert FILE makes a safe PDF; nofear-open --edit FILE edits a copy');
  if (!args.convert && args.ocr) throw invalidArgument('--ocr goes with --convert.', 'nofear-open --convert --ocr FILE');
  if (!args.convert && args.output !== undefined) throw invalidArgument('--output goes with --convert.', `nofear-open --convert --output ${shellWord(args.output)} FILE`);
  if (args.convert && args.viewer !== undefined) throw invalidArgument('--with chooses the application that opens a file; --convert opens none.', 'leave out --with');
  if (!args.edit && saveBackGiven) throw invalidArgument('--save-back goes with --edit.', 'nofear-open --edit --save-back=always FILE');
}
