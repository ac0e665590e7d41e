// A hostile converter that fills the output disk (root: a 64 MiB tmpfs as the output folder): 61 MB of
// incompressible pixels for one page, spooled in the cache, then written into the PDF on the small disk.
// The conversion stops with DiskFull before the disk's free space goes under the stated reserve (16 MiB
// here: 5 % of the disk, at least 16 MiB), and no temporary file is left.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { bin, leftoverSandboxes, makeTestEnv } from '../helpers/cli.js';
import { hostileGuestEnv } from '../helpers/hostile.js';
import { diskReserveBytes } from '../../src/convert/limits.js';

describe('a converter that fills the output disk (root, a 64 MiB tmpfs)', function () {
  let small: string;
  let dir: string;
  before(async () => {
    small = mkdtempSync(path.join(tmpdir(), 'nofear-small-out-'));
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-fill-'));
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0755', 'nofear-small-out', small]);
  });
  after(async () => {
    await execa('umount', [small]);
    rmSync(small, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops with DiskFull before the reserve, and leaves no temporary file', async () => {
    const t = makeTestEnv();
    try {
      const hostile = await hostileGuestEnv({ file: 'convert.sh', by: 'hostile-converter.sh' });
      const file = path.join(dir, 'fill-disk.pdf');
      writeFileSync(file, '%PDF-1.4\nfill-disk\n%%EOF\n');
      const space = () => {
        const stat = statfsSync(small);
        return { free: stat.bavail * stat.bsize, total: stat.blocks * stat.bsize };
      };
      const reserve = diskReserveBytes(space().total);
      let lowest = space().free;
      const sampler = setInterval(() => (lowest = Math.min(lowest, space().free)), 10);
      let result;
      try {
        result = await execa(process.execPath, [bin('nofear-open'), '--convert', '--output', small, file], { env: { ...t.env, ...hostile }, reject: false, timeout: 240_000 });
      } finally {
        clearInterval(sampler);
      }
      assert.equal(result.exitCode, 125, result.stderr);
      assert.match(result.stderr, new RegExp(`the disk of ${small} has \\d+ MiB free .*NoFear keeps 16 MiB free.*\\(DiskFull\\)`));
      assert.ok(lowest >= reserve, `free space fell to ${lowest} bytes, under the reserve of ${reserve}`);
      assert.ok(lowest < 40 * 1024 ** 2, `the disk was hardly written (lowest free ${lowest}): the test did not reach the reserve`);
      assert.deepEqual(readdirSync(small), [], 'a temporary file was left');
      assert.deepEqual(leftoverSandboxes(t), []);
    } finally {
      t.cleanup();
    }
  });
});
