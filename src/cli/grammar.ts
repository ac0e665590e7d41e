// The one command-line grammar of nofear, nofear-open and nofearctl: each command is a table (options,
// operands, subcommands), and this module alone reads an argv against it. --help, --version, grouped
// short options (-tg), --opt=VALUE, -pVALUE and `--` work the same on every command and subcommand.
// The help text, the man pages and the bash completion are rendered from the same tables.
import { invalidArgument } from '../errors.js';
import { closest } from '../config/suggest.js';
import { shellWord } from '../util/shell-word.js';

/** What the shell completion offers for a value or an operand. */
export type Completion = 'file' | 'directory' | 'command' | 'profile' | 'sandbox' | 'mime' | 'desktop' | 'none';

export interface OptionSpec {
  /** The field of the parsed values, e.g. `sharedFolder`. */
  key: string;
  /** Without the dashes: `shared-folder`. */
  long: string;
  /** One letter, without the dash. */
  short?: string;
  /** The value's placeholder (`DIR`) when the option takes one. */
  value?: string;
  /**
   * `words`: the value is every following word up to the next option (`--default-for A B`), and the
   * option may repeat; the parsed value is a list.
   */
  list?: 'words';
  /** A value that works, for the fix of an error about this option. */
  example?: string;
  /** The long name of the mode this option belongs to (`edit` for --save-back): a fix that shows this option shows that one too. */
  goesWith?: string;
  /** The only values allowed; checked here, listed in help, man and completion. */
  choices?: readonly string[];
  complete?: Completion;
  help: string;
}

export interface OperandSpec {
  name: string;
  /** May be left out. */
  optional?: boolean;
  /** Takes every remaining word. */
  rest?: boolean;
  complete?: Completion;
}

export interface CommandSpec {
  /** The words that run it: ['nofearctl', 'ps']. */
  path: readonly string[];
  summary: string;
  /** Paragraphs for --help and the man page. */
  description?: readonly string[];
  options: readonly OptionSpec[];
  operands: readonly OperandSpec[];
  /** nofear and nofear-open: the first operand ends the options (it is the command, or a file name). */
  optionsEndAtOperand?: boolean;
  /**
   * nofear-open: one of its own options after a FILE is a mistake, not a file (`nofear-open a.pdf --wait`);
   * `--` before the files still makes every word a file. nofear keeps stopping at CMD: those are the guest's.
   */
  refuseOptionsAfterOperand?: boolean;
  subcommands?: readonly CommandSpec[];
  /** The subcommand that runs when none is named (`nofearctl profiles` lists); without it, help. */
  defaultSubcommand?: string;
}

export type Values = Record<string, string | true | string[]>;

export type ParseResult = { kind: 'help'; command: CommandSpec } | { kind: 'version'; command: CommandSpec } | { kind: 'run'; command: CommandSpec; values: Values; operands: string[] };

/** Every command and subcommand has these two. */
export const HELP_OPTION: OptionSpec = { key: 'help', long: 'help', short: 'h', help: 'show this help and exit' };
export const VERSION_OPTION: OptionSpec = { key: 'version', long: 'version', help: 'print the version and exit' };

export function optionsOf(command: CommandSpec): OptionSpec[] {
  return [...command.options, HELP_OPTION, VERSION_OPTION];
}

export const commandName = (command: CommandSpec) => command.path.join(' ');

/** `-p, --profile NAME`, as help and man pages show it. */
export function optionLabel(option: OptionSpec): string {
  const names = option.short === undefined ? `--${option.long}` : `-${option.short}, --${option.long}`;
  const value = option.value === undefined ? '' : ` ${option.choices ? option.choices.join('|') : option.value}${option.list ? '...' : ''}`;
  return `${names}${value}`;
}

/** `[-p NAME]`-style synopsis of the operands: `FILE|URL...`, `[CMD [ARG...]]`. */
export function operandsSynopsis(command: CommandSpec): string {
  let out = '';
  for (const operand of [...command.operands].reverse()) {
    const word = `${operand.name}${operand.rest ? '...' : ''}`;
    const inner = out === '' ? word : `${word} ${out}`;
    out = operand.optional ? `[${inner}]` : inner;
  }
  return out;
}

