// A hostile --edit viewer that writes until it is stopped (root: a 256 MiB tmpfs as the staging folder of
// the copy, so the free space measured is the export's disk alone): the VM is stopped at its budget and
// the disk's free space never falls by more than the export's cap (64 MiB here, by
// NOFEAR_TEST_EXPORT_CAP_BYTES). Nothing is left on the disk afterwards.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { bin, makeTestEnv } from '../helpers/cli.js';
import { startXvfb, type Display } from '../helpers/xvfb.js';
import { findGuestKernel } from '../../src/vm/kernel.js';

const CAP = 64 * 1024 ** 2;

describe('a hostile --edit viewer that writes until stopped (root, a 256 MiB tmpfs)', function () {
  let dir: string;
  let staging: string;
  let x: Display;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-export-cap-'));
    staging = path.join(dir, 'cache', 'nofear', 'staging');
    mkdirSync(staging, { recursive: true });
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=256m,mode=0700', 'nofear-export-cap', staging]);
    x = await startXvfb();
  });
  after(async () => {
    await x?.stop();
    await execa('umount', [staging]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is stopped at its budget: free space never falls by more than the cap', async () => {
    const t = makeTestEnv();
    try {
      const apps = path.join(t.dataHome, 'applications');
      mkdirSync(apps, { recursive: true });
      writeFileSync(path.join(apps, 'nofear-test-writer.desktop'), '[Desktop Entry]\nType=Application\nName=Writer\nExec=sh %f\nMimeType=text/plain;\n');
      const file = path.join(dir, 'notes.txt');
      // The "viewer" runs the document: 4 MB files of noise beside itself, one after another, for ever.
      writeFileSync(file, 'cd "$(dirname "$0")"; i=0; while :; do head -c 4000000 /dev/urandom >"f$i"; i=$((i+1)); done\n');
      const free = () => {
        const stat = statfsSync(staging);
        return stat.bavail * stat.bsize;
      };
      const baseline = free();
      let lowest = baseline;
      const sampler = setInterval(() => (lowest = Math.min(lowest, free())), 10);
      const kernel = await findGuestKernel();
      let result;
      try {
        result = await execa(process.execPath, [bin('nofear-open'), '--edit', '--verbose', '--save-back=never', '--with', 'nofear-test-writer.desktop', file], {
          env: {
            ...t.env,
            DISPLAY: x.display,
            XDG_CACHE_HOME: path.join(dir, 'cache'),
            NOFEAR_KERNEL: kernel.image,
            NOFEAR_KERNEL_MODULES: kernel.modulesDir,
            NOFEAR_TEST_EXPORT_CAP_BYTES: String(CAP),
          },
          reject: false,
          timeout: 300_000,
        });
      } finally {
        clearInterval(sampler);
      }
      assert.match(result.stderr, /the VM wrote \d+ MiB to its copy's folder, over its budget of 32 MiB: stopped/, result.stderr);
      assert.ok(baseline - lowest <= CAP, `free space fell by ${baseline - lowest} bytes, over the cap of ${CAP}`);
      assert.ok(baseline - lowest >= CAP / 4, `the viewer hardly wrote (${baseline - lowest} bytes): the test did not reach the budget`);
      assert.deepEqual(readdirSync(staging), [], 'the export was left');
    } finally {
      t.cleanup();
    }
  });
});
