// Conversion: pages per minute for a folder batch, one conversion at a time ([service] max_sandboxes = 1)
// against the default parallel batch (max_sandboxes = 2 here: the machine's two cores), and the bytes a
// page takes in the safe PDF at the default settings (150 dpi; Flate, and --jpeg) for a text-heavy page
// (the shared-mime-info spec) and a photo-heavy one, against what the RGB Flate page of before took.
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { samplePdf } from '../src/demo/sample-pdf.js';
import { ImagePdfWriter } from '../src/convert/pdf-writer.js';
import { cjpegPath } from '../src/convert/jpeg.js';
import { printFigures, recordFigures, summarise, timed, withRatio, type Figure } from './lib.js';

const RUNS = Number(process.env.NOFEAR_BENCH_RUNS ?? 1);
const NOFEAR_OPEN = fileURLToPath(new URL('../dist/cli/nofear-open.js', import.meta.url));
const SPEC = '/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf';
const FILES = 6;

async function batchPagesPerMinute(dir: string, parallel: number): Promise<number> {
  const folder = mkdtempSync(path.join(dir, `batch-${parallel}-`));
  for (let i = 0; i < FILES; i++) writeFileSync(path.join(folder, `doc-${i}.pdf`), samplePdf());
  // Beside the folder, not in it: the batch walks the folder, and config.ini is text that LibreOffice converts.
  const config = `${folder}.config`;
  mkdirSync(path.join(config, 'nofear'), { recursive: true });
  writeFileSync(path.join(config, 'nofear', 'config.ini'), `[service]\nmax_sandboxes = ${parallel}\n`);
  const out = path.join(folder, 'out');
  mkdirSync(out);
  const seconds = await timed(() => execa(process.execPath, [NOFEAR_OPEN, '--convert', '--output', out, folder], { env: { ...process.env, XDG_CONFIG_HOME: config }, stdin: 'ignore' }));
  if (readdirSync(out).length !== FILES) throw new Error(`the batch made ${readdirSync(out).length} of ${FILES} safe PDFs`);
  return (FILES * 60) / seconds; // one page each
}

/** A binary PPM's size and RGB bytes. */
function readPpm(file: string): { width: number; height: number; rgb: Buffer } {
  const bytes = readFileSync(file);
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(bytes.subarray(0, 40).toString('latin1'));
  if (header === null) throw new Error(`${file} is no PPM`);
  return { width: Number(header[1]), height: Number(header[2]), rgb: bytes.subarray(header[0].length) };
}

/** The bytes a one-page safe PDF takes, written by NoFear's writer from the pixels the guest's renderer sends. */
async function bytesPerPage(ppm: string, dir: string, photos: 'flate' | 'jpeg'): Promise<number> {
  const page = readPpm(ppm);
  const cjpeg = cjpegPath();
  if (photos === 'jpeg' && cjpeg === undefined) throw new Error('cjpeg is missing: make deps');
  const file = path.join(dir, `page-${photos}-${path.basename(ppm)}.pdf`);
  const writer = await ImagePdfWriter.create(file, { dpi: 150, textLayer: false, spoolDir: dir, photos: photos === 'jpeg' && cjpeg !== undefined ? { kind: 'jpeg', cjpeg } : { kind: 'flate' } });
  await writer.beginPage(page.width, page.height);
  await writer.writePixels(page.rgb);
  await writer.endPage();
  await writer.finish();
  return writer.bytesWritten;
}

/** Bytes per page at the default settings and with --jpeg, against the RGB Flate page of before. */
export async function pageFigures(dir: string): Promise<Figure[]> {
  await execa('pdftoppm', ['-r', '150', '-f', '3', '-l', '3', SPEC, path.join(dir, 'text')]);
  await execa('convert', ['-size', '1240x1754', 'plasma:fractal', '-blur', '0x3', '-depth', '8', path.join(dir, 'photo.ppm')]);
  const text = path.join(dir, readdirSync(dir).find((name) => name.startsWith('text')) ?? 'text-03.ppm');
  const photo = path.join(dir, 'photo.ppm');
  // Before: every page RGB, Flate level 6 (the writer's setting), plus a few hundred bytes of structure.
  const rgb = (ppm: string) => deflateSync(readPpm(ppm).rgb, { level: 6 }).length;
  const textBefore = summarise('text page, RGB Flate (before)', 'bytes', [rgb(text)]);
  const photoBefore = summarise('photo page, RGB Flate (before)', 'bytes', [rgb(photo)]);
  return [
    textBefore,
    withRatio(summarise('text page, default', 'bytes', [await bytesPerPage(text, dir, 'flate')]), textBefore),
    photoBefore,
    withRatio(summarise('photo page, default (Flate)', 'bytes', [await bytesPerPage(photo, dir, 'flate')]), photoBefore),
    withRatio(summarise('photo page, --jpeg', 'bytes', [await bytesPerPage(photo, dir, 'jpeg')]), photoBefore),
  ];
}

export async function benchConvert(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nofear-bench-convert-'));
  try {
    const figures = await pageFigures(dir);
    const sequential: number[] = [];
    const parallel: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      sequential.push(await batchPagesPerMinute(dir, 1));
      parallel.push(await batchPagesPerMinute(dir, 2));
    }
    const one = summarise(`folder of ${FILES} one-page PDFs, one at a time`, 'pages/min', sequential);
    figures.push(one, withRatio(summarise(`folder of ${FILES} one-page PDFs, 2 at once`, 'pages/min', parallel), one));
    printFigures('convert', figures);
    recordFigures('convert', figures);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
