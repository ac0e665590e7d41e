// Bash completion rendered from the option tables at build time: for each command path the options, the
// subcommands and what each value or operand is, as bash associative arrays read by one small function.
import { commandName, optionsOf, type CommandSpec, type Completion } from './grammar.js';

/** A bash word in single quotes. */
const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

function tables(command: CommandSpec, fn: string): string[] {
  const key = quote(commandName(command));
  const options = optionsOf(command);
  const names = options.flatMap((o) => [...(o.short === undefined ? [] : [`-${o.short}`]), `--${o.long}`]);
  const lines = [`${fn}_options[${key}]=${quote(names.join(' '))}`];
  if (command.subcommands !== undefined) lines.push(`${fn}_commands[${key}]=${quote(command.subcommands.map((c) => c.path.at(-1)).join(' '))}`);
  // Operand kinds by position; the last one repeats when it takes the rest.
  const kinds = command.operands.map((o) => o.complete ?? 'file');
  if (kinds.length > 0) lines.push(`${fn}_operands[${key}]=${quote(kinds.join(' '))}`);
  if (command.optionsEndAtOperand === true) lines.push(`${fn}_stops[${key}]=1`);
  for (const option of options.filter((o) => o.value !== undefined)) {
    const kind: string = option.choices !== undefined ? `choices:${option.choices.join(' ')}` : (option.complete ?? 'none');
    for (const name of [...(option.short === undefined ? [] : [`-${option.short}`]), `--${option.long}`]) {
      lines.push(`${fn}_values[${quote(`${commandName(command)} ${name}`)}]=${quote(kind)}`);
    }
  }
  return [...lines, ...(command.subcommands ?? []).flatMap((sub) => tables(sub, fn))];
}

/** What each kind of word completes to; `$cur` is the word being completed. */
const KIND_CASES: Record<Completion | 'choices', string> = {
  // One name a line into the array (never split on spaces), and -o filenames: bash quotes what it inserts
  // (spaces, brackets, quotes) and adds / to directories.
  file: 'compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur")',
  directory: 'compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur")',
  command: 'COMPREPLY=($(compgen -c -- "$cur"))',
  profile: 'COMPREPLY=($(compgen -W "$(ls "${XDG_DATA_HOME:-$HOME/.local/share}/nofear/profiles" 2>/dev/null)" -- "$cur"))',
  // The registry's dirs (src/sandbox/registry.ts) are the running sandboxes' ids; profiles name theirs.
  sandbox:
    'COMPREPLY=($(compgen -W "$(ls "${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/nofear}" 2>/dev/null || ls "/tmp/nofear-$UID" 2>/dev/null) $(ls "${XDG_DATA_HOME:-$HOME/.local/share}/nofear/profiles" 2>/dev/null)" -- "$cur"))',
  mime: 'COMPREPLY=($(compgen -W "$(cd /usr/share/mime 2>/dev/null && ls -d */* 2>/dev/null | sed -n "s/\\.xml$//p")" -- "$cur"))',
  // Installed applications' desktop ids (what --with takes), from the XDG data dirs' applications/.
  desktop:
    'local dir file ids=() dirs; IFS=: read -ra dirs <<< "${XDG_DATA_HOME:-$HOME/.local/share}:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"; for dir in "${dirs[@]}"; do for file in "$dir"/applications/*.desktop; do [[ -e $file ]] && file=${file##*/} && ids+=("${file%.desktop}"); done; done; COMPREPLY=($(compgen -W "${ids[*]}" -- "$cur"))',
  none: 'COMPREPLY=()',
  choices: 'COMPREPLY=($(compgen -W "${kind#choices:}" -- "$cur"))',
};

function kindFunction(fn: string): string[] {
  return [
    `${fn}_kind() { # kind: what the word being completed is`,
    '  local kind=$1',
    '  case $kind in',
    ...Object.entries(KIND_CASES).map(([kind, body]) => `    ${kind === 'choices' ? 'choices:*' : kind}) ${body} ;;`),
    '  esac',
    '}',
  ];
}

/** Walks the words before the cursor: the command path, whether options ended, how many operands. */
function mainFunction(fn: string, root: string): string[] {
  return [
    `${fn}() {`,
    '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}',
    `  local path=${quote(root)} ended=0 operands=0 i word value_next=0`,
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    word=${COMP_WORDS[i]}',
    '    if ((value_next)); then value_next=0; continue; fi',
    '    if ((!ended)) && [[ $word == -- ]]; then ended=1; continue; fi',
    '    if ((!ended)) && [[ $word == --* && $word != *=* ]]; then',
    `      [[ -n \${${fn}_values["$path $word"]} ]] && value_next=1; continue`,
    '    fi',
    '    if ((!ended)) && [[ $word == -?* && $word != --* ]]; then',
    `      [[ -n \${${fn}_values["$path -\${word: -1}"]} ]] && value_next=1; continue`,
    '    fi',
    '    [[ $word == -* && $ended == 0 ]] && continue',
    `    if ((operands == 0)) && [[ " \${${fn}_commands[$path]} " == *" $word "* ]]; then path="$path $word"; continue; fi`,
    '    operands=$((operands + 1))',
    `    [[ -n \${${fn}_stops[$path]} ]] && ended=1`,
    '  done',
    '  if ((value_next)); then',
    `    ${fn}_kind "\${${fn}_values["$path $prev"]:-\${${fn}_values["$path -\${prev: -1}"]}}"; return`,
    '  fi',
    '  if ((!ended)) && [[ $cur == -* ]]; then',
    `    COMPREPLY=($(compgen -W "\${${fn}_options[$path]}" -- "$cur")); return`,
    '  fi',
    `  if ((operands == 0)) && [[ -n \${${fn}_commands[$path]} ]]; then`,
    `    COMPREPLY=($(compgen -W "\${${fn}_commands[$path]}" -- "$cur")); return`,
    '  fi',
    `  local kinds=(\${${fn}_operands[$path]})`,
    '  ((${#kinds[@]} == 0)) && { COMPREPLY=(); return; }',
    '  local at=$operands; ((at >= ${#kinds[@]})) && at=$((${#kinds[@]} - 1))',
    `  ${fn}_kind "\${kinds[at]}"`,
    '}',
  ];
}

export function renderCompletion(command: CommandSpec): string {
  const root = commandName(command);
  const fn = `_${root.replaceAll('-', '_')}`;
  return [
    `# bash completion for ${root}: generated from NoFear's option tables (src/cli/spec-*.ts) at build time; do not edit.`,
    `declare -gA ${fn}_options=() ${fn}_commands=() ${fn}_operands=() ${fn}_stops=() ${fn}_values=()`,
    ...tables(command, fn),
    ...kindFunction(fn),
    ...mainFunction(fn, root),
    `complete -F ${fn} ${root}`,
    '',
  ].join('\n');
}
