import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootFailure, KvmNoLife, TcgNoLife } from '../../../src/vm/vm-boot.js';
import { removeStaleImages, STALE_IMAGE_AGE_MS } from '../../../src/vm/initramfs.js';

describe('the guest image cache (vm/initramfs)', () => {
  let dir: string;
  beforeEach(async () => (dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'nofear-images-'))));
  afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

  it("removes other builds' images once they are old, and keeps young ones, its own and other files", async () => {
    const now = Date.now();
    const make = async (name: string, ageMs: number) => {
      await fsp.writeFile(path.join(dir, name), 'x');
      const at = new Date(now - ageMs);
      await fsp.utimes(path.join(dir, name), at, at);
    };
    await make('initramfs-current.cpio', 3 * STALE_IMAGE_AGE_MS);
    await make('initramfs-old.cpio', STALE_IMAGE_AGE_MS + 60_000);
    // Built a minute ago by another NoFear (another install, another version): it may be about to boot.
    await make('initramfs-young.cpio', 60_000);
    await make('kernel-notes.txt', 3 * STALE_IMAGE_AGE_MS);
    await removeStaleImages(dir, 'initramfs-current.cpio', now);
    assert.deepEqual((await fsp.readdir(dir)).sort(), ['initramfs-current.cpio', 'initramfs-young.cpio', 'kernel-notes.txt']);
  });
});

describe('a boot that shows no sign of life (vm/vm-boot)', () => {
  it('is booted again on a first TCG boot, falls back from KVM, and is an error as it stands otherwise', () => {
    assert.ok(bootFailure('tcgFirst', 'no sign of life from QEMU within 6 s (its control port never opened)', true) instanceof TcgNoLife);
    assert.ok(bootFailure('kvm', 'QEMU exited during boot (exit 1)', false) instanceof KvmNoLife);
    const second = bootFailure('tcg', 'no sign of life from the guest within 120 s', true);
    assert.ok(!(second instanceof TcgNoLife) && !(second instanceof KvmNoLife));
    assert.ok(!(bootFailure('tcgFirst', 'QEMU exited during boot (exit 1)', false) instanceof TcgNoLife));
  });
});
