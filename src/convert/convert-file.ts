// Converts one planned file to a safe PDF: the document is rendered in a throwaway VM without network,
// only its pixels come back (checked against the limits as they arrive) and the host writes a new PDF
// of them with its own writer; optionally a second VM, given only the pixels, adds an OCR text layer.
// The PDF is written under a temporary name and named NAME.safe.pdf only once it is whole; a conversion
// that fails leaves nothing behind. The host never parses the original.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Sandbox } from '../sandbox/sandbox.js';
import { listenersOf } from '../sandbox/sandbox-options.js';
import { stageCopy } from '../open/staging.js';
import { GUEST_STAGING } from '../open/open-plan.js';
import { publishNoClobber, tempPathFor } from '../util/publish.js';
import { removeTree } from '../util/remove-tree.js';
import { DiskBudget } from './disk-budget.js';
import { reapConversionLeftovers, workDirPrefix } from './leftovers.js';
import { xdgCacheHome } from '../util/xdg.js';
import type { ConvertPlan } from './convert-plan.js';
import { runGuestJob, type ConversionContext } from './guest-job.js';
import { PIXEL_LIMITS, type PixelLimits } from './limits.js';
import type { PhotoEncoding } from './page-image.js';
import { recognise } from './ocr.js';
import { ImagePdfWriter } from './pdf-writer.js';
import { pumpPixels, type PageSize } from './pixel-pump.js';
import { textLayerOps, type OcrWord } from './text-layer.js';

export type ConvertProgress =
  | { phase: 'booting' }
  /** Page `page` of `pages` is arriving (0: the converter is still starting). */
  | { phase: 'rendering'; page: number; pages: number }
  | { phase: 'ocr'; page: number; pages: number }
  | { phase: 'writing' };

export interface ConvertContext extends ConversionContext {
  onProgress?: (progress: ConvertProgress) => void;
  /** The conversion VM runs (for its QEMU's pid). */
  onSandbox?: (sandbox: Sandbox) => void;
  /** Tests lower them; everyone else gets PIXEL_LIMITS. */
  limits?: PixelLimits;
  /** The password for a protected PDF or office document: given to the converter VM over its stdin port only (never in the plan, an argv or a record). */
  password?: string;
}

export interface ConvertResult {
  output: string;
  pages: number;
  bytes: number;
  ms: number;
  /** Whether the text layer is there: off (not asked), done, or failed (the PDF has no text then). */
  ocr: 'off' | 'done' | 'failed';
  ocrProblem?: string;
}

/** The guest's argv: busybox's sh runs the converter from the initramfs (src/guest/convert.sh); "password": the password comes on stdin. */
export function converterArgv(plan: ConvertPlan, withPassword = false): string[] {
  return ['/.bb/busybox', 'sh', '/.nofear/convert.sh', plan.kind, String(plan.dpi), path.posix.join(GUEST_STAGING, plan.stagedName), ...(withPassword ? ['password'] : [])];
}

/** A PDF's renderer takes a password, and LibreOffice loading an office document through UNO (src/guest/office-pdf.py); images and mail have none. */
export const takesPassword = (plan: ConvertPlan, password: string | undefined): password is string => password !== undefined && (plan.kind === 'pdf' || plan.kind === 'office');

const cacheRoot = (env: NodeJS.ProcessEnv) => path.join(xdgCacheHome(env), 'nofear');

/**
 * The conversion's private work directory (page spools, the OCR's PNGs): convert-<pid>-XXXXXX in NoFear's
 * cache, mode 0700; the pid lets a later conversion tell a dead one's (reapConversionLeftovers).
 */
async function privateDir(env: NodeJS.ProcessEnv): Promise<string> {
  const root = cacheRoot(env);
  await fsp.mkdir(root, { recursive: true, mode: 0o700 });
  return fsp.mkdtemp(workDirPrefix(root));
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await fsp.readdir(dir)) total += (await fsp.lstat(path.join(dir, name))).size;
  return total;
}

/** What each of a conversion's VMs (the converter, the OCR) shares; the converter's id is its own, added where it starts. */
function jobBase(plan: ConvertPlan, context: ConvertContext) {
  const { config, env, ownerKind, takeReady } = context;
  return { file: plan.file, config, env, ownerKind, ...listenersOf(context), ...(takeReady === undefined ? {} : { takeReady }) };
}

