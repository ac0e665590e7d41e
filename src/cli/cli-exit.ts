// How every NoFear command ends: its status, or 125 with a message that names the problem and the fix.
import { isNoFearError } from '../errors.js';

import { NOFEAR_FAILURE } from '../util/exit-status.js';
import { closeInheritedDescriptors } from '../util/inherited-fds.js';
import { markPhase, phasesLine } from '../util/phases.js';

export { NOFEAR_FAILURE, signalStatus } from '../util/exit-status.js';

export function reportFailure(program: string, error: unknown): number {
  if (isNoFearError(error)) {
    process.stderr.write(`${program}: ${error.describe()}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${program}: internal error: ${message}\n  fix: run again with --verbose, and report it if it persists\n`);
    if (process.env.NOFEAR_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
  }
  return NOFEAR_FAILURE;
}

/** Every command's entry: descriptors it inherited are closed first (they would reach the VM's jail), then its status. */
export async function runMain(program: string, main: () => Promise<number>): Promise<never> {
  closeInheritedDescriptors();
  markPhase('node start + imports');
  let status: number;
  try {
    status = await main();
  } catch (error) {
    status = reportFailure(program, error);
  }
  markPhase('clean-up');
  const phases = phasesLine(program);
  if (phases !== undefined) process.stderr.write(`${phases}\n`);
  process.exit(status);
}

/** NoFear's own notices: shown on a terminal or with --verbose, never mixed into a pipe, never with --quiet. */
export function noticeWriter(verbose: boolean, program = 'nofear', quiet = false): (line: string) => void {
  const show = !quiet && (verbose || process.stderr.isTTY === true);
  return (line) => {
    if (show) process.stderr.write(`${program}: ${line}\n`);
  };
}
