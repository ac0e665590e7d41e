// nofear-open --convert: a safe PDF of each file, one conversion VM at a time, in this process. Each
// page shows on the terminal's status line as it arrives; the safe PDF's path goes to stdout; launched
// from the desktop (no terminal), the result comes as a notification.
import path from 'node:path';
import { invalidArgument } from '../errors.js';
import type { Config } from '../config/index.js';
import { classifyTarget } from '../sandbox/open-plan.js';
import { formatConvertDryRun, planConvert, type ConvertOptions, type ConvertPlan } from '../convert/convert-plan.js';
import { needCjpeg } from '../convert/jpeg.js';
import { chooseLanguages, installedLanguages } from '../convert/ocr-languages.js';
import { convertFile, type ConvertProgress } from '../convert/convert-file.js';
import { notifyOnce } from '../service/notifications.js';
import { noticeWriter, reportFailure, signalStatus } from './cli-exit.js';
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

async function planAll(args: OpenArgs, config: Config): Promise<ConvertPlan[]> {
  const options = conversionOptions(args, config, process.env);
  const plans: ConvertPlan[] = [];
  for (const target of args.targets) {
    const kind = classifyTarget(target);
    if (kind.kind === 'url') throw invalidArgument(`--convert takes files, not web addresses (${target}).`, 'download it first, then convert the file');
    plans.push(await planConvert(path.resolve(kind.path), options));
  }
  return plans;
}

export async function convertCommand(args: OpenArgs, config: Config): Promise<number> {
  const plans = await planAll(args, config);
  if (args.verbose) for (const plan of plans) for (const note of plan.notes) process.stderr.write(`nofear-open: ${plan.file}: ${note}\n`);
  if (args.dryRun) {
    process.stdout.write(`${plans.map(formatConvertDryRun).join('\n\n')}\n`);
    return 0;
  }
  const warn = noticeWriter(args.verbose, 'nofear-open', args.quiet);
  const verbose = args.verbose ? (line: string) => process.stderr.write(`nofear-open: ${line}\n`) : undefined;
  const fromDesktop = !process.stderr.isTTY;
  const status = StatusLine.forStderr(args);
  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled ??= signal;
    controller.abort();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  const statuses: number[] = [];
  try {
    // One at a time: a conversion keeps a VM busy, and the pages come in the order they are shown.
    for (const plan of plans) {
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
        statuses.push(0);
      } catch (error) {
        status.end();
        if (fromDesktop && !controller.signal.aborted) await notifyOnce(process.env, `NoFear could not convert ${name}`, error instanceof Error ? error.message : String(error));
        statuses.push(reportFailure('nofear-open', error));
      }
    }
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
  }
  if (signalled !== undefined) return signalStatus(signalled);
  return statuses.find((s) => s !== 0) ?? 0;
}
