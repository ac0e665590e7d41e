// Reads nofear-open's command line. Pure.
import { invalidArgument } from '../errors.js';
import { flag, parseCommandLine, text, type ParseResult } from './grammar.js';
import { NOFEAR_OPEN_SPEC } from './spec-nofear.js';

export interface OpenArgs {
  profile: string | undefined;
  viewer: string | undefined;
  wait: boolean;
  noService: boolean;
  dryRun: boolean;
  verbose: boolean;
  quiet: boolean;
  targets: string[];
}

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
  };
  if (args.profile !== undefined && args.profile !== 'temporary') {
    throw invalidArgument(`--profile takes only "temporary" for now, not ${JSON.stringify(args.profile)}: every file opens in a throwaway VM.`, 'nofear -p NAME -g VIEWER FILE runs a viewer in a persistent profile');
  }
  if (args.quiet && args.verbose) throw invalidArgument('-q and -v exclude each other.', 'nofear-open -v FILE to see every step, or nofear-open -q FILE to see none');
  return { kind: 'open', args };
}
