// doctor's verdict from its checks: only a FAIL makes the status 1; each line aligned, a fix shown only
// for a check that is not OK, and the closing sentence counting failures or warnings.
import assert from 'node:assert/strict';
import { doctorExitStatus, formatChecks, type Check } from '../../../src/cli/doctor-check.js';

const ok: Check = { name: 'qemu', status: 'OK', detail: 'qemu-system-x86_64 9.2', fix: 'never shown' };
const warn: Check = { name: 'accelerator', status: 'WARN', detail: 'TCG (slow)', fix: 'sudo adduser $USER kvm' };
const fail: Check = { name: 'xpra', status: 'FAIL', detail: 'not installed', fix: 'sudo apt-get install xpra' };

describe('cli/doctor-check', () => {
  it('exits 1 only when a check failed', () => {
    assert.equal(doctorExitStatus([ok, warn]), 0);
    assert.equal(doctorExitStatus([]), 0);
    assert.equal(doctorExitStatus([ok, fail]), 1);
  });

  it('aligns the names, shows fixes only for checks that are not OK, and says NoFear can run', () => {
    assert.equal(
      formatChecks([ok, warn]),
      ['OK    qemu         qemu-system-x86_64 9.2', 'WARN  accelerator  TCG (slow)', '      fix: sudo adduser $USER kvm', 'NoFear can run here (1 warning).', ''].join('\n'),
    );
    assert.equal(formatChecks([ok]).split('\n').at(-2), 'NoFear can run here.');
    assert.equal(formatChecks([warn, warn]).split('\n').at(-2), 'NoFear can run here (2 warnings).');
  });

  it('counts the failures in its verdict, whatever the warnings', () => {
    assert.equal(formatChecks([fail, warn]).split('\n').at(-2), 'NoFear cannot run here: 1 check failed (fixes above).');
    assert.equal(formatChecks([fail, fail]).split('\n').at(-2), 'NoFear cannot run here: 2 checks failed (fixes above).');
  });
});
