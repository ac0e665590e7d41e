// OCR in a second throwaway VM that receives only the pages' pixels (PNGs the host wrote), never the
// original: the text layer of a safe PDF cannot carry anything of the original's own text or structure.
import { constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';
import { runGuestJob, type GuestJobSpec } from './guest-job.js';
import { OcrReader } from './ocr-words.js';
import { ocrPageName, type PageSize } from './pixel-pump.js';
import type { OcrWord } from './text-layer.js';

/** Copies the PNGs into the OCR VM's staging export, readable by the guest's user. */
async function fillPages(from: string, count: number, exportDir: string): Promise<void> {
  for (let index = 0; index < count; index++) {
    const name = ocrPageName(index);
    await fsp.copyFile(path.join(from, name), path.join(exportDir, name), fsc.COPYFILE_EXCL);
    await fsp.chmod(path.join(exportDir, name), 0o444);
  }
}

async function bytesOf(dir: string, count: number): Promise<number> {
  let total = 0;
  for (let index = 0; index < count; index++) total += (await fsp.stat(path.join(dir, ocrPageName(index)))).size;
  return total;
}

export type OcrJob = Omit<GuestJobSpec, 'argv' | 'export' | 'what'>;

/** The words of each page, in pixels of the page as it was rendered. */
export async function recognise(pages: readonly PageSize[], pngDir: string, languages: string, job: OcrJob, onPage: (page: number) => void): Promise<OcrWord[][]> {
  const reader = new OcrReader(pages, onPage);
  return runGuestJob(
    {
      ...job,
      what: 'the OCR',
      argv: ['/.bb/busybox', 'sh', '/.nofear/ocr.sh', languages],
      export: { bytes: await bytesOf(pngDir, pages.length), fill: (dir) => fillPages(pngDir, pages.length, dir) },
    },
    async (io) => {
      let confirmed = false;
      for await (const chunk of io.chunks()) {
        reader.push(chunk); // anything after the end marker throws
        if (reader.complete && !confirmed) {
          confirmed = true;
          io.confirm();
        }
      }
      reader.end();
      return reader.words;
    },
  );
}
