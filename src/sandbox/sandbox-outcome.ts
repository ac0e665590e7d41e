// How a sandbox ends, in words a person can act on: the job's outcome (the guest's report, or QEMU's end
// when that comes first). What a failed start means is vm/start-vm.ts's.
import { setTimeout as delay } from 'node:timers/promises';
import { NOFEAR_FAILURE, STOPPED_STATUS } from '../util/exit-status.js';
import type { BootedVm, ChannelEnd } from '../vm/start-vm.js';

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

/** What the agent's `error` reports mean (src/guest/agent.sh). */
const GUEST_ERRORS = new Map([
  ['gui-server', "the VM's Xpra server failed to start three times"],
  ['no-display', "the VM's X server did not start"],
  ['no-gui-port', 'the VM has no GUI port'],
  ['no-command', 'the job named no command'],
  ['no-setpriv', 'the host has no setpriv (util-linux), which drops the job to the guest user'],
]);

/** A reason in words; one the agent does not send (a hostile guest's) is shown as it came. */
export function guestErrorInWords(reason: string): string {
  return GUEST_ERRORS.get(reason) ?? `the guest could not run the job (${reason})`;
}

/** The job's outcome: the channel's end, or QEMU's when it comes first. */
export function outcomeOf(vm: BootedVm, stopRequested: () => boolean): Promise<SandboxOutcome> {
  const fromChannel = vm.channelEnd.then((end: ChannelEnd): SandboxOutcome => {
    if (end.kind === 'exit') return { kind: 'exited', status: end.status, stdoutBytes: end.stdoutBytes, stderrBytes: end.stderrBytes };
    if (end.kind === 'error') return { kind: 'failed', reason: guestErrorInWords(end.reason) };
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

/** What a conversion left: its safe PDF and page count, or why it wrote none (the service's Output, Pages, Failure and Reason). */
export interface ConversionOutcome {
  output: string;
  pages: number;
  /** The failure's name (ConversionError's: PasswordNeeded, Unrenderable…; OcrFailed beside a safe PDF without text), '' when none. */
  failure: string;
  /** The failure in NoFear's words, '' when nothing failed. */
  reason: string;
}
