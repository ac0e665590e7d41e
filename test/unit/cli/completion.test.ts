// The rendered bash completion, run by a real bash the way readline runs it (COMP_WORDS, COMP_CWORD, the
// function, COMPREPLY): subcommands, options per command path, option values (choices, a kind, none), and
// operands by position, the options ending at the first operand where the command says so.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderCompletion } from '../../../src/cli/completion.js';
import type { CommandSpec } from '../../../src/cli/grammar.js';

const TOOL: CommandSpec = {
  path: ['my-tool'],
  summary: 'a tool',
  options: [
    { key: 'mode', long: 'mode', short: 'm', value: 'MODE', choices: ['fast', 'slow'], help: 'how' },
    { key: 'into', long: 'into', value: 'DIR', complete: 'directory', help: 'where' },
    { key: 'label', long: 'label', value: 'TEXT', help: "a label (it's free text)" },
    { key: 'verbose', long: 'verbose', short: 'v', help: 'say more' },
  ],
  operands: [],
  subcommands: [
    {
      path: ['my-tool', 'run'],
      summary: 'run',
      options: [{ key: 'quiet', long: 'quiet', help: 'say less' }],
      operands: [
        { name: 'CMD', complete: 'none' },
        { name: 'ARG', rest: true },
      ],
      optionsEndAtOperand: true,
    },
    { path: ['my-tool', 'stop'], summary: 'stop', options: [], operands: [] },
  ],
};

describe('cli/completion renderCompletion (run by bash)', () => {
  let dir: string;
  let script: string;
  /** What bash offers for the last word of `line` (split on single spaces), with the cwd in the temp dir. */
  const complete = (line: string): string[] => {
    const words = line.split(' ');
    const program = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _my_tool; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', program, 'bash', script, ...words], { cwd: dir, encoding: 'utf8' });
    return out
      .split('\n')
      .filter((w) => w !== '')
      .sort();
  };

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-completion-'));
    script = path.join(dir, 'my-tool.bash');
    writeFileSync(script, renderCompletion(TOOL));
    mkdirSync(path.join(dir, 'folder one'));
    writeFileSync(path.join(dir, 'file.txt'), '');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is named for the command, with dashes made bash-safe, and registered for it', () => {
    const text = renderCompletion(TOOL);
    assert.match(text, /^# bash completion for my-tool: generated/);
    assert.match(text, /\ncomplete -F _my_tool my-tool\n$/);
  });

  it('offers the subcommands first, and a command path’s own options (help and version too)', () => {
    assert.deepEqual(complete('my-tool '), ['run', 'stop']);
    assert.deepEqual(complete('my-tool --v'), ['--verbose', '--version']);
    assert.deepEqual(complete('my-tool run --'), ['--help', '--quiet', '--version']);
  });

  it('completes an option’s value: its choices, its kind, or nothing', () => {
    assert.deepEqual(complete('my-tool --mode '), ['fast', 'slow']);
    assert.deepEqual(complete('my-tool -m s'), ['slow']);
    assert.deepEqual(complete('my-tool --into '), ['folder one']);
    assert.deepEqual(complete('my-tool --label '), []);
  });

  it('skips an option’s value when finding the subcommand', () => {
    assert.deepEqual(complete('my-tool --mode fast '), ['run', 'stop']);
    assert.deepEqual(complete('my-tool --mode fast run --q'), ['--quiet']);
  });

  it('completes operands by position, the last kind repeating, and ends options at the first operand', () => {
    assert.deepEqual(complete('my-tool run '), []); // CMD: none
    assert.deepEqual(complete('my-tool run cmd '), ['file.txt', 'folder one', 'my-tool.bash']);
    assert.deepEqual(complete('my-tool run cmd a f'), ['file.txt', 'folder one']);
    assert.deepEqual(complete('my-tool run cmd --'), [], 'after the command, words are its own, not options');
    assert.deepEqual(complete('my-tool stop '), [], 'no operands');
  });
});
