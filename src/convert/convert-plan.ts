// What converting a file means before any VM starts: the file checked, its type (by content), how the
// guest will render it with the host's own tools, and where the safe PDF goes. Refuses, with the reason
// and the fix, a type that has no pages to render or whose tool is not installed.
import { constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';
import { accessDenied, invalidArgument, NoFearError, notFound, unavailable } from '../errors.js';
import { isSubtypeOf, type MimeTree } from '../desktop/mime-tree.js';
import { GUEST_USER_PATH } from '../vm/guest-env.js';
import { checkOpenable, stagedNameFor } from '../open/check.js';
import type { CheckedFile } from '../open/staging.js';
import { findExecutable } from '../util/which.js';
import { isMailType } from '../open/mail-plan.js';
import { detectType, readMimeData } from '../open/viewers.js';
import { RENDER_DPI } from './limits.js';

/** How the guest renders: a PDF directly, an image through ImageMagick, an office document through LibreOffice first, a message through NoFear's message view first. */
export type ConvertKind = 'pdf' | 'image' | 'office' | 'mail';

export interface ConvertPlan {
  file: string;
  /** The regular file whose bytes are staged (a symlink's target). */
  source: string;
  /** The file as checked: staging copies nothing that is not that very file. */
  checked: CheckedFile;
  size: number;
  stagedName: string;
  mime: string;
  kind: ConvertKind;
  /** The programs that will render it, for --verbose and --dry-run. */
  tools: string;
  outputDir: string;
  /** The safe PDF's name for the first attempt, NAME.safe.pdf; taken names get " (2)", " (3)"... */
  outputName: (attempt: number) => string;
  ocr: boolean;
  /** Tesseract's -l for the OCR ("deu+eng"). */
  ocrLanguages: string;
  /** The resolution the pages are rendered at, 75-300. */
  dpi: number;
  /** cjpeg's path when photo pages are stored as JPEG. */
  cjpeg?: string;
  notes: string[];
}

export interface ConvertOptions {
  outputDir?: string | undefined;
  ocr: boolean;
  maxFileSizeBytes: number;
  env?: NodeJS.ProcessEnv;
  /** Resolved by the caller (ocr-languages.ts); English when not given. */
  ocrLanguages?: string;
  dpi?: number;
  cjpeg?: string | undefined;
}

export const DPI_RANGE = { min: 75, max: 300 } as const;

/** A tool counts only where the guest's user finds it (the host's /usr, read-only). */
const has = (tool: string) => findExecutable(tool, { PATH: GUEST_USER_PATH }) !== undefined;

const OFFICE_PREFIXES = ['application/vnd.oasis.opendocument.', 'application/vnd.openxmlformats-officedocument.', 'application/vnd.ms-'];
const OFFICE_TYPES = new Set(['application/msword', 'application/rtf', 'text/rtf', 'text/html', 'text/csv', 'application/x-abiword']);

export function convertKindOf(tree: MimeTree, mime: string): ConvertKind | undefined {
  if (mime === 'application/pdf') return 'pdf';
  if (mime.startsWith('image/')) return 'image';
  if (OFFICE_TYPES.has(mime) || OFFICE_PREFIXES.some((prefix) => mime.startsWith(prefix))) return 'office';
  if (mime === 'text/plain' || isSubtypeOf(tree, mime, 'text/plain')) return 'office';
  return undefined;
}

/** The programs the guest will use for a kind, or a NoFearError naming the package that is missing. */
export function toolsFor(kind: ConvertKind, available: (tool: string) => boolean = has): string {
  const pdf = available('pdftoppm') && available('pdfinfo') ? 'pdftoppm' : available('mutool') ? 'mutool' : undefined;
  if (kind === 'image') {
    if (available('convert') && available('identify')) return 'ImageMagick';
    throw unavailable('Images are converted with ImageMagick, which is not installed.', 'sudo apt-get install imagemagick');
  }
  if (pdf === undefined) throw unavailable('PDF pages are rendered with pdftoppm (poppler-utils) or mutool (mupdf-tools); neither is installed.', 'sudo apt-get install poppler-utils');
  if (kind === 'pdf') return pdf;
  // The view is NoFear's own (src/guest/mail-view.py): Python with GObject, present wherever Xpra is.
  if (kind === 'mail') {
    if (available('python3')) return `NoFear's message view, then ${pdf}`;
    throw unavailable("Messages are rendered by NoFear's message view, which needs Python 3 with GObject, and python3 is not installed.", 'sudo apt-get install python3-gi gir1.2-gtk-3.0');
  }
  if (available('libreoffice')) return `LibreOffice, then ${pdf}`;
  throw unavailable(
    'Office documents and text are converted to PDF with LibreOffice first, and LibreOffice is not installed.',
    'sudo apt-get install libreoffice-core libreoffice-writer (and -calc, -impress for spreadsheets and slides)',
  );
}

function cannotConvert(file: string, mime: string): NoFearError {
  return new NoFearError(
    'NoViewer',
    `NoFear cannot convert ${path.basename(file)} (${mime}) to a safe PDF: it renders PDF documents (pdftoppm or mutool), images (ImageMagick), mail (rendered in the VM by NoFear's message view), and office documents and text (LibreOffice). ` +
      'Archives, programs, audio, video and other files without pages have nothing to render.',
    { fix: `open it safely instead: nofear-open ${JSON.stringify(file)}` },
  );
}

/** NAME.safe.pdf for report.pdf or photo.png, then "NAME (2).safe.pdf"; a name without an extension keeps all of it. */
export function safeName(stagedName: string): (attempt: number) => string {
  const { name: stem } = path.parse(stagedName);
  return (attempt) => (attempt === 1 ? `${stem}.safe.pdf` : `${stem} (${attempt}).safe.pdf`);
}

export async function checkOutputDir(dir: string): Promise<string> {
  const absolute = path.resolve(dir);
  const stat = await fsp.stat(absolute).catch(() => {
    throw notFound(`The output directory ${absolute} does not exist.`, `mkdir -p ${JSON.stringify(absolute)}`);
  });
  if (!stat.isDirectory()) throw invalidArgument(`${absolute} is not a directory.`, 'pass a directory to --output');
  await fsp.access(absolute, fsc.W_OK | fsc.X_OK).catch(() => {
    throw accessDenied(`The safe PDF cannot be written in ${absolute}: permission denied.`, 'pass a directory you can write to with --output');
  });
  return absolute;
}

export async function planConvert(file: string, options: ConvertOptions): Promise<ConvertPlan> {
  const env = options.env ?? process.env;
  const checked = await checkOpenable(file, options.maxFileSizeBytes, env);
  const { source, size } = checked;
  const mimeDb = await readMimeData(env);
  const decision = await detectType(source, file, mimeDb);
  const kind = isMailType(decision.mime, path.basename(file)) ? 'mail' : convertKindOf(mimeDb.tree, decision.mime);
  if (kind === undefined) throw cannotConvert(file, decision.mime);
  const tools = toolsFor(kind);
  if (options.ocr && !has('tesseract')) throw unavailable('OCR needs tesseract, which is not installed.', 'sudo apt-get install tesseract-ocr (or leave out --ocr)');
  const outputDir = await checkOutputDir(options.outputDir ?? path.dirname(file));
  const stagedName = stagedNameFor(file);
  const dpi = options.dpi ?? RENDER_DPI;
  const ocrLanguages = options.ocrLanguages ?? 'eng';
  const notes = [
    `type ${decision.mime} (from ${decision.from})${decision.note ? `: ${decision.note}` : ''}`,
    `rendered in the VM with ${tools} at ${dpi} dpi${options.ocr ? `, then OCR with tesseract (${ocrLanguages}) in a second VM` : ''}`,
    `pages stored as 1 bit, grey or colour as their pixels need; grey and colour ones as ${options.cjpeg === undefined ? 'Flate (lossless)' : 'JPEG, encoded on the host'}`,
  ];
  return {
    ...{ file, source, checked, size, stagedName, mime: decision.mime, kind, tools, outputDir, outputName: safeName(stagedName), ocr: options.ocr, ocrLanguages, dpi },
    ...(options.cjpeg === undefined ? {} : { cjpeg: options.cjpeg }),
    notes,
  };
}

/** The --dry-run block for one conversion. */
export function formatConvertDryRun(plan: ConvertPlan): string {
  const ocr = plan.ocr ? [`ocr: tesseract, ${plan.ocrLanguages}`] : [];
  const pages = `pages: ${plan.dpi} dpi, 1 bit, grey or colour as the pixels need; photos as ${plan.cjpeg === undefined ? 'Flate' : 'JPEG'}`;
  const mode = `mode: convert to a safe PDF of the pixels, rendered in a throwaway VM without network${plan.ocr ? '; OCR text layer by tesseract in a second VM' : ''}`;
  return [`file: ${plan.file}`, `mime: ${plan.mime}`, mode, `converter: ${plan.kind} (${plan.tools})`, pages, ...ocr, `output: ${path.join(plan.outputDir, plan.outputName(1))}`].join('\n');
}
