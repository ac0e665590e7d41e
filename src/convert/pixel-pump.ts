// From the converter's stdout to the safe PDF: each chunk checked by the pixel stream's rules, then
// handed page by page to the PDF writer (and, for OCR, to a PNG per page). One chunk at a time: while the
// writers work on it, nothing more is read, and the guest waits.
import path from 'node:path';
import type { GuestJobIo } from './guest-job.js';
import type { PixelLimits } from './limits.js';
import type { ImagePdfWriter } from './pdf-writer.js';
import { PixelStreamParser, type PixelEvent } from './pixel-stream.js';
import { PngPageWriter } from './png-writer.js';

export interface PageSize {
  width: number;
  height: number;
}

export interface PumpHooks {
  /** The document's page count, then each page as it starts (1-based). */
  onPage(page: number, pages: number): void;
  /** Where the OCR's PNGs go, when OCR is asked for. */
  ocrDir?: string;
  /** The resolution the pages were rendered at. */
  dpi: number;
  /** Pixel bytes just written to the disk (once per copy: the page's spool, the OCR's PNG): the disk budget counts them. */
  onWritten?: (bytes: number) => void;
}

/** The PNG of page `index` (0-based) for the OCR VM: names sort in page order up to the page limit. */
export const ocrPageName = (index: number) => `page-${String(index + 1).padStart(5, '0')}.png`;

class PageCopies {
  private png: PngPageWriter | undefined;
  readonly sizes: PageSize[] = [];

  constructor(
    private readonly pdf: ImagePdfWriter,
    private readonly hooks: PumpHooks,
  ) {}

  private pages = 0;

  async apply(event: PixelEvent): Promise<void> {
    switch (event.kind) {
      case 'document':
        this.pages = event.pages;
        this.hooks.onPage(0, event.pages);
        return;
      case 'page':
        this.hooks.onPage(event.index + 1, this.pages);
        await this.pdf.beginPage(event.width, event.height);
        if (this.hooks.ocrDir !== undefined) this.png = await PngPageWriter.create(path.join(this.hooks.ocrDir, ocrPageName(event.index)), event.width, event.height, this.hooks.dpi);
        this.sizes.push({ width: event.width, height: event.height });
        return;
      case 'pixels':
        await this.pdf.writePixels(event.data);
        await this.png?.write(event.data);
        this.hooks.onWritten?.(event.data.length * (this.png === undefined ? 1 : 2));
        return;
      case 'page-end':
        await this.pdf.endPage();
        await this.png?.finish();
        this.png = undefined;
    }
  }

  async abort(): Promise<void> {
    await this.png?.abort();
  }
}

/** Reads the whole stream into the writers; resolves with the pages' sizes once every page is in and the port has ended. */
export async function pumpPixels(io: GuestJobIo, pdf: ImagePdfWriter, limits: PixelLimits, hooks: PumpHooks): Promise<PageSize[]> {
  const parser = new PixelStreamParser(limits);
  const copies = new PageCopies(pdf, hooks);
  try {
    let confirmed = false;
    // Read to the port's end (the VM's): a byte after the last page is a broken rule too, and leaving the
    // port unread would block the guest in its write instead of letting it end.
    for await (const chunk of io.chunks()) {
      for (const event of parser.push(chunk)) await copies.apply(event);
      if (parser.complete && !confirmed) {
        confirmed = true;
        io.confirm();
      }
    }
    parser.end(); // throws when the stream ended early, naming what is missing
    return copies.sizes;
  } catch (error) {
    await copies.abort();
    throw error;
  }
}
