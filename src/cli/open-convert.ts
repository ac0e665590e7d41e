// nofear-open --convert: a safe PDF of each file, one conversion VM at a time, in this process. Each
// page shows on the terminal's status line as it arrives; the safe PDF's path goes to stdout; launched
// from the desktop (no terminal), each result comes as a notification; the failures are told together
// at the end (src/cli/batch-report.ts).
import path from 'node:path';
import { invalidArgument } from '../errors.js';
import type { Config } from '../config/index.js';
import { classifyTarget } from '../sandbox/open-plan.js';
import { formatConvertDryRun, planConvert, type ConvertPlan } from '../convert/convert-plan.js';
import { convertFile, type ConvertProgress } from '../convert/convert-file.js';
import { notifyOnce } from '../service/notifications.js';
import { noticeWriter, signalStatus } from './cli-exit.js';
import { failed, handled, type FailedOutcome, type TargetOutcome } from '../util/batch-outcome.js';
import { reportBatch, stderrIsTerminal } from './batch-report.js';
import type { OpenArgs } from './nofear-open-args.js';
import { StatusLine } from './status-line.js';

export function progressText(name: string, progress: ConvertProgress): string {
  switch (progress.phase) {
    case 'booting':
      return `${name}: booting a throwaway VM…`;
    case 'rendering':
      return progress.page === 0 ? `${name}: rendering in the VM…` : `${name}: page ${progress.page} of ${progress.pages}`;
    case 'ocr':
      return progress.page === 0 ? `${name}: OCR in a second VM…` : `${name}: OCR, page ${progress.page} of ${progress.pages}`;
    case 'writing':
      return `${name}: writing the safe PDF…`;
  }
}

/** Each target planned on its own: its plan, or its failure (told with the batch's others at the end). */
async function planEach(args: OpenArgs, config: Config): Promise<(ConvertPlan | FailedOutcome)[]> {
  const planned: (ConvertPlan | FailedOutcome)[] = [];
  for (const target of args.targets) {
    try {
      const kind = classifyTarget(target);
      if (kind.kind === 'url') throw invalidArgument(`--convert takes files, not web addresses (${target}).`, 'download it first, then convert the file');
      planned.push(await planConvert(path.resolve(kind.path), { outputDir: args.output, ocr: args.ocr, maxFileSizeBytes: config.open.maxFileSizeBytes }));
    } catch (error) {
      planned.push(failed(target, error));
    }
  }
  return planned;
}

const isPlan = (entry: ConvertPlan | FailedOutcome): entry is ConvertPlan => !('kind' in entry && entry.kind === 'failed');

export async function convertCommand(args: OpenArgs, config: Config): Promise<number> {
  const planned = await planEach(args, config);
  const plans = planned.filter(isPlan);
  const report = (outcomes: readonly TargetOutcome[]) => reportBatch(outcomes, { program: 'nofear-open', verb: 'convert', env: process.env, terminal: stderrIsTerminal() });
  if (args.verbose) for (const plan of plans) for (const note of plan.notes) process.stderr.write(`nofear-open: ${plan.file}: ${note}\n`);
  if (args.dryRun) {
    if (plans.length > 0) process.stdout.write(`${plans.map(formatConvertDryRun).join('\n\n')}\n`);
    return reportBatch(
      planned.map((entry) => (isPlan(entry) ? handled(entry.file) : entry)),
      { program: 'nofear-open', verb: 'plan', env: process.env, terminal: stderrIsTerminal() },
    );
  }
  const warn = noticeWriter(args.verbose, 'nofear-open', args.quiet);
  const verbose = args.verbose ? (line: string) => process.stderr.write(`nofear-open: ${line}\n`) : undefined;
  const fromDesktop = !stderrIsTerminal();
  const status = StatusLine.forStderr(args);
  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled ??= signal;
    controller.abort();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  const outcomes: TargetOutcome[] = [];
  try {
    // One at a time: a conversion keeps a VM busy, and the pages come in the order they are shown.
    for (const plan of planned) {
      if (!isPlan(plan)) {
        outcomes.push(plan);
        continue;
      }
      if (controller.signal.aborted) break;
      const name = path.basename(plan.file);
      const started = Date.now();
      try {
        const result = await convertFile(plan, {
          config,
          env: process.env,
          ownerKind: 'cli',
          warn,
          abort: controller.signal,
          ...(verbose ? { log: verbose } : {}),
          onProgress: (progress) => {
            status.write(progressText(name, progress));
            verbose?.(`${progressText(name, progress)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
          },
        });
        status.end(`${name}: ${result.pages} page${result.pages === 1 ? '' : 's'} in ${(result.ms / 1000).toFixed(1)} s → ${result.output}`);
        process.stdout.write(`${result.output}\n`);
        if (fromDesktop)
          await notifyOnce(process.env, `${path.basename(result.output)} is ready`, `A safe PDF of ${name}, made from its pixels (${result.pages} page${result.pages === 1 ? '' : 's'}).`);
        outcomes.push(handled(plan.file));
      } catch (error) {
        status.end();
        outcomes.push(failed(plan.file, error));
      }
    }
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
  }
  if (signalled !== undefined) return signalStatus(signalled);
  return report(outcomes);
}
