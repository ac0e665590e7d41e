// The one command-line grammar: every command and subcommand read by the same rules from its table.
import assert from 'node:assert/strict';
import { optionsOf, parseCommandLine, type CommandSpec, type ParseResult } from '../../../src/cli/grammar.js';
import { renderHelp } from '../../../src/cli/help.js';
import { NOFEAR_OPEN_SPEC, NOFEAR_SPEC } from '../../../src/cli/spec-nofear.js';
import { NOFEARCTL_SPEC } from '../../../src/cli/spec-nofearctl.js';
import { NoFearError } from '../../../src/errors.js';

/** Every command and subcommand, depth first. */
function allCommands(command: CommandSpec): CommandSpec[] {
  return [command, ...(command.subcommands ?? []).flatMap(allCommands)];
}
const EVERY = [NOFEAR_SPEC, NOFEAR_OPEN_SPEC, NOFEARCTL_SPEC].flatMap(allCommands);
const words = (command: CommandSpec) => command.path.slice(1);
const root = (command: CommandSpec) => [NOFEAR_SPEC, NOFEAR_OPEN_SPEC, NOFEARCTL_SPEC].find((r) => r.path[0] === command.path[0]) ?? NOFEAR_SPEC;
const parse = (command: CommandSpec, argv: string[]) => parseCommandLine(root(command), [...words(command), ...argv]);
const run = (result: ParseResult) => {
  assert.equal(result.kind, 'run');
  return result as Extract<ParseResult, { kind: 'run' }>;
};

describe('command-line grammar', () => {
  it('answers --help, -h and --version on every command and subcommand, with exactly its own options in the help', () => {
    for (const command of EVERY) {
      const name = command.path.join(' ');
      for (const flag of ['--help', '-h']) {
        const help = parse(command, [flag]);
        assert.equal(help.kind, 'help', `${name} ${flag}`);
        assert.equal((help as { command: CommandSpec }).command, command, `${name} ${flag} describes ${name}`);
      }
      assert.equal(parse(command, ['--version']).kind, 'version', `${name} --version`);
      const text = renderHelp(command);
      for (const option of optionsOf(command)) assert.ok(text.includes(`--${option.long}`), `${name} --help lists --${option.long}`);
      for (const sub of command.subcommands ?? []) assert.ok(text.includes(`\n  ${sub.path.at(-1) ?? ''}`), `${name} --help lists ${sub.path.at(-1) ?? ''}`);
    }
  });

  it('reads `nofearctl help` and a command with subcommands but none named as help; profiles alone lists', () => {
    assert.equal(run(parseCommandLine(NOFEARCTL_SPEC, ['help'])).command.path.join(' '), 'nofearctl help');
    assert.equal(parseCommandLine(NOFEARCTL_SPEC, []).kind, 'help');
    assert.equal(parseCommandLine(NOFEARCTL_SPEC, ['integrate']).kind, 'help');
    assert.equal(run(parseCommandLine(NOFEARCTL_SPEC, ['profiles'])).command.path.join(' '), 'nofearctl profiles list');
  });

  it('groups short options, takes --opt=VALUE, and ends options at -- or (for nofear) at the command', () => {
    const grouped = run(parseCommandLine(NOFEAR_SPEC, ['-tgv', 'xclock', '-t']));
    assert.deepEqual(grouped.values, { temporary: true, gui: true, verbose: true });
    assert.deepEqual(grouped.operands, ['xclock', '-t']);
    assert.deepEqual(run(parseCommandLine(NOFEAR_SPEC, ['--net=user', '--', '-x'])).operands, ['-x']);
    assert.deepEqual(run(parseCommandLine(NOFEAR_SPEC, ['-pwork', 'ls'])).values, { profile: 'work' });
  });

  it('takes a subcommand\'s options before or after its operands, and -- before an operand that starts with "-"', () => {
    assert.deepEqual(run(parseCommandLine(NOFEARCTL_SPEC, ['stop', 'work'])).operands, ['work']);
    assert.deepEqual(run(parseCommandLine(NOFEARCTL_SPEC, ['ps', '--json'])).values, { json: true });
    assert.deepEqual(run(parseCommandLine(NOFEARCTL_SPEC, ['profiles', 'create', '--', '-odd'])).operands, ['-odd']);
  });

  it('refuses with one InvalidArgument that never names the program itself (the caller prefixes it once) and names a fix', () => {
    const cases: Array<[CommandSpec, string[], RegExp]> = [
      [NOFEAR_OPEN_SPEC, ['--bogus'], /^unknown option --bogus\.$/],
      [NOFEAR_OPEN_SPEC, ['--version=1'], /^--version takes no value\.$/],
      [NOFEAR_SPEC, ['-tg', '-z'], /^unknown option -z\.$/],
      [NOFEAR_SPEC, ['-tzg'], /^unknown option -z \(in -tzg\)\.$/],
      [NOFEAR_SPEC, ['--net', 'bridge'], /^--net takes none or user, not "bridge"\.$/],
      [NOFEAR_SPEC, ['--profile', '-t'], /^--profile needs a value \(NAME\)\.$/],
      [NOFEARCTL_SPEC, ['ps', '--bogus'], /^unknown option --bogus for ps\.$/],
      [NOFEARCTL_SPEC, ['ps', 'x'], /^ps takes no arguments, not "x"\.$/],
      [NOFEARCTL_SPEC, ['bogus'], /^unknown command "bogus"\.$/],
      [NOFEARCTL_SPEC, ['profiles', 'rename'], /^unknown command "rename" for profiles\.$/],
      [NOFEARCTL_SPEC, ['profiles', 'create'], /^NAME is missing\.$/],
    ];
    for (const [command, argv, message] of cases) {
      assert.throws(
        () => parseCommandLine(command, argv),
        (error: unknown) => error instanceof NoFearError && error.code === 'InvalidArgument' && message.test(error.message) && /\S/.test(error.fix ?? ''),
        `${command.path[0] ?? ''} ${argv.join(' ')}`,
      );
    }
  });

  it('names a value that works in the fix of a missing or bad value', () => {
    assert.throws(
      () => parseCommandLine(NOFEAR_SPEC, ['--mem']),
      (e: unknown) => e instanceof NoFearError && e.fix === 'nofear --mem 2G [CMD [ARG...]]',
    );
    assert.throws(
      () => parseCommandLine(NOFEAR_OPEN_SPEC, ['--with']),
      (e: unknown) => e instanceof NoFearError && e.fix === 'nofear-open --with mupdf FILE|URL...',
    );
  });
});
