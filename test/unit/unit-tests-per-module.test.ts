// The house's rule "every module in src/ with a decision in it has a unit test that imports it" (issue 26),
// read from the sources. All of src/ meets it (CEILING 0, since session 6): a new module with a decision
// comes with a unit test that imports it.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { countDecisions, importedSpecifiers, untestedDecisions } from '../helpers/unit-coverage.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const UNIT = fileURLToPath(new URL('./', import.meta.url));

/** Modules with a decision and no unit test importing them, at most: none. */
const CEILING = 0;

describe('unit tests per module (the house)', () => {
  it('counts if, ?:, case, catch, &&, || and ?? as decisions, and nothing in types or comments', () => {
    assert.equal(countDecisions('export type A = B extends C ? D : E;\n// if (x) y;\nexport const f = (x: number) => x + 1;'), 0);
    assert.equal(countDecisions('export function f(x?: number) {\n  if (x === 1) return x ?? 2;\n  try { g(); } catch { return x ? 3 : 4; }\n  switch (x) { case 5: return a && b || c; }\n}'), 7);
  });

  it('finds value imports, re-exports and dynamic imports, not `import type`', () => {
    const source = ["import { a } from '../x.js';", "import type { B } from '../y.js';", "export { c } from './z.js';", "const m = await import('../w.js');", "import assert from 'node:assert';"].join(
      '\n',
    );
    assert.deepEqual(importedSpecifiers(source), ['../x.js', './z.js', '../w.js']);
  });

  it(`leaves at most ${CEILING} modules with a decision and no unit test importing them`, function () {
    this.timeout(60_000); // reads every test and parses the untested modules: CPU-bound, slow only on a busy machine
    const missing = untestedDecisions(SRC, UNIT);
    const list = missing.map((entry) => `  ${entry.module} (${entry.decisions} decisions)`).join('\n');
    assert.ok(missing.length <= CEILING, `${missing.length} modules with a decision have no unit test importing them (ceiling ${CEILING}):\n${list}`);
    if (missing.length < CEILING) console.log(`    (${missing.length} now, under the ceiling of ${CEILING}: lower CEILING in this file)`);
  });
});
