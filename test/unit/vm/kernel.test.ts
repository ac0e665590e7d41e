// Where the guest kernel comes from (src/vm/kernel.ts), on real files: NOFEAR_KERNEL wins when it names a
// readable image and its modules directory, and is a problem with its fix when either is wrong; the
// problem stops findGuestKernel before anything is downloaded or unpacked.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isNoFearError } from '../../../src/errors.js';
import { findGuestKernel, kernelCacheDir, locateKernel } from '../../../src/vm/kernel.js';

describe('vm/kernel: locateKernel', () => {
  let dir: string;
  let image: string;
  let modules: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-kernel-'));
    image = path.join(dir, 'vmlinuz');
    writeFileSync(image, 'not really a kernel');
    modules = path.join(dir, 'modules', '6.1.0-test');
    mkdirSync(path.join(modules, 'kernel'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes NOFEAR_KERNEL with NOFEAR_KERNEL_MODULES as they are', async () => {
    assert.deepEqual(await locateKernel({ NOFEAR_KERNEL: image, NOFEAR_KERNEL_MODULES: modules }), { kind: 'env', image, modulesDir: modules });
  });

  it('names the problem and its fix: an image that is not there or not readable, modules missing or without kernel/', async () => {
    const missing = await locateKernel({ NOFEAR_KERNEL: path.join(dir, 'none'), NOFEAR_KERNEL_MODULES: modules });
    assert.deepEqual(missing, { kind: 'problem', message: `NOFEAR_KERNEL=${path.join(dir, 'none')} is not a readable file.`, fix: 'unset NOFEAR_KERNEL, or point it at a kernel image' });
    if (process.getuid?.() !== 0) {
      chmodSync(image, 0o000); // root reads it all the same
      assert.equal((await locateKernel({ NOFEAR_KERNEL: image, NOFEAR_KERNEL_MODULES: modules })).kind, 'problem');
      chmodSync(image, 0o644);
    }
    for (const modulesDir of [undefined, '', path.join(dir, 'modules')]) {
      const location = await locateKernel({ NOFEAR_KERNEL: image, ...(modulesDir === undefined ? {} : { NOFEAR_KERNEL_MODULES: modulesDir }) });
      assert.equal(location.kind, 'problem', String(modulesDir));
      assert.match(location.kind === 'problem' ? location.fix : '', /^export NOFEAR_KERNEL_MODULES=\/lib\/modules\/<version>/);
    }
  });

  it("ignores an empty NOFEAR_KERNEL (the host or Debian's kernel then), and findGuestKernel throws the problem as Unavailable", async () => {
    const location = await locateKernel({ NOFEAR_KERNEL: '', XDG_CACHE_HOME: dir });
    assert.ok(['host', 'download', 'problem'].includes(location.kind), location.kind);
    assert.doesNotMatch(JSON.stringify(location), /NOFEAR_KERNEL/);
    await assert.rejects(
      findGuestKernel({ env: { NOFEAR_KERNEL: image, XDG_CACHE_HOME: dir } }),
      (error: unknown) => isNoFearError(error) && error.code === 'Unavailable' && /NOFEAR_KERNEL_MODULES does not name its modules directory/.test(error.message),
    );
  });

  it('keeps the unpacked kernels in XDG_CACHE_HOME/nofear/kernel', () => {
    assert.equal(kernelCacheDir({ XDG_CACHE_HOME: '/c', HOME: '/h' }), '/c/nofear/kernel');
    assert.equal(kernelCacheDir({ HOME: '/h' }), '/h/.cache/nofear/kernel');
  });
});
