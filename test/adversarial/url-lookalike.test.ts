// Issue 17, targets: an argument is a URL only when it is an absolute URI with `//`. A local file named
// like a web address (`https:attacker.example`) is a file: staged, opened by its viewer, no network.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';

import path from 'node:path';
import { execa } from 'execa';
import { bin, type TestEnv, perTestEnv } from '../helpers/cli.js';
import { samplePdf } from '../../src/demo/sample-pdf.js';

describe('targets (issue 17)', function () {
  let t: TestEnv;
  let dir: string;
  perTestEnv('nofear-targets-', (env, scratch) => ([t, dir] = [env, scratch]), { leftovers: 'allowed' });

  it('plans a local file named https:attacker.example (given relative) as a file, not a web page', async () => {
    const names = ['https:attacker.example', 'http:attacker.example', 'file:report.pdf'];
    for (const name of names) writeFileSync(path.join(dir, name), samplePdf());
    const result = await execa(process.execPath, [bin('nofear-open'), '--dry-run', ...names], { cwd: dir, env: t.env, reject: false });
    assert.equal(result.exitCode, 0, result.stderr);
    const blocks = result.stdout.trim().split('\n\n');
    assert.equal(blocks.length, names.length);
    names.forEach((name, i) => {
      const block = blocks[i] ?? '';
      assert.match(block, new RegExp(`^file: ${path.join(dir, name).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\n`), block);
      assert.match(block, /\nmime: application\/pdf\n/, block);
      const argv = JSON.parse(/^argv: (.*)$/m.exec(block)?.[1] ?? '[]') as string[];
      assert.equal(argv.at(-1), `/staging/${name}`, block);
    });
    assert.doesNotMatch(result.stdout, /x-scheme-handler/);
  });
});
