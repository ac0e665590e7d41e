// One batch (the files of one nofear-open, one OpenFiles call, one --convert selection): each target is
// handled or failed on its own, and the failures are told together. Pure: per-target outcomes in; the
// exit status, one notification and the terminal's lines out. The adapters (the CLI's report, the
// service's notification) only write what this decides.
import path from 'node:path';
import { isNoFearError } from '../errors.js';
import { NOFEAR_FAILURE } from './exit-status.js';

/** Every target handled. */
export const ALL_HANDLED = 0;
/** Some targets handled, some failed (each failure told with its fix). */
export const SOME_FAILED = 3;
/** None handled: NoFear's own failure, as for every command. */
export const NONE_HANDLED = NOFEAR_FAILURE;

export type TargetOutcome = { target: string; kind: 'handled' } | { target: string; kind: 'failed'; reason: string; fix?: string };
export type FailedOutcome = Extract<TargetOutcome, { kind: 'failed' }>;

/** What the batch did to each target, in words: 'open' → "open", "opened" ('plan': --dry-run). */
export type BatchVerb = 'open' | 'convert' | 'edit' | 'plan';

const PAST: Record<BatchVerb, string> = { open: 'opened', convert: 'converted', edit: 'opened for editing', plan: 'planned' };

export const handled = (target: string): TargetOutcome => ({ target, kind: 'handled' });

/** A target that failed with `error`: a NoFearError's message and fix, anything else as an internal error. */
export function failed(target: string, error: unknown): FailedOutcome {
  if (isNoFearError(error)) return { target, kind: 'failed', reason: error.message, ...(error.fix === undefined ? {} : { fix: error.fix }) };
  const message = error instanceof Error ? error.message : String(error);
  return { target, kind: 'failed', reason: `internal error: ${message}`, fix: 'run again with --verbose, and report it if it persists' };
}

/** Each target planned on its own, one after the other: its plan, or its failure (told with the batch's others at the end). */
export async function planEach<T, P>(targets: readonly T[], name: (target: T) => string, plan: (target: T) => Promise<P>): Promise<(P | FailedOutcome)[]> {
  const planned: (P | FailedOutcome)[] = [];
  for (const target of targets) {
    try {
      planned.push(await plan(target));
    } catch (error) {
      planned.push(failed(name(target), error));
    }
  }
  return planned;
}

export function failuresOf(outcomes: readonly TargetOutcome[]): FailedOutcome[] {
  return outcomes.filter((outcome): outcome is FailedOutcome => outcome.kind === 'failed');
}

/** 0 all handled, 3 some handled and some failed, 125 none handled (an empty batch handled nothing). */
export function batchExitStatus(outcomes: readonly TargetOutcome[]): number {
  const failures = failuresOf(outcomes).length;
  if (outcomes.length === 0) return NONE_HANDLED;
  if (failures === 0) return ALL_HANDLED;
  return failures === outcomes.length ? NONE_HANDLED : SOME_FAILED;
}

/** One failure on one line: the reason, then its fix. */
export function describeFailure(failure: FailedOutcome, name = failure.target): string {
  const reason = failure.reason.includes(failure.target) ? failure.reason : `${name}: ${failure.reason}`;
  return failure.fix === undefined ? reason : `${reason} Fix: ${failure.fix}`;
}

export interface BatchNotice {
  summary: string;
  body: string;
}

/** The batch's one desktop notification: every failure with its fix; undefined when nothing failed. */
export function batchNotice(outcomes: readonly TargetOutcome[], verb: BatchVerb): BatchNotice | undefined {
  const failures = failuresOf(outcomes);
  const [only] = failures;
  if (only === undefined) return undefined;
  const done = outcomes.length - failures.length;
  const summary =
    failures.length === 1 && outcomes.length === 1
      ? `NoFear could not ${verb} ${path.basename(only.target)}`
      : `NoFear could not ${verb} ${failures.length} of ${outcomes.length} files${done > 0 ? ` (${done} ${PAST[verb]})` : ''}`;
  const body = failures.map((failure) => `• ${path.basename(failure.target)}: ${failure.reason}${failure.fix === undefined ? '' : ` Fix: ${failure.fix}`}`).join('\n');
  return { summary, body };
}

/** The terminal's (and the log's) lines: one per failure, then a tally when the batch had more than one target. */
export function terminalSummary(outcomes: readonly TargetOutcome[], program: string, verb: BatchVerb): string[] {
  const failures = failuresOf(outcomes);
  const lines = failures.map((failure) => `${program}: ${describeFailure(failure)}`);
  if (outcomes.length > 1 && failures.length > 0) lines.push(`${program}: ${PAST[verb]} ${outcomes.length - failures.length} of ${outcomes.length}; ${failures.length} failed (above).`);
  return lines;
}
