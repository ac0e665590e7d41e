// The man pages' settings paragraph lists every key of the settings table by section (a new key shows at
// once), and the environment list names only NOFEAR_* variables a person sets, each once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFIG_PARAGRAPH, ENVIRONMENT, ENVIRONMENT_PARAGRAPHS, configKeys } from '../../../src/cli/man-environment.js';
import { SETTINGS } from '../../../src/config/settings.js';
import { typeScriptFiles } from '../../helpers/unit-coverage.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

describe('cli/man-environment', () => {
  it('lists every setting under its own section, each section once, then the profiles', () => {
    const parts = configKeys().split('; ');
    assert.equal(parts.at(-1), '[profile.NAME] border');
    const sections = parts.slice(0, -1).map((part) => /^\[(\w+)\] (.+)$/.exec(part));
    assert.ok(sections.every((m) => m !== null));
    const listed = sections.flatMap((m) => m![2]!.split(', ').map((key) => `${m![1]}.${key}`));
    assert.deepEqual(listed.sort(), SETTINGS.map((s) => `${s.section}.${s.key}`).sort());
    const names = sections.map((m) => m![1]);
    assert.equal(new Set(names).size, names.length, 'a section is listed once, its keys together');
    assert.ok(CONFIG_PARAGRAPH.includes(configKeys()));
  });

  it('names each NOFEAR_ variable once, each with a sentence', () => {
    const variables = ENVIRONMENT.flatMap(([name]) => name.split('=')[0]!.split(', '));
    assert.ok(
      variables.every((v) => /^NOFEAR_[A-Z0-9_]+$/.test(v)),
      variables.join(' '),
    );
    assert.equal(new Set(variables).size, variables.length);
    assert.ok(ENVIRONMENT.every(([, what]) => what.endsWith('.')));
    assert.equal(ENVIRONMENT_PARAGRAPHS[0], `\`${ENVIRONMENT[0]![0]}\`: ${ENVIRONMENT[0]![1]}`);
  });

  it('documents only variables the code reads', () => {
    const code = typeScriptFiles(SRC)
      .filter((file) => !file.endsWith('man-environment.ts'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const unread = ENVIRONMENT.flatMap(([name]) => name.split('=')[0]!.split(', ')).filter((v) => !code.includes(v));
    assert.deepEqual(unread, []);
  });
});
