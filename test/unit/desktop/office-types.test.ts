// Office documents, text and containers: a .docx is never an archive to the planner, a missing office suite
// is named by its package, text has a terminal viewer of last resort, the guest's LibreOffice profile is prepared.
import assert from 'node:assert/strict';
import { loadAppDatabase } from '../../../src/desktop/app-database.js';
import { parseMimeTree } from '../../../src/desktop/mime-tree.js';
import { requireViewer, resolveViewer } from '../../../src/desktop/mimeapps.js';
import { EVERYDAY_TYPES, installFix, packageFor, viewerLineage, viewerOrPackage } from '../../../src/desktop/type-packages.js';
import { xdgDirsFromEnv } from '../../../src/desktop/xdg-dirs.js';
import { isNoFearError } from '../../../src/errors.js';
import { terminalTextViewer, TERMINAL_VIEWER_ID } from '../../../src/open/text-viewer.js';
import { officeProfileXcu } from '../../../src/vm/office-profile.js';
import { desktopFile, memoryReader } from './memory-reader.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const tree = parseMimeTree([
  {
    subclasses: `${DOCX} application/zip\napplication/msword application/x-ole-storage\ntext/html text/plain\n`,
    types: `${DOCX}\napplication/zip\napplication/msword\napplication/x-ole-storage\ntext/plain\ntext/html\n`,
  },
]);
const SYS = '/usr/share/applications';
const ARCHIVERS: Record<string, string> = {
  [`${SYS}/org.gnome.Nautilus.desktop`]: desktopFile({ Name: 'Files', Exec: 'nautilus --new-window %U', MimeType: 'inode/directory;application/zip;application/x-ole-storage;' }),
  [`${SYS}/org.gnome.FileRoller.desktop`]: desktopFile({ Name: 'Archive Manager', Exec: 'file-roller %U', MimeType: 'application/zip;application/x-7z-compressed;' }),
  [`${SYS}/mimeinfo.cache`]: '[MIME Cache]\napplication/zip=org.gnome.Nautilus.desktop;org.gnome.FileRoller.desktop;\napplication/x-ole-storage=org.gnome.Nautilus.desktop;\n',
};
const WRITER = { [`${SYS}/libreoffice-writer.desktop`]: desktopFile({ Name: 'LibreOffice Writer', Exec: 'libreoffice --writer %U', MimeType: `${DOCX};application/msword;` }) };

async function resolve(mime: string, files: Record<string, string>) {
  const reader = memoryReader({ files, executables: ['/usr/bin/nautilus', '/usr/bin/file-roller', '/usr/bin/libreoffice'] });
  const db = await loadAppDatabase(reader, xdgDirsFromEnv({}, '/home/u'), { tree });
  return resolveViewer(db, tree, mime);
}