const helpFix = (command: CommandSpec) => `${commandName(command)} --help lists its options`;

/** `nofear --mem 2G [CMD [ARG...]]`: the option with a value that works, in a whole command line. */
function exampleFix(command: CommandSpec, option: OptionSpec): string {
  const value = option.choices?.[0] ?? option.example ?? option.value ?? '';
  const mode = option.goesWith === undefined ? '' : `--${option.goesWith}`;
  return [commandName(command), mode, `--${option.long} ${value}`, operandsSynopsis(command)].filter((p) => p !== '').join(' ');
}

/** One command level's reading of argv: options, operands, and where a subcommand takes over. */
class Reader {
  readonly values: Values = {};
  readonly operands: string[] = [];
  private i = 0;

  constructor(
    private readonly command: CommandSpec,
    private readonly argv: readonly string[],
  ) {}

  private find(match: (o: OptionSpec) => boolean, shown: string, cluster?: string): OptionSpec {
    const option = optionsOf(this.command).find(match);
    if (option !== undefined) return option;
    const within = cluster !== undefined && cluster.length > 2 ? ` (in ${cluster})` : '';
    const dashHint = this.command.operands.length > 0 ? `; put -- before ${this.command.operands[0]?.name ?? 'an operand'} when it starts with "-"` : '';
    const where = this.command.path.length > 1 ? ` for ${this.command.path.slice(1).join(' ')}` : '';
    const meant = shown.startsWith('--')
      ? closest(
          shown,
          optionsOf(this.command).map((o) => `--${o.long}`),
        )
      : undefined;
    throw invalidArgument(`unknown option ${shown}${within}${where}${meant === undefined ? '.' : `: did you mean ${meant}?`}`, `${helpFix(this.command)}${dashHint}`);
  }

  private store(option: OptionSpec, value: string | undefined): void {
    if (option.value === undefined) {
      this.values[option.key] = true;
      return;
    }
    if (value === undefined || value === '') {
      throw invalidArgument(`--${option.long} needs a value (${option.value}).`, exampleFix(this.command, option));
    }
    if (option.choices !== undefined && !option.choices.includes(value)) {
      throw invalidArgument(`--${option.long} takes ${option.choices.join(' or ')}, not ${JSON.stringify(value)}.`, exampleFix(this.command, option));
    }
    if (option.list === undefined) {
      this.values[option.key] = value;
      return;
    }
    const list = (this.values[option.key] as string[] | undefined) ?? [];
    list.push(value);
    // The words after it, up to the next option, are more values.
    while (this.i + 1 < this.argv.length && !(this.argv[this.i + 1] ?? '').startsWith('-')) list.push(this.argv[++this.i] ?? '');
    this.values[option.key] = list;
  }

  private long(arg: string): void {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const option = this.find((o) => `--${o.long}` === name, name);
    if (eq >= 0 && option.value === undefined) throw invalidArgument(`${name} takes no value.`, helpFix(this.command));
    this.store(option, eq >= 0 ? arg.slice(eq + 1) : option.value === undefined ? undefined : this.nextWord());
  }

  /**
   * The next word as an option's value. One that starts with "-" is the next option, not a value: a
   * forgotten value must not swallow it (`--default-for --risky`). `--opt=-x` and `-p-x` still pass one.
   */
  private nextWord(): string | undefined {
    const word = this.argv[this.i + 1];
    if (word === undefined || (word.startsWith('-') && word !== '-')) return undefined;
    this.i++;
    return word;
  }

