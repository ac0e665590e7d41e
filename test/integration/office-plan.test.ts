// Planning an open of office documents and text, through nofear-open --dry-run (no VM): with LibreOffice's
// desktop files hidden (a test XDG_DATA_DIRS) a .docx is refused with the package to install, never handed to
// Nautilus or an archive manager; with them, it plans LibreOffice Writer; text with no editor plans xterm.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeTestEnv, runCli, type TestEnv } from '../helpers/cli.js';
import { makeOfficeDocument } from '../helpers/office-docs.js';

describe('planning office documents and text (nofear-open --dry-run, real LibreOffice for the input)', function () {
  let t: TestEnv;
  let dir: string;
  let docx: string;
  /** A data dir with the MIME database, Nautilus's real entry and an archive manager, and no LibreOffice. */
  let hidden: string;
  before(async () => {
    t = makeTestEnv();
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-office-plan-'));
    docx = (await makeOfficeDocument(dir, 'docx')).file;
    hidden = path.join(dir, 'share');
    mkdirSync(path.join(hidden, 'applications'), { recursive: true });
    symlinkSync('/usr/share/mime', path.join(hidden, 'mime'));
    copyFileSync('/usr/share/applications/org.gnome.Nautilus.desktop', path.join(hidden, 'applications', 'org.gnome.Nautilus.desktop'));
    writeFileSync(
      path.join(hidden, 'applications', 'archive-manager.desktop'),
      '[Desktop Entry]\nType=Application\nName=Archive Manager\nExec=/usr/bin/nautilus %U\nMimeType=application/zip;application/x-ole-storage;\n',
    );
    await execa('update-desktop-database', [path.join(hidden, 'applications')]);
  });
  after(() => {
    t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without an office suite, a .docx fails with the package name and never plans Nautilus, an archive manager or a zip handler', async () => {
    const result = await runCli('nofear-open', ['--dry-run', '-v', docx], t, { env: { XDG_DATA_DIRS: hidden } });
    assert.equal(result.exitCode, 125, result.stderr);
    assert.match(result.stderr, /sudo apt-get install libreoffice-writer \(Fedora: sudo dnf install libreoffice-writer\)/);
    assert.doesNotMatch(result.stderr + result.stdout.toString(), /Nautilus|archive-manager|application\/zip/);
    assert.equal(result.stdout.toString(), '');
  });

  it('with LibreOffice installed, a .docx plans LibreOffice Writer on the staged copy', async () => {
    const result = await runCli('nofear-open', ['--dry-run', docx], t);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout.toString(), /^mime: application\/vnd\.openxmlformats-officedocument\.wordprocessingml\.document$/m);
    assert.match(result.stdout.toString(), /^viewer: libreoffice-writer\.desktop$/m);
    assert.match(result.stdout.toString(), /^argv: \[.*"\/staging\/letter\.docx"\]$/m);
  });

  it('a .txt with no graphical text editor plans xterm running less in the VM', async () => {
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'plain words\n');
    const result = await runCli('nofear-open', ['--dry-run', text], t, { env: { XDG_DATA_DIRS: hidden } });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout.toString(), /^viewer: nofear:xterm-less$/m);
    assert.match(result.stdout.toString(), /^argv: \["\/usr\/bin\/xterm","-T","notes\.txt","-e","\/usr\/bin\/less","--","\/staging\/notes\.txt"\]$/m);
  });
});
