// The man pages and bash completions that ship (dist/man, dist/completion, written at build time) list
// exactly the options the parsers accept: read back from the roff, and asked of bash's real completion.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../helpers/cli.js';
import { optionsOf, parseCommandLine, type CommandSpec, type OptionSpec } from '../../src/cli/grammar.js';
import { renderManPage } from '../../src/cli/man-page.js';
import { DOCUMENTED, MAN_EXTRAS } from '../../src/cli/write-docs.js';
import { nofearVersion } from '../../src/cli/version.js';

const everyCommand = (c: CommandSpec): CommandSpec[] => [c, ...(c.subcommands ?? []).flatMap(everyCommand)];
const names = (options: readonly OptionSpec[]) => options.flatMap((o) => [...(o.short === undefined ? [] : [`-${o.short}`]), `--${o.long}`]).sort();
const rootOf = (command: CommandSpec) => DOCUMENTED.find((r) => r.path[0] === command.path[0]) ?? command;

/** command path → the option names its man page entries give (OPTIONS for the command, .SS per nofearctl command). */
function manOptions(roff: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let section = '';
  const lines = roff.split('\n');
  const root = /^\.TH (\S+)/m.exec(roff)?.[1]?.toLowerCase() ?? '';
  lines.forEach((line, i) => {
    const heading = /^\.S([HS]) "?(.*?)"?$/.exec(line);
    if (heading !== null) {
      const words = (heading[2] ?? '').replaceAll('\\-', '-').split(' ');
      const end = words.findIndex((w) => !/^[a-z][a-z-]*$/.test(w));
      // .SH OPTIONS: the command's own; .SS "nofearctl ps [--json]": that command's.
      section = heading[1] === 'H' ? (words[0] === 'OPTIONS' ? root : '') : words.slice(0, end < 0 ? undefined : end).join(' ');
      return;
    }
    if (line !== '.TP' || section === '') return;
    const tag = (lines[i + 1] ?? '').replaceAll('\\-', '-').replace(/\\f[BIRP]/g, '');
    const options = [...tag.matchAll(/(?:^|[\s,])(--?[a-z][a-z-]*)/g)].map((m) => m[1] ?? '');
    found.set(section, [...(found.get(section) ?? []), ...options].sort());
  });
  return found;
}

/** What bash's completion offers after the words, for the word being typed (`cur`). */
async function complete(program: string, requests: ReadonlyArray<{ words: string[]; cur: string }>): Promise<string[][]> {
  const script = [
    `source ${JSON.stringify(path.join(ROOT, 'dist', 'completion', program))}`,
    ...requests.map(({ words, cur }) => {
      const all = [...words, cur].map((w) => `'${w}'`).join(' ');
      return `COMP_WORDS=(${all}); COMP_CWORD=${words.length}; COMPREPLY=(); _${program.replaceAll('-', '_')}; echo "$(printf '%s\\n' "\${COMPREPLY[@]}" | sort | tr '\\n' ' ')"`;
    }),
  ].join('\n');
  const result = await execa('bash', ['--norc', '--noprofile', '-c', script]);
  return result.stdout.split('\n').map((line) =>
    line
      .trim()
      .split(' ')
      .filter((w) => w !== '')
      .sort(),
  );
}

describe('man pages and bash completion (built from the option tables)', () => {
  for (const root of DOCUMENTED) {
    const program = root.path[0] ?? '';

    it(`${program}.1 is what the tables render now, and lists exactly the options each command's parser accepts`, () => {
      const roff = readFileSync(path.join(ROOT, 'dist', 'man', `${program}.1`), 'utf8');
      assert.equal(roff, renderManPage(root, nofearVersion(), MAN_EXTRAS[program] ?? { sections: [], seeAlso: [] }), 'dist/man is stale: run make build');
      const documented = manOptions(roff);
      const leaves = everyCommand(root).filter((c) => c === root || c.subcommands === undefined);
      for (const command of leaves) {
        const key = command.path.join(' ');
        const listed = command === root ? names(optionsOf(command)) : names(command.options);
        assert.deepEqual(documented.get(key) ?? [], listed, `${key}: the man page and the table differ`);
        for (const option of command === root ? optionsOf(command) : command.options) {
          const value = option.value === undefined ? [] : [option.choices?.[0] ?? option.example ?? 'x'];
          const operand = command.operands.some((o) => !o.optional) ? ['operand'] : [];
          for (const name of names([option])) {
            assert.doesNotThrow(() => parseCommandLine(rootOf(command), [...command.path.slice(1), name, ...value, ...operand]), `${key} ${name}`);
          }
        }
      }
    });

    it(`the ${program} completion offers exactly each command's options, and its subcommands`, async () => {
      const commands = everyCommand(root);
      const offered = await complete(
        program,
        commands.flatMap((c) => [
          { words: [...c.path], cur: '-' },
          { words: [...c.path], cur: '' },
        ]),
      );
      commands.forEach((command, i) => {
        assert.deepEqual(offered[2 * i], names(optionsOf(command)), `${command.path.join(' ')} -<TAB>`);
        if (command.subcommands !== undefined) assert.deepEqual(offered[2 * i + 1], command.subcommands.map((s) => s.path.at(-1) ?? '').sort(), `${command.path.join(' ')} <TAB>`);
      });
    });
  }

  it('completes option values: choices, and nothing for a value the user must type', async () => {
    const [net, mem, types] = await complete('nofear', [
      { words: ['nofear', '--net'], cur: '' },
      { words: ['nofear', '-t', '--mem'], cur: '' },
      { words: ['nofear', '-tp'], cur: 'zz-no-such' },
    ]);
    assert.deepEqual(net, ['none', 'user']);
    assert.deepEqual(mem, []);
    assert.deepEqual(types, []);
  });

  it('completes a file name with spaces and shell characters as one word, asking bash to quote it (-o filenames); --with completes desktop ids', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nofear-complete-'));
    try {
      writeFileSync(path.join(dir, "Invoice [2024] (final) it's.pdf"), '');
      mkdirSync(path.join(dir, 'applications'));
      writeFileSync(path.join(dir, 'applications', 'org.example.Viewer.desktop'), '');
      // compopt works only while readline completes: recorded here to see that the function asks for it.
      const script = [
        `source ${JSON.stringify(path.join(ROOT, 'dist', 'completion', 'nofear-open'))}`,
        'compopt() { printf "compopt %s\\n" "$*"; }',
        `cd ${JSON.stringify(dir)}`,
        'COMP_WORDS=(nofear-open Inv); COMP_CWORD=1; COMPREPLY=(); _nofear_open; printf \'<%s>\\n\' "${COMPREPLY[@]}"',
        `XDG_DATA_HOME=${JSON.stringify(dir)} XDG_DATA_DIRS=/nonexistent; COMP_WORDS=(nofear-open --with org.ex); COMP_CWORD=2; COMPREPLY=(); _nofear_open; printf '<%s>\\n' "\${COMPREPLY[@]}"`,
      ].join('\n');
      const { stdout } = await execa('bash', ['--norc', '--noprofile', '-c', script]);
      assert.deepEqual(stdout.split('\n'), ['compopt -o filenames', "<Invoice [2024] (final) it's.pdf>", '<org.example.Viewer>']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