  /** -tg is -t -g; a letter that takes a value takes the rest of the word (-pwork) or the next word. */
  private shorts(arg: string): void {
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j] ?? '';
      const option = this.find((o) => o.short === letter, `-${letter}`, arg);
      if (option.value === undefined) {
        this.store(option, undefined);
        continue;
      }
      const attached = arg.slice(j + 1);
      this.store(option, attached !== '' ? attached : this.nextWord());
      return;
    }
  }

  private unknownCommand(arg: string): Error {
    const names = (this.command.subcommands ?? []).map((c) => c.path.at(-1) ?? '');
    const meant = closest(arg, names);
    const where = this.command.path.length > 1 ? ` for ${this.command.path.slice(1).join(' ')}` : '';
    return invalidArgument(
      `unknown command ${JSON.stringify(arg)}${where}${meant === undefined ? '.' : `: did you mean ${meant}?`}`,
      meant === undefined ? `${commandName(this.command)} --help lists the commands` : `${commandName(this.command)} ${meant} --help`,
    );
  }

  /** `nofear-open a.pdf --wait`: an option of this command among the files was meant as an option. */
  private refuseLateOptions(operands: readonly string[]): void {
    const names = optionsOf(this.command).flatMap((o) => [`--${o.long}`, ...(o.short === undefined ? [] : [`-${o.short}`])]);
    const late = operands.slice(1).find((word) => names.includes(word.split('=')[0] ?? word));
    if (late === undefined) return;
    const files = operands.filter((word) => word !== late);
    throw invalidArgument(
      `${late} comes after a file: options go before the files (or put -- before a file named like an option).`,
      [commandName(this.command), late, ...files.map(shellWord)].join(' '),
    );
  }

  /** Reads up to a subcommand (returned with its index) or the end. */
  read(): { sub: CommandSpec; at: number } | undefined {
    for (; this.i < this.argv.length; this.i++) {
      const arg = this.argv[this.i] ?? '';
      if (arg === '--') {
        this.operands.push(...this.argv.slice(this.i + 1));
        return undefined;
      }
      if (arg.startsWith('--')) this.long(arg);
      else if (arg.startsWith('-') && arg !== '-') this.shorts(arg);
      else if (this.command.subcommands !== undefined && this.operands.length === 0) {
        const sub = this.command.subcommands.find((c) => c.path.at(-1) === arg);
        if (sub === undefined) throw this.unknownCommand(arg);
        return { sub, at: this.i };
      } else if (this.command.optionsEndAtOperand === true) {
        this.operands.push(...this.argv.slice(this.i));
        if (this.command.refuseOptionsAfterOperand === true) this.refuseLateOptions(this.argv.slice(this.i));
        return undefined;
      } else this.operands.push(arg);
      if (this.values.help === true || this.values.version === true) return undefined;
    }
    return undefined;
  }
}

function checkOperands(command: CommandSpec, operands: readonly string[]): void {
  const max = command.operands.some((o) => o.rest) ? Infinity : command.operands.length;
  const min = command.operands.filter((o) => !o.optional).length;
  if (operands.length > max) {
    const what = max === 0 ? 'no arguments' : `at most ${max} argument${max === 1 ? '' : 's'}`;
    throw invalidArgument(
      `${commandName(command).split(' ').slice(1).join(' ') || commandName(command)} takes ${what}, not ${operands.map((o) => JSON.stringify(o)).join(' ')}.`,
      `${commandName(command)} --help`,
    );
  }
  if (operands.length < min) {
    const missing = command.operands.filter((o) => !o.optional)[operands.length]?.name ?? 'an argument';
    throw invalidArgument(`${missing} is missing.`, `${commandName(command)} ${operandsSynopsis(command)}`);
  }
}

/** Reads argv (without the program name) against the command's table. Throws InvalidArgument. */
export function parseCommandLine(command: CommandSpec, argv: readonly string[]): ParseResult {
  const reader = new Reader(command, argv);
  const sub = reader.read();
  if (reader.values.help === true) return { kind: 'help', command };
  if (reader.values.version === true) return { kind: 'version', command };
  if (sub !== undefined) return parseCommandLine(sub.sub, argv.slice(sub.at + 1));
  if (command.subcommands !== undefined) {
    const fallback = command.subcommands.find((c) => c.path.at(-1) === command.defaultSubcommand);
    return fallback === undefined ? { kind: 'help', command } : parseCommandLine(fallback, []);
  }
  checkOperands(command, reader.operands);
  return { kind: 'run', command, values: reader.values, operands: reader.operands };
}

/** Typed readers of parsed values. */
export const flag = (values: Values, key: string): boolean => values[key] === true;
export const text = (values: Values, key: string): string | undefined => {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
};
export const list = (values: Values, key: string): string[] => {
  const value = values[key];
  return Array.isArray(value) ? value : [];
};
