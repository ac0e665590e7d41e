// A guest tree deeper than PATH_MAX (20 levels of 250-byte names, 5,000 bytes deep), which 9p lets a
// guest build one component at a time and Node's recursive rm cannot remove (ENAMETOOLONG): a stale
// record stands over one, and ps and stop --all still reap it. (The hostile --edit viewer that builds one
// in its export waits on branch issue-28-budgets-gui: GUI opens missed their deadlines under this
// machine's load.)
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { leftoverSandboxes, makeTestEnv, runCli, type TestEnv } from '../helpers/cli.js';
import { cacheStagingRoot } from '../../src/sandbox/registry.js';
import { removeTree } from '../../src/util/remove-tree.js';

const DEPTH = 20;
const NAME_BYTES = 250;
/**
 * Builds the tree below the current directory one component at a time (a shell's cd goes by full path
 * and stops at PATH_MAX; Python's chdir takes the name alone) and prints how deep it got.
 */
const BUILD_TREE = `import os
depth = 0
try:
    while depth < ${DEPTH}:
        os.mkdir("0" * ${NAME_BYTES})
        os.chdir("0" * ${NAME_BYTES})
        depth += 1
finally:
    print(depth)
`;

/** A tree DEPTH levels of NAME_BYTES-byte names deep below `dir`, built the way a guest does. */
async function buildDeepTree(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { stdout } = await execa('python3', ['-c', BUILD_TREE], { cwd: dir });
  assert.equal(stdout.trim(), String(DEPTH));
}

async function removeAll(dir: string): Promise<void> {
  await removeTree(dir);
}

describe('a guest tree deeper than PATH_MAX', function () {
  let t: TestEnv;
  let dir: string;
  beforeEach(() => {
    t = makeTestEnv();
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-deep-'));
  });
  afterEach(async () => {
    await removeAll(t.runtimeBase); // whatever a failure left, so the clean-up below cannot fail on it
    t.cleanup();
    await removeAll(dir);
  });

  it('a stale record over such a tree is reaped by ps and by stop --all, and Node alone could not', async () => {
    const cache = path.join(dir, 'cache');
    const env = { XDG_CACHE_HOME: cache };
    const plant = async (id: string) => {
      const sandbox = path.join(t.runtimeBase, id);
      await buildDeepTree(path.join(sandbox, 'vm', 'export'));
      await buildDeepTree(path.join(cacheStagingRoot(env), id));
      const dead = { pid: 2 ** 22 - 1, startTime: 1 }; // no such process
      writeFileSync(path.join(sandbox, 'sandbox.json'), JSON.stringify({ id, profile: 'temporary', command: ['x'], files: [], state: 'running', createdAt: 0, owner: dead, ownerKind: 'cli' }));
    };
    await plant('d0d0d0d0');
    await assert.rejects(
      import('node:fs/promises').then((fsp) => fsp.rm(path.join(t.runtimeBase, 'd0d0d0d0'), { recursive: true, force: true })),
      /ENAMETOOLONG/,
      "Node's rm removed the tree: the test's tree is not deep enough",
    );
    assert.equal(await removeTree(path.join(t.runtimeBase, 'd0d0d0d0')), true, 'removeTree left the tree');
    assert.equal(existsSync(path.join(t.runtimeBase, 'd0d0d0d0')), false);
    await removeTree(path.join(cacheStagingRoot(env), 'd0d0d0d0'));
    for (const command of [['ps'], ['stop', '--all']]) {
      await plant('d0d0d0d1');
      const result = await runCli('nofearctl', command, t, { env });
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual(leftoverSandboxes(t), [], `nofearctl ${command.join(' ')} left the stale sandbox`);
      assert.deepEqual(readdirSync(cacheStagingRoot(env)), [], `nofearctl ${command.join(' ')} left its staging export`);
    }
  });
});
