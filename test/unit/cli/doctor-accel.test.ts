// doctor's accelerator line: OK for KVM and for a TCG that was asked for, WARN for a probed fallback, and a
// forced KVM that cannot work FAILs (or WARNs when unsure) with a fix naming where it was forced; the
// machine's own measured times, medians once there are three runs.
import assert from 'node:assert/strict';
import { checkAccel, measuredTimes } from '../../../src/cli/doctor-accel.js';
import type { AccelChoice } from '../../../src/vm/accel.js';

describe("doctor's accelerator line", () => {
  it('says nothing was measured until there are three runs, then gives medians and counts', () => {
    assert.equal(measuredTimes({}, 'tcg'), 'no TCG times measured on this machine yet (every open measures them)');
    assert.equal(measuredTimes({ tcg: { boot: [2000, 3000] } }, 'tcg'), 'no TCG times measured on this machine yet (every open measures them)');
    assert.equal(measuredTimes({ tcg: { boot: [2400, 2000, 9000] } }, 'tcg'), 'a VM boots in 2.4 s here under TCG (median of the last 3 runs)');
    assert.equal(
      measuredTimes({ kvm: { boot: [1000, 1400, 1200, 1600], window: [12_000, 15_000, 14_000] } }, 'kvm'),
      "a VM boots in 1.3 s and a file's window shows in 14 s here under KVM (median of the last 4 and 3 runs)",
    );
    assert.match(measuredTimes({ kvm: { boot: [1000, 1000, 1000] } }, 'tcg'), /^no TCG times/);
  });

  it('KVM is OK; TCG asked for is OK; TCG by probe is a WARN carrying the fix for KVM', () => {
    const kvm = checkAccel({ accel: 'kvm', from: 'probe', reason: '/dev/kvm works' });
    assert.equal(kvm.status, 'OK');
    assert.match(kvm.detail, /^KVM \(\/dev\/kvm works\); no KVM times/);
    const asked = checkAccel({ accel: 'tcg', from: 'environment', reason: 'NOFEAR_ACCEL=tcg' });
    assert.equal(asked.status, 'OK');
    assert.equal(asked.fix, undefined);
    const probed = checkAccel({ accel: 'tcg', from: 'probe', reason: 'no /dev/kvm', fix: 'sudo modprobe kvm_intel' });
    assert.equal(probed.status, 'WARN');
    assert.match(probed.detail, /^KVM unusable \(no \/dev\/kvm\): falling back to TCG/);
    assert.equal(probed.fix, 'sudo modprobe kvm_intel');
    assert.equal(checkAccel({ accel: 'tcg', from: 'probe', reason: 'no /dev/kvm' }).fix, undefined);
  });

  it('a forced KVM that cannot work: FAIL when certain, WARN when not, the fix undoing the force where it was made', () => {
    const fromEnv: AccelChoice = { accel: 'kvm', from: 'environment', reason: 'NOFEAR_ACCEL=kvm', forcedButUnusable: { reason: '/dev/kvm is missing', certain: true } };
    const certain = checkAccel(fromEnv);
    assert.equal(certain.status, 'FAIL');
    assert.equal(certain.detail, 'KVM is forced (NOFEAR_ACCEL=kvm) but /dev/kvm is missing: no VM can boot');
    assert.equal(certain.fix, 'unset NOFEAR_ACCEL (NoFear then uses TCG by itself)');
    const fromConfig: AccelChoice = {
      accel: 'kvm',
      from: 'config',
      reason: 'accel = kvm',
      fix: 'sudo usermod -aG kvm $USER',
      forcedButUnusable: { reason: 'KVM hangs guests here', certain: false },
    };
    const unsure = checkAccel(fromConfig, {}, '/home/u/.config/nofear/config.ini');
    assert.equal(unsure.status, 'WARN');
    assert.match(unsure.detail, /: VMs may hang at boot$/);
    assert.equal(unsure.fix, 'set accel = auto in [vm] of /home/u/.config/nofear/config.ini (NoFear then uses TCG by itself); or make KVM usable: sudo usermod -aG kvm $USER');
  });
});
