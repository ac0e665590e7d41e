// nofear-open --convert with real VMs: the safe PDF has the original's pages (same count, rendered by the
// host's pdftoppm close to the original's own rendering) and holds nothing but pixels: its objects are
// checked one by one against the only shapes NoFear's writer makes, and against the host's poppler tools.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import { leftoverSandboxes, makeTestEnv, runCli, type TestEnv } from '../helpers/cli.js';
import { pageDifference, pdfObjects, readPpm, renderPages } from '../helpers/pdf-check.js';

/** A real multi-page PDF every Debian system with shared-mime-info has (17 pages, embedded Type 1 fonts). */
const REAL_PDF = '/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf';
/**
 * "Close": both rendered at 75 dpi and averaged over 8 x 8-pixel cells (2.7 mm), the mean difference per
 * channel is under 4 of 255 and no cell is off by more than 64. Measured: 2.6 and 37 at worst over the 17
 * pages; a neighbouring page scores over 10 and 130, which the test checks too, so that the measure can fail.
 */
const CLOSE = { mean: 4, max: 64 };

const SHAPES: ReadonlyArray<[string, RegExp]> = [
  ['catalog', /^<< \/Type \/Catalog \/Pages \d+ 0 R >>$/],
  ['page tree', /^<< \/Type \/Pages \/Kids \[(\d+ 0 R ?)+\] \/Count \d+ >>$/],
  [
    'page',
    /^<< \/Type \/Page \/Parent \d+ 0 R \/MediaBox \[0 0 [\d.]+ [\d.]+\] \/Resources << \/XObject << \/Im0 \d+ 0 R >>( \/Font << \/F1 \d+ 0 R >>)? >> \/Contents (\d+ 0 R|\[\d+ 0 R \d+ 0 R\]) >>$/,
  ],
  [
    'image',
    /^<< \/Type \/XObject \/Subtype \/Image \/Width (\d+) \/Height (\d+) \/ColorSpace \/(DeviceRGB|DeviceGray) \/BitsPerComponent (8|1) \/Filter \/(FlateDecode|DCTDecode) \/Length \d+ 0 R >>$/,
  ],
  ['length', /^\d+$/],
  ['content', /^<< \/Length \d+ >>$/],
  ['OCR font', /^<< \/Type \/Font \/Subtype \/Type1 \/BaseFont \/Helvetica \/Encoding \/WinAnsiEncoding >>$/],
];
const DRAW_IMAGE = /^q [\d.]+ 0 0 [\d.]+ 0 0 cm \/Im0 Do Q$/;
const OCR_WORD = /^\/F1 [\d.]+ Tf [\d.]+ Tz 1 0 0 1 -?[\d.]+ -?[\d.]+ Tm \((\\[()\\]|[^()\\])*\) Tj$/;

/** Every object is one of the writer's shapes; content streams only draw the image (or, with OCR, invisible words). */
function assertOnlyPixels(file: string, options: { ocr: boolean; absent: readonly string[] }): void {
  const objects = pdfObjects(file);
  for (const object of objects) {
    const shape = SHAPES.find(([, pattern]) => pattern.test(object.head))?.[0];
    assert.ok(shape !== undefined, `object ${object.number} is none of the writer's shapes: ${object.head.slice(0, 200)}`);
    assert.ok(options.ocr || (shape !== 'OCR font' && !object.head.includes('/Font')), `object ${object.number} is a font`);
    if (shape === 'image') {
      const [, width, height, space, bits, filter] = SHAPES[3]?.[1].exec(object.head) ?? [];
      if (filter === 'DCTDecode') assert.deepEqual([...(object.stream ?? Buffer.alloc(0)).subarray(0, 3)], [0xff, 0xd8, 0xff], `image ${object.number} is a JPEG`);
      else {
        const rowBytes = Math.ceil((Number(width) * Number(bits) * (space === 'DeviceRGB' ? 3 : 1)) / 8);
        assert.equal(object.stream?.length, rowBytes * Number(height), `image ${object.number} holds exactly its pixels`);
      }
    }
    if (shape === 'content') {
      const text = object.stream?.toString('latin1') ?? '';
      const isText = options.ocr && (text === '' || text.startsWith('BT\n3 Tr\n'));
      assert.ok(DRAW_IMAGE.test(text) || isText, `content ${object.number} does more than draw the page's image: ${text.slice(0, 120)}`);
      if (isText && text !== '') for (const line of text.split('\n').slice(2, -1)) assert.match(line, OCR_WORD);
    }
  }
  // Names are looked for in the structure (object heads, content streams), not in pixels, where any bytes may occur.
  const structure = objects.map((o) => `${o.head}\n${o.head.includes('/Subtype /Image') ? '' : (o.stream?.toString('latin1') ?? '')}`).join('\n');
  for (const name of ['/JavaScript', '/JS', '/AA', '/OpenAction', '/Annots', '/Link', '/URI', '/Launch', '/EmbeddedFile', '/AcroForm', '/Names', '/Outlines', '/FontFile', '/Info']) {
    assert.ok(!new RegExp(`${name}\\b`).test(structure), `${name} is in the safe PDF`);
  }
  const everything = Buffer.concat([readFileSync(file), ...objects.map((o) => o.stream ?? Buffer.alloc(0))]).toString('latin1');
  for (const text of options.absent) assert.ok(!everything.includes(text), `the original's ${JSON.stringify(text)} is in the safe PDF`);
}

