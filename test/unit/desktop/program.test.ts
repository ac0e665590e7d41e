// Whether an entry's program exists inside the guest: found on the guest PATH and under the exported directories.
import assert from 'node:assert/strict';
import { checkProgram, execProgram, findProgram, isUnder, DEFAULT_GUEST_ROOTS } from '../../../src/desktop/program.js';
import { desktopIdFromPath, normaliseDesktopId, parseDesktopEntry } from '../../../src/desktop/desktop-entry.js';
import { memoryReader } from './memory-reader.js';

const probe = memoryReader({
  executables: ['/usr/bin/evince', '/usr/bin/flatpak', '/usr/bin/env', '/home/u/.local/bin/evince', '/home/u/Apps/Tool.AppImage', '/opt/app/bin/app', '/home/u/real-tool', '/snap/bin/okular'],
  symlinks: { '/usr/local/bin/tool': '/home/u/real-tool', '/usr/bin/editor': '/etc/alternatives/editor-gone' },
});
const options = { searchPath: ['/usr/local/bin', '/usr/bin', '/bin'], roots: DEFAULT_GUEST_ROOTS, probe };

async function check(exec: string) {
  const parsed = execProgram(exec);
  assert.ok('program' in parsed, `Exec ${exec} should parse`);
  return checkProgram(parsed.program, options);
}

describe('desktop/program', () => {
  it('finds a bare name on the search path in order', async () => {
    assert.equal(await findProgram('evince', options.searchPath, probe), '/usr/bin/evince');
    assert.equal(await findProgram('evince', ['/home/u/.local/bin', '/usr/bin'], probe), '/home/u/.local/bin/evince');
    assert.equal(await findProgram('./evince', options.searchPath, probe), undefined);
  });

  it('accepts programs under the exported directories', async () => {
    assert.deepEqual(await check('evince %U'), { program: 'evince', found: '/usr/bin/evince', runnable: true, reason: undefined });
    assert.equal((await check('/opt/app/bin/app %f')).runnable, true);
    assert.equal((await check('env GDK_BACKEND=x11 evince %U')).program, 'evince');
  });

  const skipped: Record<string, [string, RegExp]> = {
    'a Flatpak app': ['/usr/bin/flatpak run --branch=stable --arch=x86_64 --command=evince org.gnome.Evince @@u %U @@', /Flatpak/],
    'a snap behind env': ['env BAMF_DESKTOP_FILE_HINT=/var/lib/snapd/desktop/applications/okular.desktop /snap/bin/okular %U', /snap/],
    'an AppImage': ['/home/u/Apps/Tool.AppImage %f', /AppImage/],
    'a program in $HOME': ['/home/u/.local/bin/evince %U', /outside the directories the VM sees/],
    'a symlink that leads into $HOME': ['tool %f', /leads to \/home\/u\/real-tool/],
    'a dangling symlink': ['editor %f', /editor is not on the path/],
    'a missing program': ['nosuchviewer %f', /not on the path/],
  };
  for (const [what, [exec, reason]] of Object.entries(skipped)) {
    it(`skips ${what}, saying why`, async () => {
      const result = await check(exec);
      assert.equal(result.runnable, false);
      assert.match(result.reason ?? '', reason);
    });
  }

  it('reports an unusable Exec instead of a program', () => {
    assert.ok('error' in execProgram('app "unterminated'));
  });

  it('matches roots by path component', () => {
    assert.equal(isUnder('/usr/bin/x', ['/usr']), true);
    assert.equal(isUnder('/usr', ['/usr']), true);
    assert.equal(isUnder('/usrlocal/x', ['/usr']), false);
    assert.equal(isUnder('/usr/../home/x', ['/usr']), false);
  });
});

describe('desktop/desktop-entry', () => {
  it('reads the fields resolution needs, with the localised name', () => {
    const text = [
      '[Desktop Entry]',
      'Type=Application',
      'Name=Document Viewer',
      'Name[de]=Dokumentenbetrachter',
      'Icon=org.gnome.Evince',
      'Exec=evince %U',
      'TryExec=evince',
      'NoDisplay=true',
      'DBusActivatable=true',
      'MimeType=application/pdf;image/tiff; ;',
      '',
      '[Desktop Action new-window]',
      'Name=New Window',
      'Exec=evince --new-window',
    ].join('\n');
    const entry = parseDesktopEntry(text, { id: 'org.gnome.Evince.desktop', path: '/usr/share/applications/org.gnome.Evince.desktop', locale: 'de_DE.UTF-8' });
    assert.deepEqual(entry, {
      id: 'org.gnome.Evince.desktop',
      path: '/usr/share/applications/org.gnome.Evince.desktop',
      type: 'Application',
      name: 'Dokumentenbetrachter',
      icon: 'org.gnome.Evince',
      exec: 'evince %U',
      tryExec: 'evince',
      hidden: false,
      noDisplay: true,
      terminal: false,
      dbusActivatable: true,
      mimeTypes: ['application/pdf', 'image/tiff'],
    });
  });

  it('refuses a file without a [Desktop Entry] group', () => {
    assert.throws(() => parseDesktopEntry('[Other]\nName=x\n', { id: 'x.desktop', path: '/x.desktop' }), /not a desktop entry/);
  });

  it('derives desktop ids from paths below an applications directory', () => {
    assert.equal(desktopIdFromPath('/usr/share/applications', '/usr/share/applications/kde4/okular.desktop'), 'kde4-okular.desktop');
    assert.equal(desktopIdFromPath('/usr/share/applications', '/usr/share/other/x.desktop'), undefined);
    assert.equal(normaliseDesktopId('org.gnome.Evince'), 'org.gnome.Evince.desktop');
  });
});
