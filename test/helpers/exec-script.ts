// A shell script as one argument of a desktop entry's Exec line (`sh -c SCRIPT sh %f`), for test entries
// whose program is a few lines of shell: the Exec line's quoting first, then the key file's escapes.
import assert from 'node:assert/strict';

/** One double-quoted Exec argument holding `script` (a literal %, a field code's mark, is written %%). */
export function execQuoted(script: string): string {
  assert.ok(!script.includes('\n'), 'a key file value is one line: join the script with ; instead');
  const quoted = `"${script.replace(/["`$\\]/g, (c) => `\\${c}`)}"`.replace(/%/g, '%%');
  return quoted.replace(/\\/g, '\\\\');
}
