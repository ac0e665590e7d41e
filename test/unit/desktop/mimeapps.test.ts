// Viewer resolution per the MIME Applications spec, over in-memory fixtures (and once over a real temp dir).
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadAppDatabase } from '../../../src/desktop/app-database.js';
import { nodeFileReader } from '../../../src/desktop/file-reader.js';
import { parseMimeTree } from '../../../src/desktop/mime-tree.js';
import { listViewers, requireViewer, resolveViewer, type ResolveOptions } from '../../../src/desktop/mimeapps.js';
import { xdgDirsFromEnv } from '../../../src/desktop/xdg-dirs.js';
import { isNoFearError } from '../../../src/errors.js';
import { desktopFile, memoryReader } from './memory-reader.js';

const tree = parseMimeTree([
  {
    subclasses: 'text/x-python text/plain\napplication/x-compressed-tar application/gzip\n',
    aliases: 'application/x-pdf application/pdf\n',
    types: 'application/pdf\ntext/plain\ntext/x-python\n',
  },
]);

const SYS = '/usr/share/applications';
const LOCAL = '/usr/local/share/applications';
const USER = '/home/u/.local/share/applications';
const CONFIG = '/home/u/.config';

const BASE: Record<string, string> = {
  [`${SYS}/okular.desktop`]: desktopFile({ Name: 'Okular', Icon: 'okular', Exec: 'okular %U', MimeType: 'application/pdf;' }),
  [`${SYS}/evince.desktop`]: desktopFile({ Name: 'Document Viewer', 'Name[de]': 'Dokumentenbetrachter', Icon: 'evince', Exec: 'evince %U', MimeType: 'application/pdf;' }),
  [`${SYS}/mupdf.desktop`]: desktopFile({ Name: 'MuPDF', Exec: 'mupdf %f', NoDisplay: 'true', MimeType: 'application/pdf;' }),
  [`${SYS}/gedit.desktop`]: desktopFile({ Name: 'Text Editor', Exec: 'gedit %U', MimeType: 'text/plain;' }),
  [`${SYS}/vim.desktop`]: desktopFile({ Name: 'Vim', Exec: 'vim %F', Terminal: 'true', MimeType: 'text/plain;' }),
  [`${SYS}/pyedit.desktop`]: desktopFile({ Name: 'PyEdit', Exec: 'pyedit %f', MimeType: 'text/x-python;' }),
  [`${SYS}/mimeinfo.cache`]: '[MIME Cache]\napplication/pdf=okular.desktop;evince.desktop;mupdf.desktop;\ntext/plain=gedit.desktop;vim.desktop;\ntext/x-python=pyedit.desktop;\n',
  [`${USER}/org.nofear.NoFear.desktop`]: desktopFile({ Name: 'Open in NoFear', Exec: '/home/u/.local/bin/nofear-open %U', MimeType: 'application/pdf;text/plain;' }),
  [`${LOCAL}/org.gnome.Evince.desktop`]: desktopFile({ Name: 'Evince (Flatpak)', Exec: '/usr/bin/flatpak run org.gnome.Evince @@u %U @@', MimeType: 'text/html;' }),
};
const EXECUTABLES = ['okular', 'evince', 'mupdf', 'gedit', 'vim', 'pyedit', 'flatpak'].map((name) => `/usr/bin/${name}`);

async function resolve(mime: string, extra: Record<string, string> = {}, options: ResolveOptions & { desktop?: string; locale?: string } = {}) {
  const reader = memoryReader({ files: { ...BASE, ...extra }, executables: [...EXECUTABLES, '/home/u/.local/bin/nofear-open'] });
  const xdg = xdgDirsFromEnv({ XDG_CURRENT_DESKTOP: options.desktop ?? '' }, '/home/u');
  const db = await loadAppDatabase(reader, xdg, { tree, locale: options.locale });
  return { db, resolution: resolveViewer(db, tree, mime, options) };
}

const others = (ids: string[]) => ids.filter((id) => !id.startsWith('org.nofear.'));

