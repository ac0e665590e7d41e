// nofear-open --convert: a safe PDF of each file, and of each file in the folders named (recursively,
// src/convert/convert-targets.ts), in this process, up to [service] max_sandboxes conversions at once,
// each in its own VM. One line on the terminal says where the batch has got to; each safe PDF's path goes
// to stdout; the failures are told together at the end (the batch-outcome module's words, exit 0, 3 or
// 125); launched from the desktop (no terminal), one notification tells the whole batch.
import path from 'node:path';
import { invalidArgument } from '../errors.js';
import type { Config } from '../config/index.js';
import { classifyTarget } from '../open/target.js';
import { formatConvertDryRun, planConvert, type ConvertOptions, type ConvertPlan } from '../convert/convert-plan.js';
import { convertFile, type ConvertProgress } from '../convert/convert-file.js';
import { batchProgressText, conversionBatchNotice, parallelConversions, runLimited, type BatchProgress } from '../convert/batch.js';
import { expandTargets } from '../convert/convert-targets.js';
import { needCjpeg } from '../convert/jpeg.js';
import { moveToUnsafe } from '../convert/keep-originals.js';
import { chooseLanguages, installedLanguages } from '../convert/ocr-languages.js';
import { notifyOnce } from '../service/bus/notifications.js';
import { notifyWithResultButtons } from '../service/bus/result-notice.js';
import { fromDesktop, launchFacts } from './desktop-launch.js';
import { askPasswordOnDesktop } from './desktop-password.js';
import { ConversionError } from '../convert/errors.js';
import { serviceConverter, ServiceConversionError, type ServiceConverter } from './convert-via-service.js';
import { batchExitStatus, failed, failuresOf, handled, planEach, terminalSummary, type FailedOutcome, type TargetOutcome } from '../util/batch-outcome.js';
import { appendLog } from '../util/nofear-log.js';
import { noticeWriter, signalStatus } from './cli-exit.js';
import { reportBatch, stderrIsTerminal } from './batch-report.js';
import type { OpenArgs } from './nofear-open-args.js';
import { StatusLine } from './status-line.js';
import { readPassword } from './password-input.js';
import { onStopSignals } from '../util/stop-signals.js';

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

/** What every file of this run is converted with: the OCR's languages, the resolution, how photos are stored. */
export function conversionOptions(args: OpenArgs, config: Config, env: NodeJS.ProcessEnv): ConvertOptions {
  const ocrLanguages = args.ocr ? chooseLanguages({ option: args.ocrLang, configured: config.convert.ocrLanguages, env, installed: installedLanguages() }) : undefined;
  return {
    outputDir: args.output,
    ocr: args.ocr,
    maxFileSizeBytes: config.open.maxFileSizeBytes,
    env,
    ...(ocrLanguages === undefined ? {} : { ocrLanguages }),
    ...(args.dpi === undefined ? {} : { dpi: args.dpi }),
    ...(args.jpeg ? { cjpeg: needCjpeg(env) } : {}),
  };
}

/** Each file planned on its own (the folders walked first): its plan, or its failure, told with the batch's others. */
async function planTargets(args: OpenArgs, options: ConvertOptions, verbose: ((line: string) => void) | undefined): Promise<(ConvertPlan | FailedOutcome)[]> {
  const planned: (ConvertPlan | FailedOutcome)[] = [];
  const files: string[] = [];
  for (const target of args.targets) {
    const kind = classifyTarget(target);
    if (kind.kind === 'url') planned.push(failed(target, invalidArgument(`--convert takes files, not web addresses (${target}).`, 'download it first, then convert the file')));
    else files.push(kind.path);
  }
  const expanded = await expandTargets(files);
  for (const skipped of expanded.skipped) verbose?.(`${skipped.path}: left out (${skipped.why})`);
  return [
    ...planned,
    ...(await planEach(
      expanded.files,
      (file) => file,
      (file) => planConvert(file, options),
    )),
  ];
}

const isPlan = (entry: ConvertPlan | FailedOutcome): entry is ConvertPlan => !('kind' in entry && entry.kind === 'failed');

interface BatchRun {
  args: OpenArgs;
  config: Config;
  status: StatusLine;
  abort: AbortSignal;
  verbose: ((line: string) => void) | undefined;
  warn: (line: string) => void;
  /** --password-stdin's password, for the PDFs that ask for one. */
  password: string | undefined;
  /** Started from the desktop without a password: the documents that turn out protected wait here for the desktop prompt. */
  locked?: ConvertPlan[];
  /** The session service, which may have a ready conversion VM; never with a password (that stays in this process). */
  service?: ServiceConverter | undefined;
}

