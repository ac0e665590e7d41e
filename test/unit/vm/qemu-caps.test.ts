// QEMU's seccomp probe (src/vm/qemu-caps.ts) against real stand-in binaries (shell scripts: a real QEMU
// answers the same way, but its exit status is what the probe reads): accepted, refused, not runnable,
// and asked once per binary per process.
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SECCOMP_POLICY } from '../../../src/vm/qemu-argv.js';
import { qemuHasSeccomp } from '../../../src/vm/qemu-caps.js';

describe('vm/qemu-caps: qemuHasSeccomp', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-qemu-caps-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A script that records its arguments and exits with `status`. */
  const qemu = (name: string, status: number): string => {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' "$*" >> "${file}.calls"\nexit ${status}\n`);
    chmodSync(file, 0o755);
    appendFileSync(`${file}.calls`, '');
    return file;
  };

  it('is true when QEMU accepts -sandbox with the policy, asked once per binary', async () => {
    const binary = qemu('with-seccomp', 0);
    assert.equal(await qemuHasSeccomp(binary), true);
    assert.equal(await qemuHasSeccomp(binary), true);
    assert.deepEqual(readFileSync(`${binary}.calls`, 'utf8').split('\n').filter(Boolean), [`-sandbox ${SECCOMP_POLICY} -version`]);
  });

  it('is false when QEMU refuses -sandbox (built without libseccomp) or cannot run at all', async () => {
    assert.equal(await qemuHasSeccomp(qemu('without-seccomp', 1)), false);
    assert.equal(await qemuHasSeccomp(path.join(dir, 'no-such-qemu')), false);
  });
});
