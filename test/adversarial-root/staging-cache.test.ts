// Issue 17, staging a large file (root: a small tmpfs as the runtime dir). A file bigger than a quarter
// of the runtime dir's free space is staged under $XDG_CACHE_HOME/nofear/staging/<id>, reaches the guest
// from there byte for byte, and is removed when the sandbox ends.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { checkOpenable } from '../../src/open/check.js';
import { cacheStagingRoot, runtimeBase, stagingOwnerMark } from '../../src/sandbox/registry.js';
import { bootId } from '../../src/sandbox/reaper.js';
import { identify } from '../../src/util/proc.js';
import { exportBelongsInCache } from '../../src/sandbox/sandbox.js';
import { startStagedVm } from '../helpers/staged-vm.js';
import { stageCopy } from '../../src/open/staging.js';

describe('staging a large file (root, a small tmpfs as the runtime dir)', function () {
  let runtime: string;
  let dir: string;
  before(async () => {
    runtime = mkdtempSync(path.join(tmpdir(), 'nofear-small-run-'));
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-big-file-'));
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'nofear-small-run', runtime]);
  });
  after(async () => {
    await execa('umount', [runtime]);
    rmSync(runtime, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts a file over a quarter of the free space in the cache dir, serves it from there, and removes it after', async () => {
    const file = path.join(dir, 'big.bin');
    writeFileSync(file, randomBytes(3 * 1024 * 1024));
    const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
    const env = { ...process.env, XDG_RUNTIME_DIR: runtime };
    const checked = await checkOpenable(file, 64 * 1024 * 1024);
    assert.equal(exportBelongsInCache(checked.size, runtime), true, 'the test file is not big enough for this tmpfs');
    const sandbox = await startStagedVm({
      env,
      export: { bytes: checked.size, fill: async (exportDir) => void (await stageCopy(checked, exportDir, 'big.bin', 64 * 1024 * 1024)) },
      script: 'sha256sum /staging/big.bin; cat',
      user: 'user',
    });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        sandbox.ports.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('\n')) resolve();
        });
        void sandbox.outcome.then((outcome) => reject(new Error(`the guest ended first: ${JSON.stringify(outcome)}`)));
      });
      assert.equal(output.split(' ')[0], digest, 'the guest read other bytes');
      const staging = path.join(cacheStagingRoot(env), sandbox.id);
      assert.equal(sandbox.layout.exportDir, staging);
      assert.deepEqual(readdirSync(staging), ['big.bin']);
      assert.equal(existsSync(path.join(sandbox.layout.vmDir, 'export')), false, 'a copy in the runtime dir too');
      // Beside the copy, outside the guest's export: its owner (this process), for the staging reaper.
      const me = identify(process.pid);
      assert.deepEqual(JSON.parse(readFileSync(stagingOwnerMark(env, sandbox.id), 'utf8')), { pid: me?.pid, startTime: me?.startTime, bootId: bootId() });
    } finally {
      sandbox.ports.stdin?.end();
    }
    const outcome = await sandbox.outcome;
    await sandbox.dispose();
    assert.equal(outcome.kind, 'exited');
    assert.equal(existsSync(path.join(cacheStagingRoot(env), sandbox.id)), false, 'the staged copy outlived its sandbox');
    assert.equal(existsSync(stagingOwnerMark(env, sandbox.id)), false, "the copy's owner mark outlived it");
    assert.deepEqual(readdirSync(runtimeBase(env)), []);
  });
});
