// NoFear's own PDF writer for safe PDFs: one image per page, 1 bit, grey or RGB as its pixels need
// (page-image.ts: spooled to a private file as they arrive, so no page is held whole in memory; Flate
// through node:zlib, or the host's JPEG for photo pages when asked). The output holds nothing
// else: no fonts or text (unless NoFear's own OCR layer is asked for), no actions, annotations, links,
// forms, scripts or attachments. Objects: 1 catalog, 2 page tree, 3 the OCR font (if any); then per page the
// image, its length, the content that draws it, the page and (with OCR) its text layer, written last.
import { constants as fsc, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { PageSpool, storageOf, type PhotoEncoding } from './page-image.js';
import type { PageClass } from './page-class.js';

const HEADER = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
const CATALOG = 1;
const PAGE_TREE = 2;
const FONT = 3;

interface PageRecord {
  /** Page size in points. */
  width: number;
  height: number;
}

export interface WriterOptions {
  /** The resolution the pixels were rendered at: it gives the pages their size in points. */
  dpi: number;
  /** Reserve a text layer per page (OCR), written by finish(). */
  textLayer: boolean;
  /** A private directory for the pages' spools (the conversion's own, mode 0700). */
  spoolDir: string;
  /** Grey and colour pages as Flate (lossless, the default) or as the host's JPEG. */
  photos: PhotoEncoding;
  /** Bytes just written to the PDF (the conversion's disk budget counts them; it may throw to stop). */
  onWritten?: (bytes: number) => void;
}

const points = (pixels: number, dpi: number) => Number(((pixels * 72) / dpi).toFixed(3));

export class ImagePdfWriter {
  private offset = 0;
  private readonly offsets = new Map<number, number>();
  private readonly pages: PageRecord[] = [];
  private current: PageSpool | undefined;
  /** How each page was stored, in order: for --verbose and the benchmarks. */
  readonly classes: PageClass[] = [];
  private readonly perPage: number;
  /** Pages' objects start after the catalog, the page tree and (with a text layer) the font. */
  private readonly firstPageObject: number;

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
    private readonly options: WriterOptions,
  ) {
    this.perPage = options.textLayer ? 5 : 4;
    this.firstPageObject = options.textLayer ? FONT + 1 : FONT;
  }

  /** Creates the file (it must not exist: callers pass a fresh temporary name) and writes the header. */
  static async create(path: string, options: WriterOptions): Promise<ImagePdfWriter> {
    const file = await fsp.open(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
    const writer = new ImagePdfWriter(file, path, options);
    await writer.write(HEADER);
    return writer;
  }

  get pageCount(): number {
    return this.pages.length;
  }

  get bytesWritten(): number {
    return this.offset;
  }

  private objectNumber(page: number, slot: 0 | 1 | 2 | 3 | 4): number {
    return this.firstPageObject + page * this.perPage + slot;
  }

  private async write(data: string | Buffer): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    let done = 0;
    while (done < bytes.length) done += (await this.file.write(bytes, done, bytes.length - done)).bytesWritten;
    this.offset += bytes.length;
    this.options.onWritten?.(bytes.length);
  }

  private async startObject(number: number): Promise<void> {
    this.offsets.set(number, this.offset);
    await this.write(`${number} 0 obj\n`);
  }

  private async object(number: number, body: string): Promise<void> {
    await this.startObject(number);
    await this.write(`${body}\nendobj\n`);
  }

  /** Starts the next page's image: width x height RGB pixels follow through writePixels(). */
  async beginPage(width: number, height: number): Promise<void> {
    if (this.current !== undefined) throw new Error('beginPage before the previous page ended');
    this.current = await PageSpool.create(this.options.spoolDir, this.pages.length, width, height);
  }

  async writePixels(data: Buffer): Promise<void> {
    if (this.current === undefined) throw new Error('writePixels outside a page');
    await this.current.write(data);
  }

  async endPage(): Promise<void> {
    const page = this.current;
    if (page === undefined) throw new Error('endPage outside a page');
    const index = this.pages.length;
    try {
      await page.close();
      const image = storageOf(await page.classify(), this.options.photos);
      const length = this.objectNumber(index, 1);
      await this.startObject(this.objectNumber(index, 0));
      await this.write(
        `<< /Type /XObject /Subtype /Image /Width ${page.width} /Height ${page.height} /ColorSpace /${image.colourSpace} /BitsPerComponent ${image.bitsPerComponent} /Filter /${image.filter} /Length ${length} 0 R >>\nstream\n`,
      );
      const streamAt = this.offset;
      await page.encode(image, this.options.photos, (bytes) => this.write(bytes));
      const compressed = this.offset - streamAt;
      this.classes.push(image.kind);
      await this.write('\nendstream\nendobj\n');
      await this.object(length, String(compressed));
    } finally {
      this.current = undefined;
      await page.remove();
    }
    const size = { width: points(page.width, this.options.dpi), height: points(page.height, this.options.dpi) };
    const draw = `q ${size.width} 0 0 ${size.height} 0 0 cm /Im0 Do Q`;
    await this.object(this.objectNumber(index, 2), `<< /Length ${draw.length} >>\nstream\n${draw}\nendstream`);
    const text = this.options.textLayer ? this.objectNumber(index, 4) : undefined;
    const fonts = text === undefined ? '' : ` /Font << /F1 ${FONT} 0 R >>`;
    const contents = text === undefined ? `${this.objectNumber(index, 2)} 0 R` : `[${this.objectNumber(index, 2)} 0 R ${text} 0 R]`;
    await this.object(
      this.objectNumber(index, 3),
      `<< /Type /Page /Parent ${PAGE_TREE} 0 R /MediaBox [0 0 ${size.width} ${size.height}] /Resources << /XObject << /Im0 ${this.objectNumber(index, 0)} 0 R >>${fonts} >> /Contents ${contents} >>`,
    );
    this.pages.push(size);
  }

  /**
   * Writes the text layers (with OCR: content-stream operators per page, from textLayerOps), the page
   * tree, the catalog and the cross-reference table; syncs and closes the file.
   */
  async finish(textLayer: (page: number, size: PageRecord) => string = () => ''): Promise<void> {
    if (this.current !== undefined) throw new Error('finish inside a page');
    if (this.options.textLayer) {
      for (const [index, size] of this.pages.entries()) {
        const ops = textLayer(index, size);
        await this.object(this.objectNumber(index, 4), `<< /Length ${Buffer.byteLength(ops, 'latin1')} >>\nstream\n${ops}\nendstream`);
      }
      // One of the 14 standard fonts: nothing embedded, and the text drawn with it is invisible (mode 3).
      await this.object(FONT, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
    }
    const kids = this.pages.map((_, index) => `${this.objectNumber(index, 3)} 0 R`).join(' ');
    await this.object(PAGE_TREE, `<< /Type /Pages /Kids [${kids}] /Count ${this.pages.length} >>`);
    await this.object(CATALOG, `<< /Type /Catalog /Pages ${PAGE_TREE} 0 R >>`);
    await this.writeXref();
    await this.file.sync();
    await this.file.close();
  }

  private async writeXref(): Promise<void> {
    const size = this.firstPageObject + this.pages.length * this.perPage;
    const start = this.offset;
    const lines = [`xref\n0 ${size}\n`, '0000000000 65535 f \n'];
    for (let number = 1; number < size; number++) {
      const at = this.offsets.get(number);
      if (at === undefined) throw new Error(`object ${number} was never written`);
      // Ten digits per offset: PIXEL_LIMITS keep a PDF far below 10^10 bytes; past it, no PDF rather than a broken one.
      if (at >= 1e10) throw new Error(`object ${number} lies past the 10^10 bytes a PDF cross-reference table can address`);
      lines.push(`${String(at).padStart(10, '0')} 00000 n \n`);
    }
    await this.write(lines.join(''));
    await this.write(`trailer\n<< /Size ${size} /Root ${CATALOG} 0 R >>\nstartxref\n${start}\n%%EOF\n`);
  }

  /** Stops writing and removes the file: nothing of a failed conversion is left. */
  async abort(): Promise<void> {
    await this.current?.remove();
    this.current = undefined;
    await this.file.close().catch(() => undefined); // closed already by finish(), or failed
    await fsp.rm(this.path, { force: true });
  }
}
