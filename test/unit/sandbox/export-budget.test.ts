import assert from 'node:assert/strict';
import { exportAllowance, exportCapBytes } from '../../../src/vm/export-budget.js';
import { buildJailArgv } from '../../../src/vm/jail.js';

describe('sandbox: the writable export budget', () => {
  it('caps a copy at three times its size, at least 1 GiB; the guest may hold half of it', () => {
    assert.equal(exportCapBytes(10, {}), 1024 ** 3);
    assert.equal(exportCapBytes(2 * 1024 ** 3, {}), 6 * 1024 ** 3);
    assert.equal(exportCapBytes(10, { NOFEAR_TEST_EXPORT_CAP_BYTES: '67108864' }), 64 * 1024 ** 2);
    assert.equal(exportAllowance(64 * 1024 ** 2), 32 * 1024 ** 2);
  });

  it('limits the size of every file QEMU writes when asked', () => {
    const tools = { bwrap: 'bwrap', setpriv: 'setpriv', prlimit: 'prlimit' };
    const argv = buildJailArgv(['qemu'], { kind: 'setpriv', tools, readOnly: [], readWrite: [], network: false, kvm: false, limits: { addressSpaceBytes: 1, openFiles: 2, fileSizeBytes: 3 } });
    assert.deepEqual(argv.slice(-5), ['--as=1', '--nofile=2', '--fsize=3', '--', 'qemu']);
  });
});
