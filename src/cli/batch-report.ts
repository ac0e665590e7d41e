// The CLI's one reporting path for a batch's failures, whatever launched it: stderr always (a terminal
// reads it there), NoFear's log always, and without a terminal one desktop notification for the whole
// batch. Notify is sent without first asking whether a notification server exists (a file manager's
// session has one; where none answers, the log still holds the report).
import { appendLog } from '../util/nofear-log.js';
import { batchExitStatus, batchNotice, failuresOf, terminalSummary, type BatchVerb, type TargetOutcome } from '../util/batch-outcome.js';
import { notifyOnce } from '../service/bus/notifications.js';

export interface BatchReportOptions {
  program: string;
  verb: BatchVerb;
  env: NodeJS.ProcessEnv;
  /** A person reads stderr (a terminal): no notification then. */
  terminal: boolean;
}

/** Tells the batch's failures where the person is; returns the batch's exit status (0, 3 or 125). */
export async function reportBatch(outcomes: readonly TargetOutcome[], options: BatchReportOptions): Promise<number> {
  const lines = terminalSummary(outcomes, options.program, options.verb);
  for (const line of lines) process.stderr.write(`${line}\n`);
  if (failuresOf(outcomes).length > 0) appendLog(lines, options.env);
  const notice = options.terminal ? undefined : batchNotice(outcomes, options.verb);
  if (notice !== undefined) await notifyOnce(options.env, notice.summary, notice.body);
  return batchExitStatus(outcomes);
}

/** Launched from the desktop (a file manager's menu, a .desktop Exec line): nobody reads stderr. */
export function stderrIsTerminal(): boolean {
  return process.stderr.isTTY === true;
}
