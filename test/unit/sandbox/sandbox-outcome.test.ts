// How a sandbox ends: the job's outcome comes from the guest's report or from QEMU's end, whichever is
// first. Stand-ins for the VM's promises.
import assert from 'node:assert/strict';
import { outcomeOf, guestErrorInWords } from '../../../src/sandbox/sandbox-outcome.js';
import type { ChannelEnd } from '../../../src/vm/guest-channel.js';
import type { QemuExit } from '../../../src/vm/qemu-process.js';
import type { BootedVm } from '../../../src/vm/vm-boot.js';

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

  it("the agent's own error reports read as words; an unknown one (a hostile guest's) as it came, even an Object key", async () => {
    const serverFailed = vmStandIn();
    const outcome = outcomeOf(serverFailed.vm, () => false);
    serverFailed.endChannel({ kind: 'error', reason: 'gui-server' });
    assert.deepEqual(await outcome, { kind: 'failed', reason: "the VM's Xpra server failed to start three times" });
    assert.equal(guestErrorInWords('no-display'), "the VM's X server did not start");
    assert.equal(guestErrorInWords('constructor'), 'the guest could not run the job (constructor)');
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
