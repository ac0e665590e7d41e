// How a sandbox ends, in words a person can act on: the job's outcome (the guest's report, or QEMU's end
// when that comes first), and what a failed start means (a KVM that cannot run the guest, a VM that did
// not start).
import { setTimeout as delay } from 'node:timers/promises';
import { NoFearError } from '../errors.js';
import type { AccelChoice } from '../vm/accel.js';
import type { QemuProcess } from '../vm/qemu-process.js';
import { withoutControls } from '../util/text.js';
import { NOFEAR_FAILURE, STOPPED_STATUS } from '../util/exit-status.js';
import type { ChannelEnd } from '../vm/guest-channel.js';
import { KvmNoLife, TcgNoLife, type BootedVm } from '../vm/vm-boot.js';

export type SandboxOutcome =
  | { kind: 'exited'; status: number; stdoutBytes: number; stderrBytes: number }
  /** The host asked it to stop (nofearctl stop, a signal, the GUI client closed). */
  | { kind: 'stopped' }
  /** `protocol`: the guest broke the control protocol and was stopped for it. */
  | { kind: 'failed'; reason: string; protocol?: boolean };

/** The status an outcome reads as: the guest command's own, 143 when stopped on request, 125 when NoFear failed. */
export function exitStatusOf(outcome: SandboxOutcome): number {
  return outcome.kind === 'exited' ? outcome.status : outcome.kind === 'stopped' ? STOPPED_STATUS : NOFEAR_FAILURE;
}

/** KVM was asked for (NOFEAR_ACCEL or config.ini) and cannot run the guest: say so and how to fix it. */
export function kvmRefused(accel: AccelChoice, why: string): NoFearError {
  const fix = accel.from === 'config' ? 'set accel = auto (or tcg) under [vm] in config.ini' : 'unset NOFEAR_ACCEL (or set it to tcg)';
  return new NoFearError('Unavailable', `KVM was chosen (${accel.reason}) but the guest showed no sign of life under it: ${why}.`, { fix });
}

export function bootFailure(error: unknown, accel: AccelChoice, qemu: QemuProcess | undefined): unknown {
  if (error instanceof KvmNoLife || error instanceof TcgNoLife || error instanceof NoFearError) return error;
  // Under KVM, a QEMU that dies or never answers is the KVM's fault until shown otherwise.
  if (accel.accel === 'kvm') return new KvmNoLife((error as Error).message);
  const detail = qemu === undefined ? '' : lastLines(qemu.stderrTail() || qemu.consoleTail());
  return new NoFearError('Unavailable', `The VM did not start: ${(error as Error).message}${detail ? `\n${detail}` : ''}`, { fix: 'nofearctl doctor', cause: error });
}

function lastLines(text: string, count = 6): string {
  return text
    .trim()
    .split('\n')
    .slice(-count)
    .map((line) => `  ${withoutControls(line)}`)
    .join('\n');
}

/** The job's outcome: the channel's end, or QEMU's when it comes first. */
export function outcomeOf(vm: BootedVm, stopRequested: () => boolean): Promise<SandboxOutcome> {
  const fromChannel = vm.channelEnd.then((end: ChannelEnd): SandboxOutcome => {
    if (end.kind === 'exit') return { kind: 'exited', status: end.status, stdoutBytes: end.stdoutBytes, stderrBytes: end.stderrBytes };
    if (end.kind === 'error') return { kind: 'failed', reason: `the guest could not run the job (${end.reason})` };
    // A guest that breaks the protocol is hostile or broken: it gets no further say.
    void vm.qemu.kill(500);
    return { kind: 'failed', reason: `the guest broke the control protocol (${end.reason}); the VM was stopped`, protocol: true };
  });
  // QEMU's exit can be seen before the last lines the guest wrote: read them all (the socket closes
  // after its data), bounded, before calling the VM's end a failure.
  const fromQemu = vm.qemu.exited
    .then(async (exit) => {
      await Promise.race([vm.controlClosed, delay(1000)]);
      return exit;
    })
    .then((exit): SandboxOutcome => (stopRequested() ? { kind: 'stopped' } : { kind: 'failed', reason: `the VM stopped before the command finished (QEMU ${exit.signal ?? `exit ${exit.code}`})` }));
  return Promise.race([fromChannel, fromQemu]);
}
