// Parses nofear-open's command line. Pure.
import { invalidArgument } from '../errors.js';

export interface OpenArgs {
  profile: string | undefined;
  viewer: string | undefined;
  wait: boolean;
  noService: boolean;
  dryRun: boolean;
  verbose: boolean;
  /** No progress line on the terminal. */
  quiet: boolean;
  targets: string[];
  help: boolean;
}

export const OPEN_USAGE = `usage: nofear-open [--profile NAME] [--with DESKTOP_ID] [--wait] [--no-service] [--dry-run] [-q] [-v] FILE|URL...
Opens each file in its own throwaway VM, in the application you would normally use for it.
  --with DESKTOP_ID   use this application (e.g. org.gnome.Evince) instead of your default
  --wait              return when the windows are closed
  --no-service        do the work in this process (it stays until its VMs end)
  --dry-run           open nothing: print the type, the application and the command for each file
  -q, --quiet         no progress line on the terminal
  -v, --verbose       say how the type and the application were chosen`;

export function parseOpenArgs(argv: readonly string[]): OpenArgs {
  const args: OpenArgs = { profile: undefined, viewer: undefined, wait: false, noService: false, dryRun: false, verbose: false, quiet: false, targets: [], help: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = () => {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw invalidArgument(`nofear-open: ${name} needs a value.`, 'nofear-open --help');
      return value;
    };
    switch (name) {
      case '--profile': args.profile = takeValue(); break;
      case '--with': args.viewer = takeValue(); break;
      case '--wait': args.wait = true; break;
      case '--no-service': args.noService = true; break;
      case '--dry-run': args.dryRun = true; break;
      case '-v':
      case '--verbose': args.verbose = true; break;
      case '-q':
      case '--quiet': args.quiet = true; break;
      case '-h':
      case '--help': args.help = true; break;
      default:
        throw invalidArgument(`nofear-open: unknown option ${name}.`, 'nofear-open --help; put -- before a file name that starts with "-"');
    }
  }
  args.targets = argv.slice(i).map(String);
  if (args.targets.length === 0 && !args.help) throw invalidArgument('nofear-open: no file or URL given.', 'nofear-open FILE');
  if (args.profile !== undefined && args.profile !== 'temporary') {
    throw invalidArgument('nofear-open opens every file in a throwaway VM; --profile takes only "temporary" for now.', 'nofear -p NAME VIEWER FILE runs a viewer in a persistent profile');
  }
  return args;
}