/** The host's own poppler agrees: no fonts, no text (without OCR), no attachments. */
async function assertPopplerSeesPixelsOnly(file: string): Promise<void> {
  const fonts = (await execa('pdffonts', [file])).stdout
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '');
  assert.deepEqual(fonts, [], 'pdffonts lists fonts');
  assert.equal((await execa('pdftotext', [file, '-'])).stdout.trim(), '', 'pdftotext finds text');
  assert.match((await execa('pdfdetach', ['-list', file])).stdout, /^0 embedded files/);
}

async function pageCount(file: string): Promise<number> {
  return Number(/^Pages:\s+(\d+)$/m.exec((await execa('pdfinfo', [file])).stdout)?.[1]);
}

describe('nofear-open --convert (real QEMU)', function () {
  let t: TestEnv;
  let dir: string;
  before(() => {
    t = makeTestEnv();
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-convert-'));
  });
  after(() => {
    t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => assert.deepEqual(leftoverSandboxes(t), [], 'a sandbox directory was left behind'));

  async function convert(file: string, ...options: string[]): Promise<string> {
    const result = await runCli('nofear-open', ['--convert', ...options, file], t);
    assert.equal(result.exitCode, 0, result.stderr);
    const output = result.stdout.toString().trim();
    assert.ok(statSync(output).isFile(), `no safe PDF at ${output}`);
    return output;
  }

  /** Same page count, every page close to its original, and the neighbouring page not. */
  async function assertSamePages(original: string, safe: string): Promise<void> {
    assert.equal(await pageCount(safe), await pageCount(original));
    const work = mkdtempSync(path.join(dir, 'render-'));
    const [before, after] = [await renderPages(original, 75, work, 'original'), await renderPages(safe, 75, work, 'safe')];
    assert.equal(after.length, before.length);
    before.forEach((page, index) => {
      const difference = pageDifference(page, after[index] ?? page);
      assert.ok(difference.mean < CLOSE.mean && difference.max < CLOSE.max, `page ${index + 1} differs: ${JSON.stringify(difference)}`);
    });
    if (before.length > 1) {
      const other = pageDifference(before[0] ?? after[0]!, after[1]!);
      assert.ok(other.mean >= CLOSE.mean || other.max >= CLOSE.max, `the measure cannot tell page 1 from page 2: ${JSON.stringify(other)}`);
    }
  }

  it('the sample PDF: one page, close to the original, and nothing in it but pixels', async () => {
    const file = path.join(dir, 'sample.pdf');
    writeFileSync(file, samplePdf());
    const safe = await convert(file);
    assert.equal(safe, path.join(dir, 'sample.safe.pdf'));
    await assertSamePages(file, safe);
    assertOnlyPixels(safe, { ocr: false, absent: ['Opened safely by NoFear', 'rendered inside', 'Helvetica', 'NoFear)'] });
    await assertPopplerSeesPixelsOnly(safe);
  });

  it(`a real 17-page PDF (${path.basename(REAL_PDF)}): every page close to the original, no fonts or text of it`, async () => {
    const file = path.join(dir, 'spec.pdf');
    copyFileSync(REAL_PDF, file);
    const words = (await execa('pdftotext', ['-l', '1', file, '-'])).stdout
      .split(/\s+/)
      .filter((w) => w.length >= 6)
      .slice(0, 5);
    const fonts = (await execa('pdffonts', [file])).stdout
      .split('\n')
      .slice(2)
      .map((line) => line.split(/\s+/)[0]?.replace(/^[A-Z]{6}\+/, '') ?? '');
    assert.ok(words.length >= 3 && fonts.length >= 1, 'the original has text and fonts to look for');
    const safe = await convert(file);
    await assertSamePages(file, safe);
    assertOnlyPixels(safe, { ocr: false, absent: [...words, ...fonts] });
    await assertPopplerSeesPixelsOnly(safe);
  });

  it('an image goes through ImageMagick; --output puts the PDF elsewhere and never replaces an existing one', async () => {
    const file = path.join(dir, 'picture.png');
    await execa('convert', ['-size', '300x200', 'gradient:orange-blue', file]);
    const out = path.join(dir, 'out');
    mkdirSync(out);
    writeFileSync(path.join(out, 'picture.safe.pdf'), 'an earlier one');
    const safe = await convert(file, '--output', out);
    assert.equal(safe, path.join(out, 'picture (2).safe.pdf'));
    assert.equal(readFileSync(path.join(out, 'picture.safe.pdf'), 'utf8'), 'an earlier one');
    assert.equal(await pageCount(safe), 1);
    assertOnlyPixels(safe, { ocr: false, absent: [] });
    const work = mkdtempSync(path.join(dir, 'image-'));
    const [page] = await renderPages(safe, 150, work, 'safe');
    await execa('convert', [file, '-depth', '8', path.join(work, 'original.ppm')]);
    const difference = pageDifference(readPpm(path.join(work, 'original.ppm')), page!);
    assert.ok(difference.mean < CLOSE.mean && difference.max < CLOSE.max, JSON.stringify(difference));
  });

  it("--ocr: a second VM reads the text from the pixels; the layer is invisible, in NoFear's own unembedded font", async () => {
    const file = path.join(dir, 'ocr.pdf');
    writeFileSync(file, samplePdf('Invoice number 4711', 'Please pay within thirty days.'));
    const safe = await convert(file, '--ocr');
    assertOnlyPixels(safe, { ocr: true, absent: ['/FontFile'] });
    const fonts = (await execa('pdffonts', [safe])).stdout
      .split('\n')
      .slice(2)
      .filter((line) => line.trim() !== '');
    assert.equal(fonts.length, 1);
    assert.match(fonts[0] ?? '', /^Helvetica\s+Type 1\s+WinAnsi\s+no\s/);
    const text = (await execa('pdftotext', [safe, '-'])).stdout;
    assert.match(text, /Invoice/);
    assert.match(text, /thirty/);
    await assertSamePages(file, safe);
  });

  it("a damaged PDF the converter cannot read: NoFear's words first, what the VM printed quoted as the VM's (issue 25, defect 5)", async () => {
    const file = path.join(dir, 'damaged.pdf');
    writeFileSync(file, '%PDF-1.4\nno objects, no trailer\n%%EOF\n');
    const result = await runCli('nofear-open', ['--convert', file], t);
    assert.equal(result.exitCode, 125, result.stderr);
    const line = result.stderr.split('\n').find((l) => l.includes('could not render')) ?? '';
    // Whatever the guest printed (here its converter's complaint) never reads as NoFear's own words.
    assert.ok(line.startsWith(`nofear-open: the converter could not render ${file} (Unrenderable); the VM said: “`), line);
    assert.match(line, /”\. Fix: /);
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.startsWith('damaged') && name !== 'damaged.pdf'),
      [],
    );
  });

  it('refuses a type with nothing to render, naming what can be converted, before any VM', async () => {
    const file = path.join(dir, 'archive.zip');
    await execa('sh', ['-c', `cd ${JSON.stringify(dir)} && printf x > member && python3 -c "import zipfile; zipfile.ZipFile('archive.zip','w').write('member')"`]);
    const result = await runCli('nofear-open', ['--convert', file], t);
    assert.equal(result.exitCode, 125);
    assert.match(result.stderr, /cannot convert archive\.zip \(application\/zip\).*PDF documents.*images.*office documents/);
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.startsWith('archive') && name !== 'archive.zip'),
      [],
    );
  });
});
