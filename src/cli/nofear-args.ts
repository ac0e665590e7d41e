// Reads nofear's command line (the original NoFear's interface) into what to do, and checks --mem against
// the host. Pure: no files, no processes.
import { invalidArgument } from '../errors.js';
import { flag, parseCommandLine, text, type ParseResult } from './grammar.js';
import { NOFEAR_SPEC } from './spec-nofear.js';
import os from 'node:os';
import { formatMiB, parseInteger, parseMemoryMiB } from '../config/values.js';
import { GUEST_MEMORY_MIN_MIB } from '../config/settings.js';

export interface RunArgs {
  action: 'run';
  profile: string | undefined;
  temporary: boolean;
  gui: boolean;
  sound: boolean;
  sharedFolder: string | undefined;
  net: 'none' | 'user' | undefined;
  /** Checked against the guest minimum and the host's RAM where the VM starts (checkMemory). */
  memoryMiB: number | undefined;
  cpus: number | undefined;
  root: boolean;
  /** Guest output to a terminal unescaped (pipe mode only: the interactive shell is always raw). */
  rawOutput: boolean;
  verbose: boolean;
  quiet: boolean;
  command: string[];
}

export type NofearArgs =
  | RunArgs
  | { action: 'create' | 'delete'; name: string; verbose: boolean; quiet: boolean }
  | { action: 'list'; verbose: boolean; quiet: boolean }
  | { action: 'help' | 'version'; parsed: ParseResult };

/** The syntax only: the range depends on the host, and checkMemory states it. */
function memory(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseMemoryMiB(value, 1, Number.MAX_SAFE_INTEGER);
  if (!parsed.ok) throw invalidArgument(`--mem takes a size in MiB (2048) or with M, G or T (512M, 2G), not ${JSON.stringify(value)}.`, 'nofear --mem 2G CMD');
  return parsed.value;
}

function cpus(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseInteger(value, 1, 64);
  if (!parsed.ok) throw invalidArgument(`--cpus takes a whole number from 1 to 64, not ${JSON.stringify(value)}.`, 'nofear --cpus 2 CMD');
  return parsed.value;
}

/** --mem's range is the one config.ini's [vm] memory has: the guest minimum up to the host's RAM. */
export function checkMemory(memoryMiB: number, hostBytes = os.totalmem()): void {
  const hostMiB = Math.floor(hostBytes / 1024 ** 2);
  const range = `--mem takes ${formatMiB(GUEST_MEMORY_MIN_MIB)} up to ${formatMiB(hostMiB)}, the host's RAM`;
  if (memoryMiB > hostMiB) {
    throw invalidArgument(`Guest memory size ${memoryMiB} MiB exceeds host physical RAM size ${hostMiB} MiB.`, `lower it (${range}): nofear --mem ${Math.min(1024, Math.floor(hostMiB / 2))} CMD`);
  }
  if (memoryMiB < GUEST_MEMORY_MIN_MIB) {
    throw invalidArgument(`Guest memory size ${memoryMiB} MiB is too small for a guest kernel.`, `raise it (${range}): nofear --mem 512 CMD`);
  }
}

/** The options that shape a VM: meaningless with -n, -d and -l, which run none. */
const RUN_OPTIONS = [
  { key: 'profile', name: '-p' },
  { key: 'temporary', name: '-t' },
  { key: 'gui', name: '-g' },
  { key: 'sound', name: '-s' },
  { key: 'sharedFolder', name: '-f' },
  { key: 'net', name: '--net' },
  { key: 'mem', name: '--mem' },
  { key: 'cpus', name: '--cpus' },
  { key: 'root', name: '--root' },
  { key: 'rawOutput', name: '--raw-output' },
] as const;

export function parseNofearArgs(argv: readonly string[]): NofearArgs {
  const parsed = parseCommandLine(NOFEAR_SPEC, argv);
  if (parsed.kind !== 'run') return { action: parsed.kind, parsed };
  const { values, operands } = parsed;
  const run: RunArgs = {
    action: 'run',
    profile: text(values, 'profile'),
    temporary: flag(values, 'temporary'),
    gui: flag(values, 'gui'),
    sound: flag(values, 'sound'),
    sharedFolder: text(values, 'sharedFolder'),
    net: text(values, 'net') as RunArgs['net'], // the table allows only none and user
    memoryMiB: memory(text(values, 'mem')),
    cpus: cpus(text(values, 'cpus')),
    root: flag(values, 'root'),
    rawOutput: flag(values, 'rawOutput'),
    verbose: flag(values, 'verbose'),
    quiet: flag(values, 'quiet'),
    command: operands,
  };
  if (run.profile !== undefined && run.temporary) throw invalidArgument('-p and -t exclude each other: a VM is either persistent or throwaway.', 'nofear -t CMD, or nofear -p NAME CMD');
  if (run.sound && !run.gui) throw invalidArgument('--sound needs --gui.', 'nofear --gui --sound CMD');
  if (run.quiet && run.verbose) throw invalidArgument('-q and -v exclude each other.', 'nofear -v CMD to see every step, or nofear -q CMD to see none');
  const create = text(values, 'create');
  const remove = text(values, 'delete');
  const profileActions = [create, remove, flag(values, 'list') ? 'list' : undefined].filter((a) => a !== undefined);
  if (profileActions.length === 0) return run;
  if (profileActions.length > 1) throw invalidArgument('-n, -d and -l exclude each other.', 'nofear -l, then nofear -n NAME or nofear -d NAME');
  if (operands.length > 0) throw invalidArgument(`-n, -d and -l run no command (got ${JSON.stringify(operands.join(' '))}).`, 'nofear -l; run a command with nofear -p NAME CMD');
  const runOnly = RUN_OPTIONS.filter((o) => values[o.key] !== undefined).map((o) => o.name);
  if (runOnly.length > 0)
    throw invalidArgument(
      `-n, -d and -l run no VM: ${runOnly.join(' and ')} would do nothing with them.`,
      `leave out ${runOnly.join(' and ')}: nofear ${create !== undefined ? `-n ${create}` : remove !== undefined ? `-d ${remove}` : '-l'}`,
    );
  const common = { verbose: run.verbose, quiet: run.quiet };
  if (create !== undefined) return { action: 'create', name: create, ...common };
  if (remove !== undefined) return { action: 'delete', name: remove, ...common };
  return { action: 'list', ...common };
}
