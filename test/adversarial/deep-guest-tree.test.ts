// A guest tree deeper than PATH_MAX (20 levels of 250-byte names, 5,000 bytes deep), which 9p lets a
// guest build one component at a time and Node's recursive rm cannot remove (ENAMETOOLONG): a hostile
// --edit viewer builds one in its writable export, and a stale record stands over one. Neither may cost
// the edit, leave anything behind, or stop the next open, ps or stop.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { leftoverSandboxes, makeTestEnv, runCli, startCli, type TestEnv } from '../helpers/cli.js';
import { pressKey, reportedWindow, suiteDisplay, type Display } from '../helpers/xvfb.js';
import { installTestEditors, LOOKER } from '../helpers/test-editors.js';
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
const HOSTILE_VIEWER = 'nofear-test-deep-tree.desktop';

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

  describe('a hostile --edit viewer (real QEMU, Xvfb)', function () {
    this.timeout(600_000); // two GUI VMs, one after the other
    let x: Display;
    suiteDisplay((display) => (x = display));

    it('builds one in its export: the edit is still saved back, nothing is left, and the next open works', async () => {
      installTestEditors(t.dataHome);
      const apps = path.join(t.dataHome, 'applications');
      // The "viewer" runs the document: a shell script that builds the tree beside itself, then writes the edit.
      writeFileSync(path.join(apps, HOSTILE_VIEWER), '[Desktop Entry]\nType=Application\nName=Deep tree\nExec=sh %f\nMimeType=text/plain;\n');
      const file = path.join(dir, 'notes.txt');
      const script = [
        '[ -z "$1" ] && { cp "$0" /tmp/h.sh; exec sh /tmp/h.sh "$0"; }',
        `i=$(cd "$(dirname "$1")" && python3 -c '${BUILD_TREE}')`,
        'echo "edited at depth $i" >"$1"',
        'exec xmessage -default okay -title nofear-test-editor done',
        '',
      ].join('\n');
      writeFileSync(file, script);
      const edit = async (viewer: string) => {
        const run = startCli('nofear-open', ['--edit', '--verbose', '--save-back=always', '--with', viewer, file], t, { env: { DISPLAY: x.display } });
        const window = await reportedWindow(run, 240_000);
        await pressKey(x.display, window, 'Return');
        const result = await run;
        return { exitCode: result.exitCode, stderr: Buffer.from(result.stderr).toString('utf8') };
      };
      // The user's own cache (the kernel is there): only what this edit adds to its staging root counts, not
      // a leftover of some earlier run on this machine.
      const staging = cacheStagingRoot(process.env);
      const stagedNow = () => (existsSync(staging) ? readdirSync(staging).filter((name) => !name.startsWith('.')) : []);
      const before = new Set(stagedNow());
      const hostile = await edit(HOSTILE_VIEWER);
      assert.equal(hostile.exitCode, 0, hostile.stderr);
      assert.match(hostile.stderr, /notes\.txt: the changes were saved back/);
      assert.equal(readFileSync(file, 'utf8'), `edited at depth ${DEPTH}\n`, 'the guest did not build the whole tree');
      assert.deepEqual(leftoverSandboxes(t), [], 'the sandbox directory was left');
      assert.deepEqual(
        stagedNow().filter((name) => !before.has(name)),
        [],
        'the writable export was left in the cache',
      );
      const next = await edit(LOOKER);
      assert.equal(next.exitCode, 0, next.stderr);
      assert.match(next.stderr, /notes\.txt: unchanged; nothing to save/);
    });
  });
});
