// The man pages say what is true: every example is a command line the grammar accepts (and none parses an
// untrusted file on the host), every config.ini key and every NOFEAR_* variable a person may set is there.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCUMENTED, MAN_EXTRAS } from '../../../src/cli/write-docs.js';
import { SETTINGS } from '../../../src/config/settings.js';
import type { CommandSpec } from '../../../src/cli/grammar.js';
import { refusal } from '../../helpers/command-lines.js';

const SRC = fileURLToPath(new URL('../../../src', import.meta.url));
const everyCommand = (c: CommandSpec): CommandSpec[] => [c, ...(c.subcommands ?? []).flatMap(everyCommand)];
/** Set by NoFear for its own children, or by the tests: not for people. */
const NOT_FOR_PEOPLE = ['NOFEAR_TEST_', 'NOFEAR_REPORT_FD', 'NOFEAR_SOUND_FD', 'NOFEAR_PROFILE', 'NOFEAR_GUEST_DIR', 'NOFEAR_DEMO_'];

function pageText(program: string): string {
  const root = DOCUMENTED.find((c) => c.path[0] === program);
  const described = root === undefined ? [] : everyCommand(root).flatMap((c) => [...(c.description ?? [])]);
  return [...described, ...(MAN_EXTRAS[program]?.sections ?? []).flatMap((s) => s.paragraphs)].join('\n');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : /\.(ts|py|sh)$/.test(name) ? [file] : [];
  });
}

describe('the man pages', () => {
  const programs = DOCUMENTED.map((c) => c.path[0] ?? '');

  it('has examples the grammar accepts as written, for each command, and none that parses an untrusted file on the host', () => {
    for (const program of programs) {
      const examples = [...pageText(program).matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '').filter((code) => /^(nofear|nofear-open|nofearctl) /.test(code));
      assert.ok(examples.length >= 2, `${program}: ${examples.length} examples`);
      for (const example of examples) {
        // A shell line: the NoFear command is the part before any pipe or redirection.
        const line = example.split(/\s[|<>]\s?/)[0] ?? '';
        assert.equal(refusal(line), undefined, `${program}: \`${example}\` is refused`);
        assert.doesNotMatch(example, /<\s*\S+\.(pdf|docx?|odt|html?)\s*\|\s*nofear/, `\`${example}\` parses the file on the host`);
      }
    }
    const open = pageText('nofear-open');
    for (const mode of ['--convert', '--edit', 'https://']) assert.ok(open.includes(`\`nofear-open ${mode}`), `nofear-open(1) shows ${mode}`);
  });

  it('names every config.ini key, [pool] idle_timeout among them', () => {
    for (const program of programs) {
      const text = pageText(program);
      for (const setting of SETTINGS) assert.match(text, new RegExp(`\\[${setting.section}\\][^;]*\\b${setting.key}\\b`), `${program}(1) lacks [${setting.section}] ${setting.key}`);
    }
  });

  it('names every NOFEAR_* variable a person may set, NOFEAR_CLIENT_JAIL and NOFEAR_CLIENT_POLICY among them', () => {
    const read = new Set<string>();
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, 'utf8');
      const patterns = [/env\.(NOFEAR_[A-Z0-9_]+)/g, /environ(?:\.get|\.pop|\[)\(?\s*"(NOFEAR_[A-Z0-9_]+)"/g, /tool\(env, '(NOFEAR_[A-Z0-9_]+)'/g];
      for (const pattern of patterns) for (const match of text.matchAll(pattern)) read.add(match[1] ?? '');
    }
    assert.ok(read.has('NOFEAR_CLIENT_POLICY') && read.has('NOFEAR_CLIENT_JAIL'), 'the scan finds the variables');
    for (const program of programs) {
      const text = pageText(program);
      const missing = [...read].filter((name) => !NOT_FOR_PEOPLE.some((prefix) => name.startsWith(prefix)) && !new RegExp(`\\b${name}\\b`).test(text));
      assert.deepEqual(missing, [], `${program}(1) ENVIRONMENT lacks these`);
    }
  });
});
