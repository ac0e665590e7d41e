// The OCR VM's TSV read strictly (words kept, clipped and cleaned; anything malformed or too much
// refused), and the conversion plan's pure parts: which types convert how, with which tools, and the
// safe PDF's name.
import assert from 'node:assert/strict';
import { convertKindOf, safeName, toolsFor } from '../../../src/convert/convert-plan.js';
import { ConversionError } from '../../../src/convert/errors.js';
import { OCR_END, OCR_LIMITS, OcrReader } from '../../../src/convert/ocr-words.js';
import { parseMimeTree } from '../../../src/desktop/mime-tree.js';
import { isNoFearError } from '../../../src/errors.js';

const HEADER = 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';
const row = (level: number, page: number, box: [number, number, number, number], text = '', conf = '96.5') => [level, page, 1, 1, 1, 1, ...box, conf, text].join('\t');

describe('convert/ocr-words', () => {
  const pages = [
    { width: 100, height: 50 },
    { width: 10, height: 10 },
  ];

  it('keeps the words of each page, in any chunking, and hears each page start', () => {
    const text = [
      HEADER,
      row(1, 1, [0, 0, 100, 50], '', '-1'),
      row(5, 1, [1, 2, 30, 10], 'Hello'),
      row(4, 1, [0, 0, 9, 9]),
      row(5, 1, [40, 2, 30, 10], '  '),
      row(1, 2, [0, 0, 10, 10], '', '-1'),
      row(5, 2, [8, 8, 30, 30], 'edge'),
      OCR_END,
      '',
    ].join('\n');
    for (const size of [1, 5, text.length]) {
      const heard: number[] = [];
      const reader = new OcrReader(pages, (page) => heard.push(page));
      for (let at = 0; at < text.length; at += size) reader.push(Buffer.from(text.slice(at, at + size)));
      reader.end();
      assert.equal(reader.complete, true);
      assert.deepEqual(heard, [1, 2]);
      assert.deepEqual(reader.words, [[{ left: 1, top: 2, width: 30, height: 10, text: 'Hello' }], [{ left: 8, top: 8, width: 2, height: 2, text: 'edge' }]]);
    }
  });

  it('cleans control and direction characters out of a word, and bounds its length', () => {
    const reader = new OcrReader(pages);
    reader.push(Buffer.from(`${row(5, 1, [0, 0, 1, 1], `a\u202eb\u0007c${'x'.repeat(300)}`)}\n${OCR_END}\n`));
    assert.equal(reader.words[0]?.[0]?.text, `abc${'x'.repeat(197)}`);
  });

  const broken: ReadonlyArray<[string, string]> = [
    ['a line with too few fields', '5\t1\t1\n'],
    ['a number that is not one', row(5, 1, [0, 0, 1, 1], 'x').replace('\t0\t0\t1', '\t-0\t0\t1')],
    ['a page it was not sent', row(5, 3, [0, 0, 1, 1], 'x')],
    ['a level it does not have', row(7, 1, [0, 0, 1, 1], 'x')],
    ['a page going backwards', `${row(5, 2, [0, 0, 1, 1], 'x')}\n${row(5, 1, [0, 0, 1, 1], 'y')}`],
    ['a line longer than the limit', 'x'.repeat(OCR_LIMITS.maxLineBytes + 1)],
    ['anything after its end', `${OCR_END}\n${row(5, 1, [0, 0, 1, 1], 'late')}`],
  ];
  for (const [what, text] of broken) {
    it(`refuses ${what}`, () => {
      const reader = new OcrReader(pages);
      assert.throws(
        () => reader.push(Buffer.from(`${text}\n`)),
        (e: unknown) => e instanceof ConversionError && e.failure === 'OcrFailed',
      );
    });
  }

  it('refuses more text than it keeps, and an answer without its end', () => {
    const reader = new OcrReader(pages, () => {}, { ...OCR_LIMITS, maxWords: 2 });
    assert.throws(() => reader.push(Buffer.from([1, 2, 3].map((i) => row(5, 1, [0, 0, 1, 1], `w${i}`)).join('\n') + '\n')), /more than 2 words/);
    const cut = new OcrReader(pages);
    cut.push(Buffer.from(`${row(5, 1, [0, 0, 1, 1], 'w')}\n`));
    assert.throws(() => cut.end(), /ended before its last page/);
  });
});

describe('convert/convert-plan', () => {
  const tree = parseMimeTree([
    {
      subclasses: 'text/csv text/plain\ntext/x-python text/plain\napplication/vnd.oasis.opendocument.text application/zip\n',
      aliases: '',
      types: 'application/pdf\ntext/plain\ntext/csv\ntext/x-python\nimage/png\napplication/zip\napplication/vnd.oasis.opendocument.text\n',
    },
  ]);

  it('renders PDFs directly, images through ImageMagick, office documents and text through LibreOffice; nothing else', () => {
    const kinds = Object.fromEntries(
      [
        'application/pdf',
        'image/png',
        'image/svg+xml',
        'application/vnd.oasis.opendocument.text',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'application/msword',
        'text/plain',
        'text/x-python',
        'text/csv',
        'application/zip',
        'application/x-executable',
        'audio/mpeg',
        'video/mp4',
      ].map((mime) => [mime, convertKindOf(tree, mime) ?? 'none']),
    );
    assert.deepEqual(kinds, {
      'application/pdf': 'pdf',
      'image/png': 'image',
      'image/svg+xml': 'image',
      'application/vnd.oasis.opendocument.text': 'office',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'office',
      'application/msword': 'office',
      'text/plain': 'office',
      'text/x-python': 'office',
      'text/csv': 'office',
      'application/zip': 'none',
      'application/x-executable': 'none',
      'audio/mpeg': 'none',
      'video/mp4': 'none',
    });
  });

  it('names the tools, or the package to install when one is missing', () => {
    const only =
      (...tools: string[]) =>
      (tool: string) =>
        tools.includes(tool);
    assert.equal(toolsFor('pdf', only('pdftoppm', 'pdfinfo')), 'pdftoppm');
    assert.equal(toolsFor('pdf', only('mutool')), 'mutool');
    assert.equal(toolsFor('office', only('mutool', 'libreoffice')), 'LibreOffice, then mutool');
    assert.equal(toolsFor('image', only('convert', 'identify')), 'ImageMagick');
    assert.equal(toolsFor('mail', only('python3', 'pdftoppm', 'pdfinfo')), "NoFear's message view, then pdftoppm");
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isNoFearError(error) ? `${error.code}: ${error.fix ?? ''}` : String(error);
      }
      return 'accepted';
    };
    assert.equal(
      refusal(() => toolsFor('pdf', only())),
      'Unavailable: sudo apt-get install poppler-utils',
    );
    assert.equal(
      refusal(() => toolsFor('image', only('pdftoppm', 'pdfinfo'))),
      'Unavailable: sudo apt-get install imagemagick',
    );
    assert.match(
      refusal(() => toolsFor('office', only('pdftoppm', 'pdfinfo'))),
      /^Unavailable: sudo apt-get install libreoffice-core/,
    );
  });

  it('names the safe PDF NAME.safe.pdf, then "NAME (2).safe.pdf"', () => {
    assert.deepEqual([1, 2].map(safeName('report.final.docx')), ['report.final.safe.pdf', 'report.final (2).safe.pdf']);
    assert.equal(safeName('README')(1), 'README.safe.pdf');
    assert.equal(safeName('.hidden')(1), '.hidden.safe.pdf');
  });
});