/**
 * Whether this run's conversions may go to the session service (which may have a ready conversion VM):
 * not with --no-service, and never with a password, which must not go over the bus (any process of the
 * user's can watch it there, and the service would record it with the sandbox).
 */
export function serviceMayConvert(args: Pick<OpenArgs, 'noService'>, password: string | undefined): boolean {
  return !args.noService && password === undefined;
}

/** One file converted: in the service when there is one to be had (a ready VM, if its pool has one), else in this process. */
async function convertOne(
  plan: ConvertPlan,
  run: BatchRun,
  show: (step: ConvertProgress) => void,
  onSandbox: (sandbox: { id: string; outcome: Promise<unknown> }) => void,
): Promise<{ output: string; pages: number; ms: number }> {
  if (run.service !== undefined && serviceMayConvert(run.args, run.password)) {
    run.status.write(`${path.basename(plan.file)}: converting in the NoFear service…`);
    const served = await run.service.convert(plan, run.abort);
    if (served !== undefined) {
      run.verbose?.(`${plan.file}: converted by the NoFear service in sandbox ${served.id}`);
      // As a conversion in this process says it (convert-file.ts's ocrWords).
      if (served.ocrProblem !== undefined) run.warn(`${plan.file}: OCR failed, the safe PDF has no text layer: ${served.ocrProblem}`);
      return served;
    }
    run.verbose?.('no NoFear service on the session bus: converting in this process');
    run.service = undefined;
  }
  return convertFile(plan, {
    config: run.config,
    env: process.env,
    ownerKind: 'cli',
    warn: run.warn,
    abort: run.abort,
    ...(run.password === undefined ? {} : { password: run.password }),
    ...(run.verbose ? { log: run.verbose } : {}),
    onSandbox,
    onProgress: (step) => {
      show(step);
      if (step.phase !== 'rendering' || step.page === 0) run.verbose?.(progressText(path.basename(plan.file), step));
    },
  });
}

/** A protected document, told by this process's conversion or by the service's. */
const needsPassword = (error: unknown) => (error instanceof ConversionError && error.failure === 'PasswordNeeded') || (error instanceof ServiceConversionError && error.failure === 'PasswordNeeded');

/** Converts the plans, `parallelConversions` at once; each outcome, page count and output lands in `into`. */
async function convertAll(plans: readonly ConvertPlan[], run: BatchRun, into: { outcomes: TargetOutcome[]; outputs: string[]; progress: BatchProgress }): Promise<void> {
  const { progress } = into;
  const single = plans.length === 1;
  const show = (name: string, step: ConvertProgress) => run.status.write(single ? progressText(name, step) : batchProgressText(progress));
  let vms = 0;
  await runLimited(
    plans,
    parallelConversions(run.config),
    async (plan) => {
      const name = path.basename(plan.file);
      progress.running++;
      try {
        const result = await convertOne(
          plan,
          run,
          (step) => show(name, step),
          (sandbox) => {
            vms++;
            run.verbose?.(`${name}: VM ${sandbox.id} started (${vms} running)`);
            void sandbox.outcome.then(() => vms--);
          },
        );
        if (run.args.keepOriginals === 'unsafe') run.verbose?.(`${plan.file}: moved to ${await moveToUnsafe(plan.file)}`);
        process.stdout.write(`${result.output}\n`);
        into.outputs.push(result.output);
        into.outcomes.push(handled(plan.file));
        progress.done++;
        progress.pages += result.pages;
        if (single) run.status.end(`${name}: ${result.pages} page${result.pages === 1 ? '' : 's'} in ${(result.ms / 1000).toFixed(1)} s → ${result.output}`);
      } catch (error) {
        if (single) run.status.end();
        if (run.locked !== undefined && needsPassword(error)) run.locked.push(plan);
        else {
          into.outcomes.push(failed(plan.file, error));
          progress.failed++;
        }
      } finally {
        progress.running--;
        if (!single) run.status.write(batchProgressText(progress));
      }
    },
    () => run.abort.aborted,
  );
  if (!single) run.status.end(batchProgressText(progress));
}

