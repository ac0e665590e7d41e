// Man pages (roff, man(7) macros) rendered from the option tables, at build time: they list exactly what
// the parsers accept. Each option is one `.TP` entry whose tag line holds its names, so a test can read
// them back.
import { commandName, operandsSynopsis, optionsOf, type CommandSpec, type OptionSpec } from './grammar.js';
import { optionsSynopsis, synopsis } from './help.js';

/** What the page says beyond the table: files, exit status, examples. */
export interface ManExtras {
  sections: ReadonlyArray<{ title: string; paragraphs: readonly string[] }>;
  seeAlso: readonly string[];
}

/** Text safe in roff: backslashes, option dashes (minus signs, not hyphens), `code` in bold, no leading dot. */
export function roff(text: string): string {
  const escaped = text
    .replaceAll('\\', '\\e')
    .replace(/(^|[\s([|"'`=,])(-+)(?=[A-Za-z0-9\-\]"'|\s]|$)/g, (_m, before: string, dashes: string) => `${before}${dashes.replaceAll('-', '\\-')}`)
    .replace(/`([^`]+)`/g, '\\fB$1\\fR');
  return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
}

function optionTag(option: OptionSpec): string {
  const names = [option.short === undefined ? undefined : `\\fB\\-${option.short}\\fR`, `\\fB\\-\\-${option.long}\\fR`].filter((n) => n !== undefined).join(', ');
  if (option.value === undefined) return names;
  const value = option.choices === undefined ? `\\fI${option.value}\\fR` : option.choices.map((c) => `\\fB${c}\\fR`).join('|');
  return `${names} ${value}${option.list ? '...' : ''}`;
}

function optionEntries(options: readonly OptionSpec[]): string[] {
  return options.flatMap((option) => ['.TP', optionTag(option), roff(option.help)]);
}

/** The synopsis line of a command (help's usage line): bold command words, italic placeholders. */
function synopsisLine(command: CommandSpec): string {
  const rest = synopsis(command).slice(commandName(command).length).trim();
  const tail = rest === '' ? [] : [roff(rest).replace(/\b([A-Z][A-Z_|]*[A-Z])\b/g, '\\fI$1\\fR')];
  return [`.B ${commandName(command)}`, ...tail].join('\n');
}

/** Leaf commands of nofearctl, each a subsection with its own options. */
function commandSections(command: CommandSpec): string[] {
  const lines: string[] = [];
  for (const sub of command.subcommands ?? []) {
    if (sub.subcommands !== undefined) {
      lines.push(...commandSections(sub));
      continue;
    }
    const usage = [commandName(sub), optionsSynopsis(sub.options), operandsSynopsis(sub)].filter((p) => p !== '').join(' ');
    lines.push(`.SS "${roff(usage)}"`, roff(sub.summary));
    for (const paragraph of sub.description ?? []) lines.push('.PP', roff(paragraph));
    lines.push(...optionEntries(sub.options));
  }
  return lines;
}

export function renderManPage(command: CommandSpec, version: string, extras: ManExtras): string {
  const name = commandName(command);
  const lines = [
    `.\\" Generated from NoFear's option tables (src/cli/spec-*.ts) at build time; do not edit.`,
    `.TH ${name.toUpperCase()} 1 "" "NoFear ${version}" "User Commands"`,
    '.SH NAME',
    `${roff(name)} \\- ${roff(command.summary)}`,
    '.SH SYNOPSIS',
    synopsisLine(command),
    '.SH DESCRIPTION',
  ];
  const description = command.description ?? [command.summary];
  description.forEach((paragraph, i) => lines.push(...(i === 0 ? [] : ['.PP']), roff(paragraph)));
  if (command.subcommands !== undefined) lines.push('.SH COMMANDS', ...commandSections(command));
  lines.push('.SH OPTIONS', ...optionEntries(optionsOf(command)));
  for (const section of extras.sections) {
    lines.push(`.SH ${section.title.toUpperCase()}`);
    section.paragraphs.forEach((paragraph, i) => lines.push(...(i === 0 ? [] : ['.PP']), roff(paragraph)));
  }
  lines.push('.SH SEE ALSO', extras.seeAlso.map((page) => `.BR ${page.replace(/\((\d)\)$/, ' ($1)')}`).join(',\n'));
  return `${lines.join('\n')}\n`;
}
