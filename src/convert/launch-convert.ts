// A conversion as the service's sandbox manager sees it (a LaunchedSandbox): announced with its id at
// once, "running" once the converter has started, ended (0, or 125 when no safe PDF was written) after
// the PDF is in place and every VM is gone; Stop aborts it. Its progress goes to a reporter (the
// service's notification), not to the window steps of an open.
import type { Config } from '../config/index.js';
import { FAILURE_STATUS, type LaunchedSandbox, type LaunchStep, type SandboxEnd } from '../sandbox/launch.js';
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
  const startedAt = new Date();
  const controller = new AbortController();
  const listeners: Array<(step: LaunchStep) => void> = [];
  const steps: Partial<Record<LaunchStep, number>> = { booting: 0 };
  let step: LaunchStep = 'booting';
  let qemuPid: number | undefined;
  let started: () => void = () => {};
  let refused: (error: unknown) => void = () => {};
  const running = new Promise<void>((resolve, reject) => {
    started = resolve;
    refused = reject;
  });
  running.catch(() => undefined); // observed through `ended` too
  const work = convertFile(spec.plan, {
    config: context.config,
    env: context.env,
    ownerKind: context.ownerKind,
    id,
    abort: controller.signal,
    ...(context.log === undefined ? {} : { log: context.log, warn: context.log }),
    ...(context.takeReady === undefined ? {} : { takeReady: context.takeReady }),
    onSandbox: (sandbox) => (qemuPid = sandbox.qemuPid),
    onProgress: (progress) => {
      if (progress.phase === 'rendering' && step === 'booting') {
        step = 'booted';
        steps.booted = Date.now() - startedAt.getTime();
        for (const listener of listeners) listener('booted');
        started();
      }
      spec.report?.progress(progress);
    },
  });
  const ended = work.then(
    (result): SandboxEnd => {
      spec.report?.done(result);
      return { status: 0, failed: false };
    },
    (error: unknown): SandboxEnd => {
      refused(error);
      spec.report?.failed(error);
      return { status: FAILURE_STATUS, failed: true };
    },
  );
  return {
    id,
    profile: 'temporary',
    command: converterArgv(spec.plan),
    files: [spec.plan.file],
    startedAt,
    notifies: false, // the reporter shows a conversion's own progress
    windowId: 0, // a conversion shows no window
    get step() {
      return step;
    },
    steps,
    onStep: (listener) => void listeners.push(listener),
    running,
    ended,
    stop: async () => {
      controller.abort();
      await ended;
    },
    qemuPid: () => qemuPid,
  };
}