describe('office documents, text and containers', () => {
  it('never plans Nautilus, an archive manager or any application/zip handler for a .docx or a .doc', async () => {
    for (const mime of [DOCX, 'application/msword']) {
      const resolution = await resolve(mime, ARCHIVERS);
      assert.equal(resolution.chosen, undefined, `${mime} resolved to ${resolution.chosen?.id ?? ''}`);
      assert.deepEqual(resolution.candidates, []);
      assert.ok(!resolution.lineage.includes('application/zip') && !resolution.lineage.includes('application/x-ole-storage'));
    }
    // An archive itself still opens in its archive manager.
    assert.equal((await resolve('application/zip', ARCHIVERS)).chosen?.id, 'org.gnome.Nautilus.desktop');
  });

  it('with no office suite, the refusal names the package to install, for Debian and Fedora', async () => {
    const resolution = await resolve(DOCX, ARCHIVERS);
    assert.throws(
      () => requireViewer(resolution, { installed: [], retry: (id) => id, install: installFix(DOCX) }),
      (error: unknown) => isNoFearError(error) && error.code === 'NoViewer' && /sudo apt-get install libreoffice-writer \(Fedora: sudo dnf install libreoffice-writer\)/.test(error.fix ?? ''),
    );
  });

  it('with LibreOffice installed, a .docx opens in Writer', async () => {
    assert.equal((await resolve(DOCX, { ...ARCHIVERS, ...WRITER })).chosen?.id, 'libreoffice-writer.desktop');
  });

  it('knows the package of every everyday type (writer, calc, impress, browser, terminal)', () => {
    const packages = Object.fromEntries(EVERYDAY_TYPES.map(({ example, mime }) => [example, packageFor(mime)?.debian]));
    assert.deepEqual(
      [packages['letter.docx'], packages['letter.doc'], packages['letter.odt'], packages['letter.rtf'], packages['sheet.xlsx'], packages['table.csv'], packages['slides.pptx'], packages['slides.odp']],
      ['libreoffice-writer', 'libreoffice-writer', 'libreoffice-writer', 'libreoffice-writer', 'libreoffice-calc', 'libreoffice-calc', 'libreoffice-impress', 'libreoffice-impress'],
    );
    assert.equal(packages['page.html'], 'firefox-esr');
    assert.equal(packageFor('text/html')?.fedora, 'firefox');
    assert.equal(packages['notes.txt'], 'xterm');
    assert.equal(packageFor('application/x-executable'), undefined);
  });

  it('cuts a lineage before the first container format, keeping the type itself', () => {
    assert.deepEqual(viewerLineage([DOCX, 'application/zip']), [DOCX]);
    assert.deepEqual(viewerLineage(['application/zip']), ['application/zip']);
    assert.deepEqual(viewerLineage(['text/html', 'text/plain']), ['text/html', 'text/plain']);
  });

  it('shows text in xterm running less when no graphical viewer exists, and only text', () => {
    const found = (tool: string) => `/usr/bin/${tool}`;
    const viewer = terminalTextViewer(['text/plain'], '/staging/-notes.txt', '-notes.txt', found);
    assert.deepEqual(viewer?.argv, ['/usr/bin/xterm', '-T', '-notes.txt', '-e', '/usr/bin/less', '--', '/staging/-notes.txt']);
    assert.equal(viewer?.id, TERMINAL_VIEWER_ID);
    assert.equal(terminalTextViewer([DOCX], '/staging/a.docx', 'a.docx', found), undefined);
    assert.equal(
      terminalTextViewer(['text/plain'], '/staging/a', 'a', (tool) => (tool === 'xterm' ? undefined : found(tool))),
      undefined,
    );
  });

  it("prepares LibreOffice's profile: no first-start wizard, recovery, Java or update check; the build id when known", () => {
    const xcu = officeProfileXcu('40(Build:2)');
    for (const [prop, value] of [
      ['ooSetupInstCompleted', 'true'],
      ['LastCompatibilityCheckID', '40(Build:2)'],
      ['FirstRun', 'false'],
      ['AutoCheckEnabled', 'false'],
    ]) {
      assert.match(xcu, new RegExp(`oor:name="${prop}" oor:op="fuse"><value>${value!.replace(/[()]/g, '\\$&')}</value>`));
    }
    assert.match(xcu, /Office\.Recovery\/RecoveryInfo"><prop oor:name="Enabled" oor:op="fuse"><value>false/);
    assert.match(xcu, /Office\.Java\/VirtualMachine"><prop oor:name="Enable" oor:op="fuse"><value>false/);
    assert.doesNotMatch(officeProfileXcu(undefined), /LastCompatibilityCheckID/);
    assert.match(officeProfileXcu('a<b'), /a&lt;b/);
  });

  it("answers doctor's what-opens-what: the chosen viewer, else the package to install", () => {
    assert.deepEqual(viewerOrPackage(DOCX, 'libreoffice-writer.desktop'), { kind: 'viewer', id: 'libreoffice-writer.desktop' });
    assert.deepEqual(viewerOrPackage(DOCX, undefined), { kind: 'install', hint: packageFor(DOCX) });
    assert.deepEqual(viewerOrPackage('application/x-executable', undefined), { kind: 'nothing' });
  });
});
