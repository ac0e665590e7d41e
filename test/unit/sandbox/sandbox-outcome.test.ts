// How a sandbox ends, in words a person can act on: the fix for a refused KVM names where KVM was asked
// for; a failed boot keeps its typed error or quotes QEMU's last lines cleaned; the job's outcome comes
// from the guest's report or from QEMU's end, whichever is first. Stand-ins for the VM's promises.
import assert from 'node:assert/strict';
import { NoFearError } from '../../../src/errors.js';
import { bootFailure, kvmRefused, outcomeOf } from '../../../src/sandbox/sandbox-outcome.js';
import type { AccelChoice } from '../../../src/vm/accel.js';
import type { ChannelEnd } from '../../../src/vm/guest-channel.js';
import type { QemuExit, QemuProcess } from '../../../src/vm/qemu-process.js';
import { KvmNoLife, type BootedVm } from '../../../src/vm/vm-boot.js';

const TCG: AccelChoice = { accel: 'tcg', from: 'probe', reason: 'no /dev/kvm' };
const KVM_CONFIG: AccelChoice = { accel: 'kvm', from: 'config', reason: 'accel = kvm in config.ini' };
const KVM_ENV: AccelChoice = { accel: 'kvm', from: 'environment', reason: 'NOFEAR_ACCEL=kvm' };

function qemuWith(stderr: string, console = ''): QemuProcess {
  return { stderrTail: () => stderr, consoleTail: () => console } as unknown as QemuProcess; // only the tails are read
}

/** A booted VM whose channel and QEMU end when the test says. */
function vmStandIn() {
  let endChannel: (end: ChannelEnd) => void = () => {};
  let exitQemu: (exit: QemuExit) => void = () => {};
  const kills: number[] = [];
  const vm = {
    channelEnd: new Promise<ChannelEnd>((resolve) => (endChannel = resolve)),
    controlClosed: Promise.resolve(),
    qemu: {
      exited: new Promise<QemuExit>((resolve) => (exitQemu = resolve)),
      kill: async (graceMs: number) => {
        kills.push(graceMs);
        return { code: null, signal: 'SIGKILL' };
      },
    },
  } as unknown as BootedVm; // outcomeOf reads only these
  return { vm, kills, endChannel: (end: ChannelEnd) => endChannel(end), exitQemu: (exit: QemuExit) => exitQemu(exit) };
}

describe('sandbox outcome', () => {
  it('a refused KVM names its fix where KVM was asked for: config.ini or NOFEAR_ACCEL', () => {
    const fromConfig = kvmRefused(KVM_CONFIG, 'no hello in 20 s');
    assert.equal(fromConfig.code, 'Unavailable');
    assert.match(fromConfig.message, /KVM was chosen \(accel = kvm in config.ini\) but the guest showed no sign of life under it: no hello in 20 s\./);
    assert.match(fromConfig.fix ?? '', /accel = auto .* under \[vm\] in config.ini/);
    assert.match(kvmRefused(KVM_ENV, 'x').fix ?? '', /unset NOFEAR_ACCEL/);
  });

  it("a failed boot keeps a typed error; under KVM any other failure is the KVM's", () => {
    const typed = new NoFearError('NotFound', 'no kernel', { fix: 'nofearctl doctor' });
    assert.equal(bootFailure(typed, TCG, undefined), typed);
    const underKvm = bootFailure(new Error('QEMU exited 1'), KVM_ENV, undefined);
    assert.ok(underKvm instanceof KvmNoLife);
    assert.equal(underKvm.message, 'QEMU exited 1');
  });

  it("under TCG, quotes QEMU's last six stderr lines, controls removed, or its console when stderr is empty", () => {
    const stderr = Array.from({ length: 8 }, (_, i) => `line ${i + 1}`).join('\n') + '\n\u001b[31mred\u0007\n';
    const failure = bootFailure(new Error('no hello'), TCG, qemuWith(stderr));
    assert.ok(failure instanceof NoFearError);
    assert.equal(failure.code, 'Unavailable');
    assert.equal(failure.fix, 'nofearctl doctor');
    const quoted = failure.message.split('\n').slice(1);
    assert.equal(quoted.length, 6);
    assert.equal(quoted[0], '  line 4');
    assert.doesNotMatch(quoted[5] ?? '', /[\u0000-\u001f]/);
    assert.match(quoted[5] ?? '', /red/);
    const fromConsole = bootFailure(new Error('no hello'), TCG, qemuWith('', 'Kernel panic'));
    assert.ok(fromConsole instanceof NoFearError);
    assert.equal(fromConsole.message, 'The VM did not start: no hello\n  Kernel panic');
    assert.equal((bootFailure(new Error('no hello'), TCG, undefined) as Error).message, 'The VM did not start: no hello');
  });

  it("takes the guest's exit report as the outcome", async () => {
    const { vm, endChannel } = vmStandIn();
    const outcome = outcomeOf(vm, () => false);
    endChannel({ kind: 'exit', status: 3, stdoutBytes: 10, stderrBytes: 2 });
    assert.deepEqual(await outcome, { kind: 'exited', status: 3, stdoutBytes: 10, stderrBytes: 2 });
  });

  it('a guest that could not run the job failed; one that broke the protocol failed and its VM is killed', async () => {
    const refused = vmStandIn();
    const first = outcomeOf(refused.vm, () => false);
    refused.endChannel({ kind: 'error', reason: 'no such program' });
    assert.deepEqual(await first, { kind: 'failed', reason: 'the guest could not run the job (no such program)' });
    assert.deepEqual(refused.kills, []);

    const hostile = vmStandIn();
    const second = outcomeOf(hostile.vm, () => false);
    hostile.endChannel({ kind: 'violation', reason: 'a line over 4096 bytes' });
    assert.deepEqual(await second, { kind: 'failed', reason: 'the guest broke the control protocol (a line over 4096 bytes); the VM was stopped', protocol: true });
    assert.deepEqual(hostile.kills, [500]);
  });

  it('QEMU ending first is a stop when one was asked for, otherwise a failure naming its exit', async () => {
    const asked = vmStandIn();
    const stopped = outcomeOf(asked.vm, () => true);
    asked.exitQemu({ code: 0, signal: null });
    assert.deepEqual(await stopped, { kind: 'stopped' });

    const died = vmStandIn();
    const failed = outcomeOf(died.vm, () => false);
    died.exitQemu({ code: null, signal: 'SIGKILL' });
    assert.deepEqual(await failed, { kind: 'failed', reason: 'the VM stopped before the command finished (QEMU SIGKILL)' });

    const exited = vmStandIn();
    const failedExit = outcomeOf(exited.vm, () => false);
    exited.exitQemu({ code: 1, signal: null });
    assert.deepEqual(await failedExit, { kind: 'failed', reason: 'the VM stopped before the command finished (QEMU exit 1)' });
  });
});
