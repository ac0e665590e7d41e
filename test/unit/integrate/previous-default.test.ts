// The previous default (one function for every native open) and how a native application is started.
import assert from 'node:assert/strict';
import { loadAppDatabase } from '../../../src/desktop/app-database.js';
import { parseMimeTree } from '../../../src/desktop/mime-tree.js';
import { xdgDirsFromEnv } from '../../../src/desktop/xdg-dirs.js';
import { isNoFearError } from '../../../src/errors.js';
import { choosePreviousDefault } from '../../../src/integrate/previous-default.js';
import { nativeArgvs, scopedArgv } from '../../../src/integrate/native-launch.js';
import { desktopFile, memoryReader } from '../desktop/memory-reader.js';

const tree = parseMimeTree([{ subclasses: '', aliases: '', types: 'application/pdf\ntext/plain\n' }]);
const SYS = '/usr/share/applications';
const USER = '/home/u/.local/share/applications';
const FILES: Record<string, string> = {
  [`${SYS}/okular.desktop`]: desktopFile({ Name: 'Okular', Exec: 'okular %U', MimeType: 'application/pdf;' }),
  [`${SYS}/evince.desktop`]: desktopFile({ Name: 'Document Viewer', Exec: 'evince %U', MimeType: 'application/pdf;' }),
  [`${SYS}/vim.desktop`]: desktopFile({ Name: 'Vim', Exec: 'vim %F', Terminal: 'true', MimeType: 'text/plain;' }),
  [`${SYS}/mimeinfo.cache`]: '[MIME Cache]\napplication/pdf=okular.desktop;evince.desktop;\ntext/plain=vim.desktop;\n',
  [`${USER}/org.nofear.NoFear.desktop`]: desktopFile({ Name: 'NoFear', Exec: '/home/u/.local/bin/nofear-open %U', MimeType: 'application/pdf;' }),
  '/home/u/.config/mimeapps.list': '[Default Applications]\napplication/pdf=org.nofear.NoFear.desktop;\n',
};

async function db(extra: Record<string, string> = {}) {
  const reader = memoryReader({ files: { ...FILES, ...extra }, executables: ['/usr/bin/okular', '/usr/bin/evince', '/usr/bin/vim', '/home/u/.local/bin/nofear-open'] });
  return loadAppDatabase(reader, xdgDirsFromEnv({ XDG_CURRENT_DESKTOP: '' }, '/home/u'), { tree });
}

describe('integrate/previous-default', () => {
  it('takes the handler recorded at install first', async () => {
    const app = choosePreviousDefault(await db(), tree, 'application/pdf', { 'application/pdf': 'evince.desktop' });
    assert.equal(app?.id, 'evince.desktop');
    assert.match(app?.origin ?? '', /recorded/);
  });

  it("else the desktop's choice with NoFear left out, even where NoFear is the configured default", async () => {
    const app = choosePreviousDefault(await db(), tree, 'application/pdf', {});
    assert.equal(app?.id, 'okular.desktop');
  });

  it('skips a recorded handler that is no longer installed', async () => {
    assert.equal(choosePreviousDefault(await db(), tree, 'application/pdf', { 'application/pdf': 'gone.desktop' })?.id, 'okular.desktop');
  });

  it('never answers with NoFear itself, even when it is recorded', async () => {
    assert.equal(choosePreviousDefault(await db(), tree, 'application/pdf', { 'application/pdf': 'org.nofear.NoFear.desktop' })?.id, 'okular.desktop');
  });

  it('has none for a type nothing else opens', async () => {
    assert.equal(choosePreviousDefault(await db(), tree, 'image/x-unknown', {}), undefined);
  });

  it('expands Exec for the file without a shell and refuses terminal applications', async () => {
    const okular = choosePreviousDefault(await db(), tree, 'application/pdf', {});
    assert.ok(okular);
    assert.deepEqual(nativeArgvs(okular, ['/home/u/a b;$(x).pdf']), [['okular', '/home/u/a b;$(x).pdf']]);
    const vim = choosePreviousDefault(await db(), tree, 'text/plain', {});
    assert.ok(vim);
    assert.throws(
      () => nativeArgvs(vim, ['/x.txt']),
      (e) => isNoFearError(e) && /terminal/.test(e.message) && e.fix !== undefined,
    );
  });

  it('starts it in a transient user scope where a user manager runs, else as it is', () => {
    assert.deepEqual(scopedArgv(['okular', '/f.pdf'], undefined, 'okular.desktop'), ['okular', '/f.pdf']);
    const scoped = scopedArgv(['okular', '/f.pdf'], '/usr/bin/systemd-run', 'okular.desktop');
    assert.deepEqual(scoped.slice(0, 5), ['/usr/bin/systemd-run', '--user', '--scope', '--collect', '--quiet']);
    assert.match(scoped[5] ?? '', /^--unit=app-nofear-native-okular-\d+-\d+\.scope$/);
    assert.deepEqual(scoped.slice(6), ['--', 'okular', '/f.pdf']);
  });
});