/** The OCR's words per page, or the reason there are none (the PDF is then written without text). */
async function ocrWords(plan: ConvertPlan, sizes: PageSize[], pngDir: string, context: ConvertContext): Promise<{ words: OcrWord[][] } | { problem: string }> {
  try {
    context.onProgress?.({ phase: 'ocr', page: 0, pages: sizes.length });
    const words = await recognise(sizes, pngDir, plan.ocrLanguages, jobBase(plan, context), (page) => context.onProgress?.({ phase: 'ocr', page, pages: sizes.length }));
    return { words };
  } catch (error) {
    if (context.abort?.aborted === true) throw error;
    const problem = error instanceof Error ? error.message : String(error);
    context.warn?.(`${plan.file}: OCR failed, the safe PDF has no text layer: ${problem}`);
    return { problem };
  }
}

export async function convertFile(plan: ConvertPlan, context: ConvertContext): Promise<ConvertResult> {
  const started = Date.now();
  await reapConversionLeftovers(plan.outputDir, cacheRoot(context.env), context.log);
  new DiskBudget([plan.outputDir], `the conversion of ${plan.file}`).check();
  const temp = tempPathFor(path.join(plan.outputDir, plan.outputName(1)));
  const work = await privateDir(context.env);
  const pngDir = plan.ocr ? path.join(work, 'ocr') : undefined;
  const budget = new DiskBudget([plan.outputDir, work], `the conversion of ${plan.file}`);
  let writer: ImagePdfWriter | undefined;
  try {
    if (pngDir !== undefined) await fsp.mkdir(pngDir, { mode: 0o700 });
    budget.check();
    const photos: PhotoEncoding = plan.cjpeg === undefined ? { kind: 'flate' } : { kind: 'jpeg', cjpeg: plan.cjpeg };
    writer = await ImagePdfWriter.create(temp, { dpi: plan.dpi, textLayer: plan.ocr, spoolDir: work, photos, onWritten: (bytes) => budget.wrote(bytes) });
    const pdf = writer;
    context.onProgress?.({ phase: 'booting' });
    const password = takesPassword(plan, context.password) ? context.password : undefined;
    const sizes = await runGuestJob(
      {
        ...jobBase(plan, context),
        ...(context.id === undefined ? {} : { id: context.id }),
        what: 'the converter',
        argv: converterArgv(plan, password !== undefined),
        ...(password === undefined ? {} : { password }),
        ...(context.onSandbox === undefined ? {} : { onStarted: context.onSandbox }),
        export: { bytes: plan.size, fill: async (dir) => void (await stageCopy(plan.checked, dir, plan.stagedName, context.config.open.maxFileSizeBytes)) },
      },
      (io) =>
        pumpPixels(io, pdf, context.limits ?? PIXEL_LIMITS, {
          dpi: plan.dpi,
          onPage: (page, pages) => context.onProgress?.({ phase: 'rendering', page, pages }),
          ...(pngDir === undefined ? {} : { ocrDir: pngDir }),
          onWritten: (bytes) => budget.wrote(bytes),
        }),
    );
    // The OCR VM gets a copy of the pages (in the cache when they are large): that copy must fit too.
    if (pngDir !== undefined) budget.check(await directoryBytes(pngDir), work);
    const ocr = pngDir === undefined ? undefined : await ocrWords(plan, sizes, pngDir, context);
    context.onProgress?.({ phase: 'writing' });
    const words = ocr !== undefined && 'words' in ocr ? ocr.words : [];
    await writer.finish((page, size) => textLayerOps(words[page] ?? [], { ...size, dpi: plan.dpi }));
    // As private as the original: a safe copy of a 0600 document is not for every user of the machine.
    await fsp.chmod(temp, (await fsp.stat(plan.source)).mode & 0o644);
    const output = await publishNoClobber(temp, (attempt) => path.join(plan.outputDir, plan.outputName(attempt)));
    return {
      output,
      pages: sizes.length,
      bytes: writer.bytesWritten,
      ms: Date.now() - started,
      ocr: ocr === undefined ? 'off' : 'words' in ocr ? 'done' : 'failed',
      ...(ocr !== undefined && 'problem' in ocr ? { ocrProblem: ocr.problem } : {}),
    };
  } catch (error) {
    await writer?.abort();
    throw error;
  } finally {
    await removeTree(work, context.log);
  }
}
