// The host facts' own decisions (src/vm/host-facts.ts): which QEMU (NOFEAR_QEMU, else PATH) and the clear
// error when there is none, and which system directories the guest gets (real directories of this host
// only). probeHost as a whole builds the guest image and probes the jail: the VM suites cover it.
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isNoFearError } from '../../../src/errors.js';
import { SYSTEM_EXPORTS } from '../../../src/vm/guest-etc.js';
import { exportableSystemDirs, findQemu } from '../../../src/vm/host-facts.js';

describe('vm/host-facts', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-host-facts-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds QEMU named by NOFEAR_QEMU, else qemu-system-x86_64 on PATH', () => {
    const qemu = path.join(dir, 'qemu-system-x86_64');
    writeFileSync(qemu, '#!/bin/sh\n');
    chmodSync(qemu, 0o755);
    assert.equal(findQemu({ PATH: dir }), qemu);
    const other = path.join(dir, 'my-qemu');
    writeFileSync(other, '#!/bin/sh\n');
    chmodSync(other, 0o755);
    assert.equal(findQemu({ PATH: '/nonexistent', NOFEAR_QEMU: other }), other);
  });

  it('says which QEMU is missing and how to install it', () => {
    const unavailable = (message: RegExp) => (e: unknown) => isNoFearError(e) && e.code === 'Unavailable' && message.test(e.message) && e.fix === 'sudo apt-get install qemu-system-x86';
    assert.throws(() => findQemu({ PATH: '/nonexistent' }), unavailable(/no qemu-system-x86_64 on PATH/));
    const notExecutable = path.join(dir, 'plain');
    writeFileSync(notExecutable, '');
    assert.throws(() => findQemu({ PATH: dir, NOFEAR_QEMU: notExecutable }), unavailable(new RegExp(`NOFEAR_QEMU=${notExecutable} is not executable`)));
  });

  it('exports only the system directories that are real directories here (merged-/usr links are recreated in the guest)', () => {
    const dirs = exportableSystemDirs();
    assert.ok(dirs.includes('/usr'));
    for (const candidate of SYSTEM_EXPORTS) {
      let real = false;
      try {
        real = lstatSync(candidate).isDirectory();
      } catch {
        real = false;
      }
      assert.equal(dirs.includes(candidate), real, candidate);
    }
  });
});
