// removeTree on real trees: an ordinary one, a chain deeper than PATH_MAX (Node's rm gives up, GNU rm takes
// over), nothing at all, and one that cannot go (false and rm's complaints logged, never a throw).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { removeTree } from '../../../src/util/remove-tree.js';

describe('util/remove-tree removeTree', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-rmtree-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('removes an ordinary tree, and is content when there is nothing to remove', async () => {
    const tree = path.join(dir, 'tree');
    mkdirSync(path.join(tree, 'a', 'b'), { recursive: true });
    writeFileSync(path.join(tree, 'a', 'b', 'file'), 'x');
    const lines: string[] = [];
    assert.equal(await removeTree(tree, (line) => lines.push(line)), true);
    assert.equal(existsSync(tree), false);
    assert.equal(await removeTree(tree, (line) => lines.push(line)), true);
    assert.deepEqual(lines, []);
  });

  it('removes a chain of directories deeper than PATH_MAX, as a guest can build over 9p', async function () {
    this.timeout(30_000);
    const tree = path.join(dir, 'deep');
    mkdirSync(tree);
    // One component at a time, relative to the last (a shell's cd stops at PATH_MAX): 20 names of 255 bytes.
    execFileSync('python3', ['-c', "import os\nfor _ in range(20):\n    os.mkdir('d' * 255)\n    os.chdir('d' * 255)\nopen('file', 'w').close()"], { cwd: tree });
    assert.equal(await removeTree(tree), true);
    assert.equal(existsSync(tree), false);
  });

  it('returns false and logs what stayed when the tree cannot be removed', async function () {
    const tree = path.join(dir, 'stuck');
    const inner = path.join(tree, 'inner');
    mkdirSync(inner, { recursive: true });
    writeFileSync(path.join(inner, 'kept'), 'x');
    // Root removes from a read-only directory; only an immutable file stops it (and chattr needs root).
    const root = process.getuid?.() === 0;
    if (root) {
      try {
        execFileSync('chattr', ['+i', path.join(inner, 'kept')], { stdio: 'ignore' });
      } catch {
        this.skip(); // a filesystem without the immutable flag
      }
    } else chmodSync(inner, 0o555);
    try {
      const lines: string[] = [];
      assert.equal(await removeTree(tree, (line) => lines.push(line)), false);
      assert.ok(existsSync(path.join(inner, 'kept')));
      assert.ok(lines.length > 0 && lines.every((line) => line.startsWith('could not remove')), lines.join('\n'));
      assert.ok(
        lines.some((line) => line.includes('kept')),
        lines.join('\n'),
      );
    } finally {
      if (root) execFileSync('chattr', ['-i', path.join(inner, 'kept')]);
      else chmodSync(inner, 0o755);
    }
  });
});
