// A --convert batch's logic: how many conversions run at once, the one progress line, and the one
// notification for the whole batch (files done, failed, pages, each failure's reason). Pure; the CLI
// runs it (src/cli/open-convert.ts) and reports failures with the batch-outcome module's words.
import path from 'node:path';
import type { Config } from '../config/index.js';
import { conversionMemoryMiB } from '../sandbox/pool-shapes.js';
import { batchNotice, failuresOf, type TargetOutcome } from '../util/batch-outcome.js';

/** Conversions at once: [service] max_sandboxes, and no more conversion VMs than [service] max_guest_memory holds. */
export function parallelConversions(config: Config): number {
  const byMemory = Math.floor(config.service.maxGuestMemoryMiB / Math.max(1, conversionMemoryMiB(config)));
  return Math.max(1, Math.min(config.service.maxSandboxes, byMemory));
}

/** Runs `work` over the items, at most `limit` at once, in order of the items; never rejects (work reports its own failures). */
export async function runLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, stopped: () => boolean = () => false): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stopped()) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface BatchProgress {
  total: number;
  done: number;
  failed: number;
  running: number;
  pages: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The terminal's one line for the batch. */
export function batchProgressText(progress: BatchProgress): string {
  const failed = progress.failed > 0 ? `, ${progress.failed} failed` : '';
  return `converting ${plural(progress.total, 'file')}: ${progress.done} done${failed}, ${progress.running} running (${plural(progress.pages, 'page')} so far)`;
}

/** The batch's one notification: how many were converted (and pages), and each failure with its reason and fix. */
export function conversionBatchNotice(outcomes: readonly TargetOutcome[], pages: number, outputs: readonly string[]): { summary: string; body: string } {
  const failures = failuresOf(outcomes);
  const done = outcomes.length - failures.length;
  // Nothing converted: the words every batch uses for its failures ("NoFear could not convert a.zip").
  const none = done === 0 ? batchNotice(outcomes, 'convert') : undefined;
  if (none !== undefined) return none;
  const only = outputs.length === 1 && outcomes.length === 1 ? outputs[0] : undefined;
  const summary =
    only !== undefined
      ? `${path.basename(only)} is ready`
      : failures.length === 0
        ? `NoFear converted ${plural(done, 'file')} (${plural(pages, 'page')})`
        : `NoFear converted ${done} of ${plural(outcomes.length, 'file')} (${plural(pages, 'page')}); ${failures.length} failed`;
  const made =
    only !== undefined
      ? [`A safe PDF made from its pixels (${plural(pages, 'page')}), in ${path.dirname(only)}.`]
      : done > 0
        ? [`Safe PDFs made from their pixels: ${done} done, ${failures.length} failed, ${plural(pages, 'page')}.`]
        : [];
  const body = [...made, ...failures.map((failure) => `• ${path.basename(failure.target)}: ${failure.reason}${failure.fix === undefined ? '' : ` Fix: ${failure.fix}`}`)].join('\n');
  return { summary, body };
}