export async function convertCommand(args: OpenArgs, config: Config): Promise<number> {
  const verbose = args.verbose ? (line: string) => process.stderr.write(`nofear-open: ${line}\n`) : undefined;
  const options = conversionOptions(args, config, process.env);
  const planned = await planTargets(args, options, verbose);
  const plans = planned.filter(isPlan);
  if (args.verbose) for (const plan of plans) for (const note of plan.notes) process.stderr.write(`nofear-open: ${plan.file}: ${note}\n`);
  if (args.dryRun) {
    if (plans.length > 0) process.stdout.write(`${plans.map(formatConvertDryRun).join('\n\n')}\n`);
    return reportBatch(
      planned.map((entry) => (isPlan(entry) ? handled(entry.file) : entry)),
      { program: 'nofear-open', verb: 'plan', env: process.env, terminal: stderrIsTerminal() },
    );
  }
  const password = args.passwordStdin && plans.length > 0 ? await readPassword() : undefined;
  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled ??= signal;
    controller.abort();
  };
  const stopListening = onStopSignals(onSignal);
  const into = {
    outcomes: planned.filter((entry): entry is FailedOutcome => !isPlan(entry)) as TargetOutcome[],
    outputs: [] as string[],
    progress: { total: planned.length, done: 0, failed: 0, running: 0, pages: 0 },
  };
  into.progress.failed = into.outcomes.length;
  // Started from a file manager: a password is asked with a desktop prompt, the result's buttons are heard.
  const desktop = fromDesktop(launchFacts(process.env));
  const service = plans.length > 0 && serviceMayConvert(args, password) ? await serviceConverter(process.env) : undefined;
  try {
    const locked = password === undefined && desktop ? [] : undefined;
    const run: BatchRun = {
      args,
      config,
      status: StatusLine.forStderr(args),
      abort: controller.signal,
      verbose,
      warn: noticeWriter(args.verbose, 'nofear-open', args.quiet),
      password,
      ...(locked === undefined ? {} : { locked }),
      service,
    };
    await convertAll(plans, run, into);
    if (locked !== undefined && locked.length > 0 && !controller.signal.aborted) await convertLocked(locked, run, into);
  } finally {
    stopListening();
    await service?.close();
  }
  if (signalled !== undefined) return signalStatus(signalled);
  return reportConversions(into.outcomes, into.progress.pages, into.outputs, desktop, verbose);
}

/** The protected documents of a batch started from the desktop: their password asked once with a desktop prompt, then converted again with it. */
async function convertLocked(locked: readonly ConvertPlan[], run: BatchRun, into: { outcomes: TargetOutcome[]; outputs: string[]; progress: BatchProgress }): Promise<void> {
  let password: string;
  try {
    run.verbose?.(`${locked.length} protected: asking for the password with a desktop prompt`);
    password = await askPasswordOnDesktop(
      locked.map((plan) => plan.file),
      process.env,
      undefined,
      run.abort,
    );
  } catch (error) {
    for (const plan of locked) into.outcomes.push(failed(plan.file, error));
    into.progress.failed += locked.length;
    return;
  }
  await convertAll(locked, { ...run, password, locked: undefined, service: undefined }, into);
}

/**
 * The failures on stderr and in the log; without a terminal, the batch's one notification. Started from
 * the desktop, it has Open (one safe PDF) and Show in folder, and the program stays until one is pressed
 * and done, the notification is closed, or RESULT_WAIT_MS (src/service/bus/result-notice.ts).
 */
async function reportConversions(outcomes: readonly TargetOutcome[], pages: number, outputs: readonly string[], desktop: boolean, verbose: ((line: string) => void) | undefined): Promise<number> {
  const lines = terminalSummary(outcomes, 'nofear-open', 'convert');
  for (const line of lines) process.stderr.write(`${line}\n`);
  if (failuresOf(outcomes).length > 0) appendLog(lines, process.env);
  if (!stderrIsTerminal()) {
    const notice = conversionBatchNotice(outcomes, pages, outputs);
    if (desktop && outputs.length > 0) {
      const stop = new AbortController();
      const stopListening = onStopSignals(() => stop.abort());
      try {
        const end = await notifyWithResultButtons(process.env, notice, outputs, { abort: stop.signal, log: (line) => appendLog([`nofear-open: ${line}`], process.env) });
        verbose?.(`the notification's buttons: ${end}`);
      } finally {
        stopListening();
      }
    } else await notifyOnce(process.env, notice.summary, notice.body);
  }
  return batchExitStatus(outcomes);
}
