// Which package gives a file type its viewer, for the refusal's Fix line and doctor's "what opens what".
// Pure: a table of the everyday document types by family, with the Debian and Fedora package names.

export interface PackageHint {
  /** What the user is missing, in words: "a word processor (LibreOffice Writer)". */
  what: string;
  debian: string;
  fedora: string;
}

/** The document families people receive; each row: how to recognise the type, and what to install. */
const FAMILIES: ReadonlyArray<{ family: string; test: (mime: string) => boolean; hint: PackageHint }> = [
  {
    family: 'text document',
    test: (m) =>
      m === 'application/msword' ||
      m === 'application/rtf' ||
      m === 'text/rtf' ||
      m.startsWith('application/vnd.openxmlformats-officedocument.wordprocessingml.') ||
      m.startsWith('application/vnd.oasis.opendocument.text') ||
      m.startsWith('application/vnd.ms-word'),
    hint: { what: 'a word processor (LibreOffice Writer)', debian: 'libreoffice-writer', fedora: 'libreoffice-writer' },
  },
  {
    family: 'spreadsheet',
    test: (m) =>
      m === 'text/csv' ||
      m.startsWith('application/vnd.ms-excel') ||
      m.startsWith('application/vnd.openxmlformats-officedocument.spreadsheetml.') ||
      m.startsWith('application/vnd.oasis.opendocument.spreadsheet'),
    hint: { what: 'a spreadsheet (LibreOffice Calc)', debian: 'libreoffice-calc', fedora: 'libreoffice-calc' },
  },
  {
    family: 'presentation',
    test: (m) =>
      m.startsWith('application/vnd.ms-powerpoint') || m.startsWith('application/vnd.openxmlformats-officedocument.presentationml.') || m.startsWith('application/vnd.oasis.opendocument.presentation'),
    hint: { what: 'a presentation program (LibreOffice Impress)', debian: 'libreoffice-impress', fedora: 'libreoffice-impress' },
  },
  { family: 'PDF', test: (m) => m === 'application/pdf', hint: { what: 'a PDF viewer', debian: 'mupdf', fedora: 'mupdf' } },
  { family: 'web page', test: (m) => m === 'text/html' || m === 'application/xhtml+xml', hint: { what: 'a web browser', debian: 'firefox-esr', fedora: 'firefox' } },
  { family: 'image', test: (m) => m.startsWith('image/'), hint: { what: 'an image viewer', debian: 'eog', fedora: 'eog' } },
  // A terminal is enough: NoFear shows text in `xterm -e less` inside the VM when no text editor is installed.
  { family: 'text', test: (m) => m.startsWith('text/'), hint: { what: 'a terminal for the text viewer (xterm)', debian: 'xterm', fedora: 'xterm' } },
];

/** The types doctor lists under "what opens what", one per family, with a file name as an example. */
export const EVERYDAY_TYPES: ReadonlyArray<{ mime: string; example: string }> = [
  { mime: 'application/pdf', example: 'report.pdf' },
  { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', example: 'letter.docx' },
  { mime: 'application/msword', example: 'letter.doc' },
  { mime: 'application/vnd.oasis.opendocument.text', example: 'letter.odt' },
  { mime: 'application/rtf', example: 'letter.rtf' },
  { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', example: 'sheet.xlsx' },
  { mime: 'application/vnd.ms-excel', example: 'sheet.xls' },
  { mime: 'application/vnd.oasis.opendocument.spreadsheet', example: 'sheet.ods' },
  { mime: 'text/csv', example: 'table.csv' },
  { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', example: 'slides.pptx' },
  { mime: 'application/vnd.ms-powerpoint', example: 'slides.ppt' },
  { mime: 'application/vnd.oasis.opendocument.presentation', example: 'slides.odp' },
  { mime: 'text/plain', example: 'notes.txt' },
  { mime: 'text/html', example: 'page.html' },
  { mime: 'image/png', example: 'photo.png' },
];

export function packageFor(mime: string): PackageHint | undefined {
  return FAMILIES.find((row) => row.test(mime.toLowerCase()))?.hint;
}

/** The Fix line for a type nothing installed opens: both distributions' commands, then the retry. */
export function installFix(mime: string): string | undefined {
  const hint = packageFor(mime);
  if (hint === undefined) return undefined;
  return `install ${hint.what}: sudo apt-get install ${hint.debian} (Fedora: sudo dnf install ${hint.fedora}), then run the same command again`;
}

/**
 * Container formats whose handlers would show a document's insides, not the document: a .docx is a ZIP
 * archive and a .doc an OLE compound file to shared-mime-info, yet an archive manager is never its viewer.
 */
export const CONTAINER_TYPES: ReadonlySet<string> = new Set([
  'application/zip',
  'application/x-ole-storage',
  'application/x-tar',
  'application/gzip',
  'application/x-7z-compressed',
  'application/vnd.rar',
  'application/x-rar',
]);

/** The lineage a viewer may come from: the type and its ancestors up to (not through) a container format. */
export function viewerLineage(lineage: readonly string[]): string[] {
  const [type, ...ancestors] = lineage;
  if (type === undefined) return [];
  const cut = ancestors.findIndex((ancestor) => CONTAINER_TYPES.has(ancestor));
  return [type, ...(cut === -1 ? ancestors : ancestors.slice(0, cut))];
}

/** doctor's answer for one type: the viewer that would run in the VM, else the package that gives it one. */
export type OpensAnswer = { kind: 'viewer'; id: string } | { kind: 'install'; hint: PackageHint } | { kind: 'nothing' };

/** Pure: what opens `mime`, given the viewer nofear-open would choose (its desktop id, or NoFear's terminal viewer) if any. */
export function viewerOrPackage(mime: string, chosen: string | undefined): OpensAnswer {
  if (chosen !== undefined) return { kind: 'viewer', id: chosen };
  const hint = packageFor(mime);
  return hint === undefined ? { kind: 'nothing' } : { kind: 'install', hint };
}
