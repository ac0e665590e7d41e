// The exit-status convention every NoFear command and the service share: the guest command's own
// status; 128+N for a signal; 125 when NoFear itself failed.
import os from 'node:os';

/** NoFear itself failed (the VM did not start, QEMU died): as `docker run` and `env` use 125. */
export const NOFEAR_FAILURE = 125;

/** The status a death by `signal` reads as (143 for SIGTERM, 130 for SIGINT). */
export function signalStatus(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 0);
}

/** Stopped on request: as if by SIGTERM. */
export const STOPPED_STATUS = signalStatus('SIGTERM');
