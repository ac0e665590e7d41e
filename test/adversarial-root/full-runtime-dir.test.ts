// Root-only fault: a full runtime directory (a tiny tmpfs). NoFear refuses clearly and leaves nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { bin } from '../helpers/cli.js';

describe('faults (root)', function () {
  let mountpoint: string;
  before(async () => {
    mountpoint = mkdtempSync(path.join(tmpdir(), 'nofear-full-'));
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'nofear-full', mountpoint]);
    // Fill it to the last block.
    try {
      writeFileSync(path.join(mountpoint, 'filler'), Buffer.alloc(1024 * 1024));
    } catch {
      // ENOSPC: full, as intended
    }
    await execa('mkdir', ['-p', path.join(mountpoint, 'nofear')]).catch(() => undefined);
  });
  after(async () => {
    await execa('umount', [mountpoint]);
    rmSync(mountpoint, { recursive: true, force: true });
  });

  it('refuses to start in a full runtime directory, naming it, and leaves nothing', async () => {
    const result = await execa(process.execPath, [bin('nofear'), '-t', 'true'], { env: { ...process.env, XDG_RUNTIME_DIR: mountpoint }, reject: false, timeout: 60_000 });
    assert.equal(result.exitCode, 125);
    assert.match(result.stderr, /full|no space|ENOSPC/i);
    const left = readdirSync(path.join(mountpoint, 'nofear')).filter((name) => /^[0-9a-f]{8}$/.test(name));
    assert.deepEqual(left, []);
  });
});
