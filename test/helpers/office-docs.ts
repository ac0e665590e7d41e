// Office documents for the tests, made by the host's own LibreOffice from the tests' trusted Flat ODF
// (so the files are what LibreOffice itself writes), and their native rendering for comparison.
import { execa } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NS =
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ' +
  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" ' +
  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" ' +
  'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"';

const doc = (mimetype: string, styles: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<office:document ${NS} office:version="1.3" office:mimetype="${mimetype}">` +
  `<office:automatic-styles>${styles}</office:automatic-styles><office:body>${body}</office:body></office:document>\n`;

/** Three pages of text (page breaks), two sheets (a page each), two slides: each page different from the next. */
const SOURCES: Record<string, { name: string; xml: string; pages: number }> = {
  docx: {
    name: 'letter.fodt',
    pages: 3,
    xml: doc(
      'application/vnd.oasis.opendocument.text',
      '<style:style style:name="P" style:family="paragraph"><style:text-properties fo:font-size="28pt"/></style:style>' +
        '<style:style style:name="B" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/><style:text-properties fo:font-size="28pt"/></style:style>',
      '<office:text><text:p text:style-name="P">Page one of the NoFear letter, with a few lines of large words on it.</text:p>' +
        '<text:p text:style-name="B">Page two</text:p><text:p text:style-name="P">says something else entirely, further down and at more length than page one did.</text:p>' +
        '<text:p text:style-name="B">Three.</text:p></office:text>',
    ),
  },
  xlsx: {
    name: 'sheet.fods',
    pages: 2,
    xml: doc(
      'application/vnd.oasis.opendocument.spreadsheet',
      '<style:style style:name="C" style:family="table-cell"><style:text-properties fo:font-size="28pt"/></style:style>',
      '<office:spreadsheet><table:table table:name="One"><table:table-row><table:table-cell table:style-name="C" office:value-type="string"><text:p>Quarter</text:p></table:table-cell>' +
        '<table:table-cell table:style-name="C" office:value-type="float" office:value="4711"><text:p>4711</text:p></table:table-cell></table:table-row></table:table>' +
        '<table:table table:name="Two"><table:table-row><table:table-cell table:style-name="C" office:value-type="string"><text:p>Second sheet, other words</text:p></table:table-cell></table:table-row>' +
        '<table:table-row><table:table-cell table:style-name="C" office:value-type="string"><text:p>More</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>',
    ),
  },
  pptx: {
    name: 'slides.fodp',
    pages: 2,
    xml: doc(
      'application/vnd.oasis.opendocument.presentation',
      '',
      '<office:presentation><draw:page draw:name="one"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="3cm"><draw:text-box><text:p>First slide</text:p></draw:text-box></draw:frame></draw:page>' +
        '<draw:page draw:name="two"><draw:frame svg:x="2cm" svg:y="8cm" svg:width="20cm" svg:height="6cm"><draw:text-box><text:p>The second slide, lower down</text:p><text:p>with two lines</text:p></draw:text-box></draw:frame></draw:page></office:presentation>',
    ),
  },
};

export type OfficeFormat = 'docx' | 'xlsx' | 'pptx';

/** LibreOffice on the host, with a profile of its own in `dir` (never the user's). */
async function soffice(dir: string, ...args: string[]): Promise<void> {
  await execa('soffice', [`-env:UserInstallation=file://${path.join(dir, '.lo-profile')}`, '--headless', '--norestore', ...args], { cwd: dir, timeout: 180_000 });
}

/** Writes DIR/<stem>.<format> made by LibreOffice, and returns it with its expected page count. */
export async function makeOfficeDocument(dir: string, format: OfficeFormat): Promise<{ file: string; pages: number }> {
  const source = SOURCES[format]!;
  const work = path.join(dir, 'sources');
  mkdirSync(work, { recursive: true });
  writeFileSync(path.join(work, source.name), source.xml);
  await soffice(work, '--convert-to', format, '--outdir', dir, path.join(work, source.name));
  return { file: path.join(dir, `${path.parse(source.name).name}.${format}`), pages: source.pages };
}

/** The document rendered natively by the host's LibreOffice: DIR/native/<stem>.pdf. */
export async function nativePdf(dir: string, file: string): Promise<string> {
  const out = path.join(dir, 'native');
  mkdirSync(out, { recursive: true });
  await soffice(dir, '--convert-to', 'pdf', '--outdir', out, file);
  return path.join(out, `${path.parse(file).name}.pdf`);
}

/** How each protected kind is made: from which test source, stored with which LibreOffice filter. */
const PROTECTED = {
  odt: { source: 'docx', filter: 'writer8' }, // an encrypted ODF package
  docx: { source: 'docx', filter: 'MS Word 2007 XML' }, // OOXML in an encrypted OLE2 container (ECMA-376 standard encryption)
  doc: { source: 'docx', filter: 'MS Word 97' }, // Word 97's RC4
  xlsx: { source: 'xlsx', filter: 'Calc MS Excel 2007 XML' },
  xls: { source: 'xlsx', filter: 'MS Excel 97' }, // Excel 97's RC4
} as const;

export type ProtectedFormat = keyof typeof PROTECTED;

/**
 * Each wanted FILE stored by LibreOffice (through UNO, test/helpers/office-protect.py, one session for all) from
 * the test source of its kind with `password`, which goes to the script on its stdin: nothing opens them without.
 * Returns each file with its expected page count, in the order asked.
 */
export async function makeProtectedDocuments(dir: string, password: string, wanted: ReadonlyArray<{ file: string; format: ProtectedFormat }>): Promise<Array<{ file: string; pages: number }>> {
  const work = path.join(dir, 'protect-sources');
  mkdirSync(work, { recursive: true });
  const jobs = wanted.flatMap(({ file, format }) => {
    const source = SOURCES[PROTECTED[format].source]!;
    writeFileSync(path.join(work, source.name), source.xml);
    return [path.join(work, source.name), file, PROTECTED[format].filter];
  });
  const script = fileURLToPath(new URL('office-protect.py', import.meta.url));
  await execa('/usr/bin/python3', [script, path.join(work, '.lo-profile'), ...jobs], { input: `${password}\n`, timeout: 300_000 });
  return wanted.map(({ file, format }) => ({ file, pages: SOURCES[PROTECTED[format].source]!.pages }));
}
