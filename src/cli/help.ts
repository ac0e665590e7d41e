// --help text, rendered from a command's table (src/cli/grammar.ts), so it lists exactly what the parser takes.
import { commandName, operandsSynopsis, optionLabel, optionsOf, type CommandSpec, type OptionSpec } from './grammar.js';

const WIDTH = 100;

/**
 * Words filled into lines of at most WIDTH columns. The first line continues one that already holds `used`
 * columns; the others start with `indent` spaces.
 */
export function wrap(text: string, indent: number, used = 0): string {
  const lines: string[][] = [[]];
  let width = used;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const current = lines[lines.length - 1] ?? [];
    if (current.length > 0 && width + 1 + word.length > WIDTH) {
      lines.push([word]);
      width = indent + word.length;
    } else {
      current.push(word);
      width += (current.length > 1 ? 1 : 0) + word.length;
    }
  }
  return lines.map((words, i) => `${i === 0 ? '' : ' '.repeat(indent)}${words.join(' ')}`).join('\n');
}

/** A table row: the label, then the text from column `column` on (on the next line when the label is wider). */
function row(label: string, text: string, column: number): string {
  const start = label.length + 2 > column ? `${label}\n${' '.repeat(column)}` : label.padEnd(column);
  return `${start}${wrap(text, column, column)}`;
}

/** `[--json]`, `[-t]`, or `[OPTION]...` when a command has many. */
export function optionsSynopsis(options: readonly OptionSpec[]): string {
  if (options.length === 0) return '';
  if (options.length > 3) return '[OPTION]...';
  return options.map((o) => `[${o.short !== undefined ? `-${o.short}` : `--${o.long}`}${o.value === undefined ? '' : ` ${o.choices?.join('|') ?? o.value}${o.list ? '...' : ''}`}]`).join(' ');
}

/** One usage line per way of calling the command (a command with subcommands: COMMAND). */
export function synopsis(command: CommandSpec): string {
  if (command.subcommands !== undefined) {
    const names = command.subcommands.map((c) => c.path.at(-1)).join('|');
    return `${commandName(command)} ${command.subcommands.length > 4 ? 'COMMAND' : names} [ARG]...`;
  }
  const dash = command.optionsEndAtOperand === true && command.operands.length > 0 ? ' [--]' : '';
  return [commandName(command), optionsSynopsis(command.options), `${dash.trim()}`, operandsSynopsis(command)].filter((p) => p !== '').join(' ');
}

function optionLines(options: readonly OptionSpec[]): string[] {
  const labels = options.map((o) => (o.short === undefined ? `    ${optionLabel(o)}` : optionLabel(o)));
  const column = Math.min(32, Math.max(...labels.map((l) => l.length)) + 4);
  return options.map((option, i) => row(`  ${labels[i] ?? ''}`, option.help, column + 2));
}

function commandLines(command: CommandSpec): string[] {
  const subs = command.subcommands ?? [];
  const labels = subs.map((c) =>
    [c.path.at(-1) ?? '', c.subcommands ? c.subcommands.map((s) => s.path.at(-1)).join('|') : [optionsSynopsis(c.options), operandsSynopsis(c)].filter((p) => p !== '').join(' ')]
      .filter((p) => p !== '')
      .join(' '),
  );
  const column = Math.min(36, Math.max(...labels.map((l) => l.length)) + 4);
  return subs.map((sub, i) => row(`  ${labels[i] ?? ''}`, sub.summary, column + 2));
}

export function renderHelp(command: CommandSpec): string {
  const parts = [`usage: ${synopsis(command)}`, wrap(command.summary, 0)];
  for (const paragraph of command.description ?? []) parts.push('', wrap(paragraph, 0));
  if (command.subcommands !== undefined) parts.push('', 'commands:', ...commandLines(command));
  parts.push('', 'options:', ...optionLines(optionsOf(command)));
  if (command.subcommands !== undefined) parts.push('', `"${commandName(command)} COMMAND --help" describes a command and its options.`);
  return `${parts.join('\n')}\n`;
}
