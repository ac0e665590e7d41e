// Parses nofear's command line (the original NoFear's interface). Pure: no files, no processes.
import { invalidArgument } from '../errors.js';

export interface RunArgs {
  action: 'run';
  profile: string | undefined;
  temporary: boolean;
  gui: boolean;
  sound: boolean;
  sharedFolder: string | undefined;
  net: 'none' | 'user' | undefined;
  memoryMiB: number | undefined;
  cpus: number | undefined;
  root: boolean;
  verbose: boolean;
  /** No progress line on the terminal (--gui). */
  quiet: boolean;
  command: string[];
}

export type NofearArgs =
  | RunArgs
  | { action: 'create' | 'delete'; name: string; verbose: boolean }
  | { action: 'list'; verbose: boolean }
  | { action: 'help' }
  | { action: 'version' };

export const NOFEAR_USAGE = `usage: nofear [-p NAME | -t] [-g [-s]] [-f DIR] [--net none|user] [--mem MIB] [--cpus N] [--root] [-q] [-v] [--] [CMD [ARG...]]
       nofear -n NAME     create a profile
       nofear -d NAME     delete a profile
       nofear -l          list profiles

  -p, --profile NAME        run in the persistent profile NAME (default: "default")
  -t, --temporary           run in a throwaway VM: nothing it writes is kept
  -g, --gui                 forward the windows of GUI programs to this display
  -s, --sound               forward sound too (with --gui)
  -f, --shared-folder DIR   share DIR read-write with the guest, at /shared
      --net none|user       no network (default), or QEMU user networking
      --mem MIB             guest memory (default 1024)
      --cpus N              guest CPUs (default 2)
      --root                run the command as root in the guest
  -q, --quiet               no progress line on the terminal (--gui)
  -v, --verbose             say which kernel, image and accelerator are used
Without CMD: an interactive shell. The exit status is the command's; 125 means NoFear itself failed.`;

const WITH_VALUE = new Set(['-p', '--profile', '-f', '--shared-folder', '--net', '--mem', '--cpus', '-n', '-d']);
const ALIASES: Record<string, string> = {
  '--profile': '-p',
  '--temporary': '-t',
  '--gui': '-g',
  '--sound': '-s',
  '--shared-folder': '-f',
  '--verbose': '-v',
  '--quiet': '-q',
  '--help': '-h',
  '--list': '-l',
};

function positiveInt(option: string, value: string, max: number): number {
  if (!/^[1-9][0-9]{0,11}$/.test(value) || Number(value) > max) {
    throw invalidArgument(`${option} takes a whole number from 1 to ${max}, not ${JSON.stringify(value)}.`, `nofear ${option} ${option === '--mem' ? 1024 : 2} ...`);
  }
  return Number(value);
}

export function parseNofearArgs(argv: readonly string[]): NofearArgs {
  const run: RunArgs = {
    action: 'run', profile: undefined, temporary: false, gui: false, sound: false, sharedFolder: undefined,
    net: undefined, memoryMiB: undefined, cpus: undefined, root: false, verbose: false, quiet: false, command: [],
  };
  let profileAction: { action: 'create' | 'delete'; name: string } | undefined;
  let list = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    let [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const short = ALIASES[name] ?? name;
    let value: string | undefined;
    if (WITH_VALUE.has(name) || WITH_VALUE.has(short)) {
      value = inline ?? argv[++i];
      if (value === undefined) throw invalidArgument(`${name} needs a value.`, 'nofear --help');
    } else if (inline !== undefined) {
      throw invalidArgument(`${name} takes no value.`, 'nofear --help');
    }
    switch (short) {
      case '-p': run.profile = value; break;
      case '-t': run.temporary = true; break;
      case '-g': run.gui = true; break;
      case '-s': run.sound = true; break;
      case '-f': run.sharedFolder = value; break;
      case '--root': run.root = true; break;
      case '-v': run.verbose = true; break;
      case '-q': run.quiet = true; break;
      case '-l': list = true; break;
      case '-h': return { action: 'help' };
      case '--version': return { action: 'version' };
      case '-n': profileAction = { action: 'create', name: value ?? '' }; break;
      case '-d': profileAction = { action: 'delete', name: value ?? '' }; break;
      case '--net':
        if (value !== 'none' && value !== 'user') throw invalidArgument(`--net takes "none" or "user", not ${JSON.stringify(value)}.`, 'nofear --net user CMD');
        run.net = value;
        break;
      case '--mem': run.memoryMiB = positiveInt('--mem', value ?? '', 999_999_999_999); break;
      case '--cpus': run.cpus = positiveInt('--cpus', value ?? '', 64); break;
      default:
        throw invalidArgument(`unknown option ${name}.`, 'nofear --help lists the options; put -- before a command that starts with "-"');
    }
    name = '';
  }
  run.command = argv.slice(i).map(String);
  if (run.profile !== undefined && run.temporary) throw invalidArgument('-p and -t exclude each other: a VM is either persistent or throwaway.', 'nofear -t CMD, or nofear -p NAME CMD');
  if (run.sound && !run.gui) throw invalidArgument('--sound needs --gui.', 'nofear --gui --sound CMD');
  if (profileAction !== undefined || list) {
    if (run.command.length > 0) throw invalidArgument('-n, -d and -l take no command.', 'nofear -l');
    if (profileAction !== undefined) return { ...profileAction, verbose: run.verbose };
    return { action: 'list', verbose: run.verbose };
  }
  return run;
}
