// An OpenFiles or OpenUris call is a batch: each target checked and planned on its own, the ones that can
// open are started, and the failures are told together in one notification (with each one's fix). Only
// when nothing can open is the call refused, with every reason in its error.
import { NoFearError, isNoFearError } from '../../errors.js';
import type { OpenPlan } from '../../open/open-plan.js';
import { appendLog } from '../../util/nofear-log.js';
import { batchNotice, describeFailure, failed, handled, type FailedOutcome, type TargetOutcome } from '../../util/batch-outcome.js';
import type { RequestContext } from './request-parts.js';

/** A target that cannot open: its outcome, and the error (whose code a refused call keeps). */
export type NotPlanned = FailedOutcome & { error: unknown };
export type Planned = OpenPlan | NotPlanned;

/** Each target planned by `plan`, in order: its plan, or its failure. */
export async function planEachTarget<T>(targets: readonly T[], name: (target: T) => string, plan: (target: T) => Promise<OpenPlan>): Promise<Planned[]> {
  return Promise.all(targets.map((target) => plan(target).catch((error: unknown): NotPlanned => ({ ...failed(name(target), error), error }))));
}

export const isPlan = (entry: Planned): entry is OpenPlan => !('kind' in entry && entry.kind === 'failed');

/** Nothing could open: one target's own error, or one error that names every target's reason. */
function refusal(failures: readonly NotPlanned[]): unknown {
  if (failures.length === 1) return failures[0]?.error;
  const first = failures.map((failure) => failure.error).find(isNoFearError);
  return new NoFearError(first?.code ?? 'Failed', `None of the ${failures.length} files can be opened:\n${failures.map((failure) => describeFailure(failure)).join('\n')}`);
}

/**
 * The plans that can open. Failures beside them are told in one notification (unless the caller said
 * notify=false: it reports them itself) and logged; when nothing can open, the call is refused.
 */
export async function plansOrRefusal(context: RequestContext, planned: readonly Planned[], notify: boolean | undefined): Promise<OpenPlan[]> {
  const plans = planned.filter(isPlan);
  const failures = planned.filter((entry): entry is NotPlanned => !isPlan(entry));
  if (failures.length === 0) return plans;
  for (const failure of failures) context.log(`not opened: ${describeFailure(failure)}`);
  if (plans.length === 0) throw refusal(failures);
  const outcomes: TargetOutcome[] = planned.map((entry) => (isPlan(entry) ? handled(entry.file) : entry));
  appendLog(
    failures.map((failure) => `service: not opened: ${describeFailure(failure)}`),
    context.env,
  );
  const notice = batchNotice(outcomes, 'open');
  if (notice !== undefined && notify !== false) await context.notifications.show(notice);
  return plans;
}
