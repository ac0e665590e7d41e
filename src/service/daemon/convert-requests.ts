// The Manager's Convert: every file checked and planned before any VM starts (one bad file refuses the
// whole call), then one conversion sandbox per file, its progress and result as a notification.
import { invalidArgument } from '../../errors.js';
import { planConvert, type ConvertOptions } from '../../convert/convert-plan.js';
import { needCjpeg } from '../../convert/jpeg.js';
import { chooseLanguages, installedLanguages } from '../../convert/ocr-languages.js';
import { checkOpenable } from '../../open/check.js';
import type { ManagedSandbox } from '../../sandbox/manager.js';
import { conversionNotice } from './convert-notices.js';
import { replyWith, startSandbox, targetOf, type RequestContext } from './request-parts.js';
import { checkAbsolute, checkOptions, checkString, checkStrings, CONVERT_OPTIONS, type CheckedOptions } from './validate.js';
import { CancellableCalls, type CancellableCall } from './cancellable-calls.js';

/** Convert, and Cancel of a Convert by the request id its caller gave (nofear-open's Ctrl-C before the reply). */
export function convertHandlers(context: RequestContext): { convert: (paths: unknown, options: unknown) => Promise<string[]>; cancel: (request: unknown) => Promise<void> } {
  const calls = new CancellableCalls();
  return {
    convert: async (paths, options) => {
      const opts = checkOptions(options, CONVERT_OPTIONS);
      // Registered before the first await: a Cancel right behind this call finds it.
      const call = calls.begin(opts.request);
      try {
        return await convertFiles(context, paths, opts, call);
      } finally {
        call.settled();
      }
    },
    cancel: async (request) => {
      const cancelled = await calls.cancel(checkString(request, 'request'));
      context.log(cancelled ? `request ${String(request)} cancelled by its caller` : `request ${String(request)}: nothing to cancel`);
    },
  };
}

/** Every file checked and planned before any VM starts, then one conversion sandbox per file (each given to `call`). */
async function convertFiles(context: RequestContext, paths: unknown, opts: CheckedOptions, call: CancellableCall): Promise<string[]> {
  const maxFileSizeBytes = context.config().open.maxFileSizeBytes;
  const files = checkStrings(paths, 'paths').map((entry) => {
    const target = targetOf(entry);
    if (target.kind !== 'file') throw invalidArgument(`Convert takes files, not web addresses (${entry}).`, 'download it first, then convert the file');
    return checkAbsolute(target.path);
  });
  for (const file of files) await checkOpenable(file, maxFileSizeBytes, context.env);
  const ocr = opts.ocr === true;
  // The caller's languages (nofear-open --ocr-lang), else the configured or default ones (the caller's locale is the service's environment).
  const ocrLanguages = ocr ? chooseLanguages({ option: opts.ocr_languages, configured: context.config().convert.ocrLanguages, env: context.env, installed: installedLanguages() }) : undefined;
  const convertOptions: ConvertOptions = {
    outputDir: opts.output,
    ocr,
    maxFileSizeBytes,
    env: context.env,
    ...(ocrLanguages === undefined ? {} : { ocrLanguages }),
    ...(opts.dpi === undefined ? {} : { dpi: opts.dpi }),
    ...(opts.jpeg === true ? { cjpeg: needCjpeg(context.env) } : {}),
  };
  const plans = await Promise.all(files.map((file) => planConvert(file, convertOptions)));
  const sandboxes = await Promise.all(
    plans.map(async (plan) => {
      // The notification's Stop may come before the sandbox is known: it stops it once it is.
      const started: { sandbox?: ManagedSandbox } = {};
      const report = opts.notify === false ? undefined : conversionNotice(context.notifications, plan.file, () => void started.sandbox?.stop(), context.log, context.resultActions);
      started.sandbox = await startSandbox(context, { kind: 'convert', plan, ...(report === undefined ? {} : { report }) }, call.signal);
      call.started(started.sandbox);
      return started.sandbox;
    }),
  );
  return replyWith(context, sandboxes, opts);
}
