// What a failed VM start means, in words a person can act on: the fix for a refused KVM names where KVM
// was asked for; a failed boot keeps its typed error (or the retry/fallback signal) or quotes QEMU's last
// lines cleaned.
import assert from 'node:assert/strict';
import { NoFearError } from '../../../src/errors.js';
import { kvmRefused, startFailure } from '../../../src/vm/start-vm.js';
import type { AccelChoice } from '../../../src/vm/accel.js';
import type { QemuProcess } from '../../../src/vm/qemu-process.js';
import { KvmNoLife } from '../../../src/vm/vm-boot.js';

const TCG: AccelChoice = { accel: 'tcg', from: 'probe', reason: 'no /dev/kvm' };
const KVM_CONFIG: AccelChoice = { accel: 'kvm', from: 'config', reason: 'accel = kvm in config.ini' };
const KVM_ENV: AccelChoice = { accel: 'kvm', from: 'environment', reason: 'NOFEAR_ACCEL=kvm' };

function qemuWith(stderr: string, console = ''): QemuProcess {
  return { stderrTail: () => stderr, consoleTail: () => console } as unknown as QemuProcess; // only the tails are read
}

describe('a VM start that failed', () => {
  it('a refused KVM names its fix where KVM was asked for: config.ini or NOFEAR_ACCEL', () => {
    const fromConfig = kvmRefused(KVM_CONFIG, 'no hello in 20 s');
    assert.equal(fromConfig.code, 'Unavailable');
    assert.match(fromConfig.message, /KVM was chosen \(accel = kvm in config.ini\) but the guest showed no sign of life under it: no hello in 20 s\./);
    assert.match(fromConfig.fix ?? '', /accel = auto .* under \[vm\] in config.ini/);
    assert.match(kvmRefused(KVM_ENV, 'x').fix ?? '', /unset NOFEAR_ACCEL/);
  });

  it("a failed boot keeps a typed error; under KVM any other failure is the KVM's", () => {
    const typed = new NoFearError('NotFound', 'no kernel', { fix: 'nofearctl doctor' });
    assert.equal(startFailure(typed, TCG, undefined), typed);
    const underKvm = startFailure(new Error('QEMU exited 1'), KVM_ENV, undefined);
    assert.ok(underKvm instanceof KvmNoLife);
    assert.equal(underKvm.message, 'QEMU exited 1');
  });

  it("under TCG, quotes QEMU's last six stderr lines, controls removed, or its console when stderr is empty", () => {
    const stderr = Array.from({ length: 8 }, (_, i) => `line ${i + 1}`).join('\n') + '\n\u001b[31mred\u0007\n';
    const failure = startFailure(new Error('no hello'), TCG, qemuWith(stderr));
    assert.ok(failure instanceof NoFearError);
    assert.equal(failure.code, 'Unavailable');
    assert.equal(failure.fix, 'nofearctl doctor');
    const quoted = failure.message.split('\n').slice(1);
    assert.equal(quoted.length, 6);
    assert.equal(quoted[0], '  line 4');
    assert.doesNotMatch(quoted[5] ?? '', /[\u0000-\u001f]/);
    assert.match(quoted[5] ?? '', /red/);
    const fromConsole = startFailure(new Error('no hello'), TCG, qemuWith('', 'Kernel panic'));
    assert.ok(fromConsole instanceof NoFearError);
    assert.equal(fromConsole.message, 'The VM did not start: no hello\n  Kernel panic');
    assert.equal((startFailure(new Error('no hello'), TCG, undefined) as Error).message, 'The VM did not start: no hello');
  });
});
