import assert from 'node:assert/strict';
import { chooseAccel, hostTscKhz, type AccelFacts } from '../../../src/vm/accel.js';

const usable: AccelFacts = { kvmDeviceExists: true, kvmDeviceAccessible: true, cpuHasVirtFlag: true, vendorModuleLoaded: true, pvmModuleLoaded: false };

describe('chooseAccel', () => {
  it('uses KVM only when every sign says it works', () => {
    assert.equal(chooseAccel(usable).accel, 'kvm');
  });
  it('falls back to TCG with the reason and the fix', () => {
    assert.deepEqual(chooseAccel({ ...usable, kvmDeviceExists: false }).accel, 'tcg');
    const denied = chooseAccel({ ...usable, kvmDeviceAccessible: false });
    assert.equal(denied.accel, 'tcg');
    assert.match(denied.fix ?? '', /setfacl -m u:\$USER:rw \/dev\/kvm/);
    assert.match(chooseAccel({ ...usable, pvmModuleLoaded: true }).reason, /PVM/);
    assert.equal(chooseAccel({ ...usable, cpuHasVirtFlag: false }).accel, 'tcg');
  });
  it('lets NOFEAR_ACCEL override the probe', () => {
    assert.equal(chooseAccel({ ...usable, override: 'tcg' }).accel, 'tcg');
    assert.equal(chooseAccel({ ...usable, kvmDeviceExists: false, override: 'kvm' }).accel, 'kvm');
  });
});

describe('hostTscKhz', () => {
  it('reads cpu MHz from /proc/cpuinfo text', () => {
    assert.equal(hostTscKhz('processor : 0\ncpu MHz\t\t: 2596.122\n'), 2596122);
    assert.equal(hostTscKhz('processor : 0\n'), undefined);
  });
});
