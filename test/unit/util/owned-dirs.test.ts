import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeOwnedDir, ownerOf, pidRuns, sweepAbandoned } from '../../../src/util/owned-dirs.js';

/** The pid of a process that has ended (its number is free again, barring reuse). */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}

describe('directories owned by a NoFear process (util/owned-dirs)', () => {
  let root: string;
  beforeEach(async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), 'nofear-owned-'));
  });
  afterEach(() => fsp.rm(root, { recursive: true, force: true }));

  it('reads the owner from TAG-<pid>-XXXXXX only', () => {
    assert.equal(ownerOf('h-1234-Ab12cd', 'h'), 1234);
    assert.equal(ownerOf('h-1234-Ab12cd', 'a'), undefined);
    assert.equal(ownerOf('h-Ab12cd', 'h'), undefined); // the old, pid-less names: never guessed at
    assert.equal(ownerOf('h-0-Ab12cd', 'h'), undefined);
    assert.equal(ownerOf('h-1234-Ab12cd/..', 'h'), undefined);
    assert.equal(ownerOf('convert-1234-Ab12cd', 'h'), undefined);
  });

  it('makes a private directory named by this process, making root if needed', async () => {
    const dir = await makeOwnedDir(path.join(root, 'held'), 'h');
    assert.equal(ownerOf(path.basename(dir), 'h'), process.pid);
    assert.equal((await fsp.stat(dir)).mode & 0o777, 0o700);
    assert.equal(pidRuns(process.pid), true);
  });

  it("removes a gone process's directories and keeps a live one's, other tags, links and files", async () => {
    const gone = await deadPid();
    const abandoned = path.join(root, `h-${gone}-abcdef`);
    await fsp.mkdir(path.join(abandoned, 'deep'), { recursive: true });
    await fsp.writeFile(path.join(abandoned, 'deep', 'copy.pdf'), 'x');
    const mine = await makeOwnedDir(root, 'h');
    const otherTag = path.join(root, `a-${gone}-abcdef`);
    await fsp.mkdir(otherTag);
    const outside = await fsp.mkdtemp(path.join(os.tmpdir(), 'nofear-owned-target-'));
    await fsp.symlink(outside, path.join(root, `h-${gone}-linkXX`));
    await fsp.writeFile(path.join(root, `h-${gone}-fileXX`), 'x');
    const lines: string[] = [];
    try {
      assert.equal(await sweepAbandoned(root, 'h', (line) => lines.push(line)), 1);
      assert.deepEqual((await fsp.readdir(root)).sort(), [path.basename(otherTag), path.basename(mine), `h-${gone}-fileXX`, `h-${gone}-linkXX`].sort());
      assert.ok((await fsp.stat(outside)).isDirectory(), "the link's target is untouched");
      assert.match(lines.join('\n'), new RegExp(`removed .*h-${gone}-abcdef, left by NoFear process ${gone}`));
    } finally {
      await fsp.rm(outside, { recursive: true, force: true });
    }
  });

  it('sweeps nothing, and never fails, where root does not exist', async () => {
    assert.equal(await sweepAbandoned(path.join(root, 'missing'), 'h'), 0);
  });
});
