// A conversion as the service's sandbox manager sees it (a LaunchedSandbox): announced with its id at
// once, "running" once the converter has started, ended (0, or 125 when no safe PDF was written) after
// the PDF is in place and every VM is gone; Stop aborts it. Its progress goes to a reporter (the
// service's notification), not to the window steps of an open.
import type { Config } from '../config/index.js';
import { FAILURE_STATUS, launched, StepTracker, type ConversionOutcome, type LaunchedSandbox, type SandboxEnd } from '../sandbox/launch.js';
import { ConversionError } from './errors.js';
import { newSandboxId } from '../sandbox/registry.js';
import { convertFile, converterArgv, type ConvertContext, type ConvertProgress, type ConvertResult } from './convert-file.js';
import type { ConvertPlan } from './convert-plan.js';

export interface ConvertReporter {
  progress(progress: ConvertProgress): void;
  done(result: ConvertResult): void;
  failed(error: unknown): void;
}

export interface ConvertLaunch {
  kind: 'convert';
  plan: ConvertPlan;
  report?: ConvertReporter;
}

export interface ConversionLaunchContext {
  env: NodeJS.ProcessEnv;
  config: Config;
  ownerKind: 'cli' | 'service';
  log?: (line: string) => void;
  /** The id to announce (a ready VM's, when the conversion takes one). */
  id?: string;
  /** Ready conversion VMs from the service's pool (the converter's first, the OCR's after). */
  takeReady?: ConvertContext['takeReady'];
}

export function launchConversion(spec: ConvertLaunch, context: ConversionLaunchContext): LaunchedSandbox {
  const id = context.id ?? newSandboxId();
  const progress = new StepTracker(new Date());
  const controller = new AbortController();
  let qemuPid: number | undefined;
  let started: () => void = () => {};
  let refused: (error: unknown) => void = () => {};
  const running = new Promise<void>((resolve, reject) => {
    started = resolve;
    refused = reject;
  });
  running.catch(() => undefined); // observed through `ended` too
  const work = convertFile(spec.plan, {
    ...convertContext(context, id, controller.signal),
    onSandbox: (sandbox) => (qemuPid = sandbox.qemuPid),
    onProgress: (converted) => {
      if (converted.phase === 'rendering' && progress.step === 'booting') {
        progress.reach('booted');
        started();
      }
      spec.report?.progress(converted);
    },
  });
  // Filled in before `ended` settles, so a caller that hears the exit reads the outcome complete.
  const converted: ConversionOutcome = { output: '', pages: 0, failure: '', reason: '' };
  const ended = work.then(
    (result): SandboxEnd => {
      // Written without its text layer: the OCR's failure is told beside the safe PDF.
      Object.assign(converted, { output: result.output, pages: result.pages, ...(result.ocr === 'failed' ? { failure: 'OcrFailed', reason: result.ocrProblem ?? '' } : {}) });
      spec.report?.done(result);
      return { status: 0, failed: false };
    },
    (error: unknown): SandboxEnd => {
      Object.assign(converted, { failure: error instanceof ConversionError ? error.failure : '', reason: error instanceof Error ? error.message : String(error) });
      refused(error);
      spec.report?.failed(error);
      return { status: FAILURE_STATUS, failed: true };
    },
  );
  return launched({
    id,
    profile: 'temporary',
    command: converterArgv(spec.plan),
    files: [spec.plan.file],
    notifies: false, // the reporter shows a conversion's own progress; a conversion shows no window (its windowId stays 0)
    progress,
    running,
    ended,
    stop: async () => {
      controller.abort();
      await ended;
    },
    qemuPid: () => qemuPid,
    converted,
  });
}

/** convertFile's context for a launched conversion: the service's config, its id and abort, its log and ready VMs. */
function convertContext(context: ConversionLaunchContext, id: string, abort: AbortSignal): ConvertContext {
  return {
    config: context.config,
    env: context.env,
    ownerKind: context.ownerKind,
    id,
    abort,
    ...(context.log === undefined ? {} : { log: context.log, warn: context.log }),
    ...(context.takeReady === undefined ? {} : { takeReady: context.takeReady }),
  };
}