async function chosen(mime: string, extra: Record<string, string> = {}, options: ResolveOptions & { desktop?: string } = {}) {
  return (await resolve(mime, extra, options)).resolution.chosen?.id;
}

const list = (groups: Record<string, Record<string, string>>) =>
  Object.entries(groups)
    .map(([group, keys]) => [`[${group}]`, ...Object.entries(keys).map(([k, v]) => `${k}=${v}`), ''].join('\n'))
    .join('\n');

describe('desktop/mimeapps', () => {
  describe('associations', () => {
    it('follows mimeinfo.cache order when nothing else is configured', async () => {
      const { resolution } = await resolve('application/pdf');
      // NoFear's own entry in ~/.local/share/applications comes first (a higher directory) and is skipped.
      assert.deepEqual(
        resolution.candidates.map((c) => c.id),
        ['org.nofear.NoFear.desktop', 'okular.desktop', 'evince.desktop', 'mupdf.desktop'],
      );
      assert.equal(resolution.chosen?.id, 'okular.desktop');
      assert.equal(resolution.chosen?.source, 'installed');
    });

    it('reads MimeType= in a directory that has no mimeinfo.cache', async () => {
      const extra = { [`${LOCAL}/zathura.desktop`]: desktopFile({ Name: 'Zathura', Exec: 'mupdf %f', MimeType: 'application/pdf;' }) };
      assert.equal(await chosen('application/pdf', extra), 'zathura.desktop');
    });

    it('puts Added Associations before installed entries', async () => {
      const extra = { [`${CONFIG}/mimeapps.list`]: list({ 'Added Associations': { 'application/pdf': 'evince.desktop;' } }) };
      const { resolution } = await resolve('application/pdf', extra);
      const order = resolution.candidates.filter((c) => others([c.id]).length > 0).map((c) => [c.id, c.source]);
      assert.deepEqual(order.slice(0, 2), [
        ['evince.desktop', 'added'],
        ['okular.desktop', 'installed'],
      ]);
    });

    it('drops an app removed in a higher-precedence file', async () => {
      const extra = { [`${CONFIG}/mimeapps.list`]: list({ 'Removed Associations': { 'application/pdf': 'okular.desktop;' } }) };
      const { resolution } = await resolve('application/pdf', extra);
      assert.deepEqual(others(resolution.candidates.map((c) => c.id)), ['evince.desktop', 'mupdf.desktop']);
    });

    it('keeps an app added above a file that removes it', async () => {
      const extra = {
        [`${CONFIG}/mimeapps.list`]: list({ 'Added Associations': { 'application/pdf': 'mupdf.desktop;' } }),
        ['/etc/xdg/mimeapps.list']: list({ 'Removed Associations': { 'application/pdf': 'mupdf.desktop;' } }),
      };
      assert.equal(await chosen('application/pdf', extra), 'mupdf.desktop');
    });

    it('lets a user entry with the same id mask the system one', async () => {
      const extra = { [`${USER}/okular.desktop`]: desktopFile({ Name: 'Okular', Exec: 'okular %U', MimeType: 'image/png;' }) };
      assert.equal(await chosen('application/pdf', extra), 'evince.desktop');
    });
  });

  describe('defaults', () => {
    it("prefers a default over associations, and the user's over the system's", async () => {
      const system = { [`${SYS}/mimeapps.list`]: list({ 'Default Applications': { 'application/pdf': 'evince.desktop' } }) };
      assert.equal(await chosen('application/pdf', system), 'evince.desktop');
      const user = { ...system, [`${CONFIG}/mimeapps.list`]: list({ 'Default Applications': { 'application/pdf': 'mupdf.desktop;' } }) };
      assert.equal(await chosen('application/pdf', user), 'mupdf.desktop', 'NoDisplay entries still serve as defaults');
    });

    it('takes the first installed entry of a default list', async () => {
      const extra = { [`${CONFIG}/mimeapps.list`]: list({ 'Default Applications': { 'application/pdf': 'gone.desktop;evince.desktop;' } }) };
      const { resolution } = await resolve('application/pdf', extra);
      assert.equal(resolution.chosen?.id, 'evince.desktop');
      assert.match(resolution.candidates[0]?.reason ?? '', /not installed/);
    });

    it('reads the desktop-specific list first, for each XDG_CURRENT_DESKTOP name, and only its defaults', async () => {
      const extra = {
        [`${CONFIG}/gnome-mimeapps.list`]: list({ 'Default Applications': { 'application/pdf': 'evince.desktop' }, 'Added Associations': { 'application/pdf': 'gedit.desktop' } }),
        [`${CONFIG}/mimeapps.list`]: list({ 'Default Applications': { 'application/pdf': 'mupdf.desktop' } }),
      };
      assert.equal(await chosen('application/pdf', extra, { desktop: 'ubuntu:GNOME' }), 'evince.desktop');
      assert.equal(await chosen('application/pdf', extra, { desktop: 'KDE' }), 'mupdf.desktop');
      const { resolution } = await resolve('application/pdf', extra, { desktop: 'GNOME' });
      assert.ok(!resolution.candidates.some((c) => c.id === 'gedit.desktop'), 'Added Associations in a desktop-specific file are ignored');
    });

    it('reads the deprecated defaults.list after mimeapps.list, for defaults only', async () => {
      const legacy = { [`${SYS}/defaults.list`]: list({ 'Default Applications': { 'application/pdf': 'evince.desktop' }, 'Added Associations': { 'text/plain': 'mupdf.desktop' } }) };
      assert.equal(await chosen('application/pdf', legacy), 'evince.desktop');
      assert.notEqual(await chosen('text/plain', legacy), 'mupdf.desktop');
      const both = { ...legacy, [`${SYS}/mimeapps.list`]: list({ 'Default Applications': { 'application/pdf': 'mupdf.desktop' } }) };
      assert.equal(await chosen('application/pdf', both), 'mupdf.desktop');
    });

    it('uses a default even when it is in Removed Associations, as GLib does', async () => {
      const extra = { [`${CONFIG}/mimeapps.list`]: list({ 'Default Applications': { 'application/pdf': 'mupdf.desktop' }, 'Removed Associations': { 'application/pdf': 'mupdf.desktop' } }) };
      assert.equal(await chosen('application/pdf', extra), 'mupdf.desktop');
    });

    it('reads keys written as an alias', async () => {
      const extra = { [`${CONFIG}/mimeapps.list`]: list({ 'Default Applications': { 'application/x-pdf': 'evince.desktop' } }) };
      assert.equal(await chosen('application/pdf', extra), 'evince.desktop');
      assert.equal((await resolve('application/x-pdf', extra)).resolution.mime, 'application/pdf');
    });
  });

  describe('entries that cannot serve', () => {
    it('skips a Hidden entry, which deletes the id', async () => {
      const extra = {
        [`${USER}/okular.desktop`]: desktopFile({ Name: 'Okular', Exec: 'okular %U', Hidden: 'true' }),
        [`${CONFIG}/mimeapps.list`]: list({ 'Default Applications': { 'application/pdf': 'okular.desktop' } }),
      };
      const { resolution } = await resolve('application/pdf', extra);
      assert.equal(resolution.chosen?.id, 'evince.desktop');
      assert.match(resolution.candidates[0]?.reason ?? '', /Hidden=true/);
    });

    it('skips an entry whose TryExec is missing', async () => {
      const extra = { [`${SYS}/okular.desktop`]: desktopFile({ Name: 'Okular', Exec: 'okular %U', TryExec: 'okular-kf6', MimeType: 'application/pdf;' }) };
      const { resolution } = await resolve('application/pdf', extra);
      assert.equal(resolution.chosen?.id, 'evince.desktop');
      assert.match(resolution.candidates.find((c) => c.id === 'okular.desktop')?.reason ?? '', /TryExec program okular-kf6/);
    });

    it('skips a Flatpak default and terminal programs, saying why', async () => {
      const extra = { [`${CONFIG}/mimeapps.list`]: list({ 'Default Applications': { 'text/plain': 'org.gnome.Evince.desktop;vim.desktop' } }) };
      const { resolution } = await resolve('text/plain', extra);
      assert.equal(resolution.chosen?.id, 'gedit.desktop');
      assert.match(resolution.candidates[0]?.reason ?? '', /Flatpak/);
      assert.match(resolution.candidates[1]?.reason ?? '', /terminal/);
      assert.equal(await chosen('text/plain', extra, { allowTerminal: true }), 'vim.desktop');
    });
  });

  describe('subclasses', () => {
    it('falls back to the parent type', async () => {
      const extra = {
        [`${SYS}/pyedit.desktop`]: desktopFile({ Name: 'PyEdit', Exec: 'pyedit %f' }),
        [`${SYS}/mimeinfo.cache`]: '[MIME Cache]\ntext/plain=gedit.desktop;vim.desktop;\n',
      };
      const { resolution } = await resolve('text/x-python', extra);
      assert.deepEqual(resolution.lineage, ['text/x-python', 'text/plain']);
      assert.equal(resolution.chosen?.id, 'gedit.desktop');
      assert.equal(resolution.chosen?.mime, 'text/plain');
    });

    it('prefers a handler of the exact type over a default for the parent', async () => {
      const extra = { [`${CONFIG}/mimeapps.list`]: list({ 'Default Applications': { 'text/plain': 'gedit.desktop' } }) };
      assert.equal(await chosen('text/x-python', extra), 'pyedit.desktop');
    });
  });

  describe('NoFear itself', () => {
    const nofearDefault = { [`${CONFIG}/mimeapps.list`]: list({ 'Default Applications': { 'application/pdf': 'org.nofear.NoFear.desktop;' } }) };

    it('never chooses its own entry', async () => {
      const { resolution } = await resolve('application/pdf', nofearDefault);
      assert.equal(resolution.candidates[0]?.id, 'org.nofear.NoFear.desktop');
      assert.match(resolution.candidates[0]?.reason ?? '', /NoFear's own/);
      assert.equal(resolution.chosen?.id, 'okular.desktop');
    });

    it('puts the default recorded at install first', async () => {
      const { resolution } = await resolve('application/pdf', nofearDefault, { previousDefaults: { 'application/pdf': 'evince.desktop' } });
      assert.equal(resolution.chosen?.id, 'evince.desktop');
      assert.equal(resolution.chosen?.source, 'previous-default');
    });

    it('applies a recorded default to its own type only', async () => {
      assert.equal(await chosen('text/x-python', {}, { previousDefaults: { 'text/plain': 'vim.desktop' } }), 'pyedit.desktop');
    });
  });

  describe('--with and failures', () => {
    it('uses the override alone, even when it is not associated', async () => {
      const { resolution } = await resolve('application/pdf', {}, { override: 'gedit' });
      assert.deepEqual(
        resolution.candidates.map((c) => c.id),
        ['gedit.desktop'],
      );
      assert.equal(requireViewer(resolution).id, 'gedit.desktop');
    });

    it('names a missing override as NotFound and an unusable one as NoViewer', async () => {
      const missing = (await resolve('application/pdf', {}, { override: 'nosuch.desktop' })).resolution;
      assert.throws(
        () => requireViewer(missing),
        (e: unknown) => isNoFearError(e) && e.code === 'NotFound' && /nosuch\.desktop/.test(e.message),
      );
      const flatpak = (await resolve('application/pdf', {}, { override: 'org.gnome.Evince.desktop' })).resolution;
      assert.throws(
        () => requireViewer(flatpak),
        (e: unknown) => isNoFearError(e) && e.code === 'NoViewer' && /Flatpak/.test(e.message),
      );
    });

    it('says which type has no viewer, and suggests no application that is not installed', async () => {
      const { resolution } = await resolve('application/x-unknown');
      assert.throws(
        () => requireViewer(resolution, { installed: [], retry: (id) => `nofear-open --with ${id} f` }),
        (e: unknown) =>
          isNoFearError(e) &&
          e.code === 'NoViewer' &&
          e.message.includes('application/x-unknown') &&
          !(e.fix ?? '').includes('--with') &&
          /install a graphical application that opens application\/x-unknown/.test(e.fix ?? ''),
      );
    });

    it('lists the installed viewers for the type when --with names a missing or unusable one, and retries with the first', async () => {
      const installed = [
        { id: 'okular.desktop', name: 'Okular', icon: 'okular' },
        { id: 'evince.desktop', name: 'Document Viewer', icon: 'evince' },
      ];
      const alternatives = { installed, retry: (id: string) => `nofear-open --with ${id} /tmp/a.pdf` };
      const missing = (await resolve('application/pdf', {}, { override: 'nosuch.desktop' })).resolution;
      assert.throws(
        () => requireViewer(missing, alternatives),
        (e: unknown) =>
          isNoFearError(e) &&
          e.code === 'NotFound' &&
          e.message.includes('Installed for application/pdf: okular.desktop (Okular), evince.desktop (Document Viewer).') &&
          e.fix === 'nofear-open --with okular.desktop /tmp/a.pdf',
      );
      const flatpak = (await resolve('application/pdf', {}, { override: 'org.gnome.Evince.desktop' })).resolution;
      assert.throws(
        () => requireViewer(flatpak, alternatives),
        (e: unknown) =>
          isNoFearError(e) && e.code === 'NoViewer' && /^org\.gnome\.Evince\.desktop cannot open it in the VM: .*Flatpak/.test(e.message) && e.fix === 'nofear-open --with okular.desktop /tmp/a.pdf',
      );
    });
  });

  it('lists viewers for "Open with": usable, visible, named in the locale', async () => {
    const reader = memoryReader({ files: BASE, executables: EXECUTABLES });
    const db = await loadAppDatabase(reader, xdgDirsFromEnv({}, '/home/u'), { tree, locale: 'de_DE.UTF-8' });
    assert.deepEqual(listViewers(db, tree, 'application/pdf'), [
      { id: 'okular.desktop', name: 'Okular', icon: 'okular' },
      { id: 'evince.desktop', name: 'Dokumentenbetrachter', icon: 'evince' },
    ]);
  });

  it('reads a real directory tree through the filesystem adapter', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'nofear-mimeapps-'));
    try {
      await mkdir(path.join(root, 'data/applications/sub'), { recursive: true });
      await mkdir(path.join(root, 'config'), { recursive: true });
      await writeFile(path.join(root, 'data/applications/sub/pager.desktop'), desktopFile({ Name: 'Pager', Exec: 'cat %f', MimeType: 'text/plain;' }));
      await writeFile(path.join(root, 'data/applications/home.desktop'), desktopFile({ Name: 'Home', Exec: `${root}/bin/x %f`, MimeType: 'text/plain;' }));
      await writeFile(path.join(root, 'config/mimeapps.list'), list({ 'Default Applications': { 'text/plain': 'home.desktop;sub-pager.desktop;' } }));
      const xdg = xdgDirsFromEnv(
        { XDG_CONFIG_HOME: path.join(root, 'config'), XDG_CONFIG_DIRS: path.join(root, 'none'), XDG_DATA_HOME: path.join(root, 'data'), XDG_DATA_DIRS: path.join(root, 'none') },
        root,
      );
      const db = await loadAppDatabase(nodeFileReader, xdg, { tree });
      const resolution = resolveViewer(db, tree, 'text/plain');
      assert.equal(resolution.chosen?.id, 'sub-pager.desktop');
      assert.equal(resolution.candidates[0]?.id, 'home.desktop');
      assert.equal(resolution.candidates[0]?.usable, false);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
