// `nofearctl integrate install` and `uninstall` (src/integrate/install.ts, uninstall.ts, defaults.ts) on a
// temporary home: real files, the real update-desktop-database and the system's shared-mime-info. The one
// stand-in: NOFEAR_SYSTEMCTL=/bin/true, as no systemd user manager runs for the test here.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isNoFearError } from '../../../src/errors.js';
import { effectiveDefault, loadDesktopView, normaliseType } from '../../../src/integrate/defaults.js';
import { install } from '../../../src/integrate/install.js';
import { uninstall } from '../../../src/integrate/uninstall.js';

const VIEWER = '[Desktop Entry]\nType=Application\nName=Test Viewer\nExec=/bin/true %f\nMimeType=application/pdf;\n';
const USER_LIST = "# the user's own list\n[Default Applications]\napplication/pdf=test-viewer.desktop\n";

describe('integrate: install, uninstall and the effective default', function () {
  this.timeout(30_000); // update-desktop-database runs twice; slow only on a busy machine
  let dir: string;
  let env: Record<string, string>;
  const at = (...parts: string[]) => path.join(dir, ...parts);

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-install-'));
    env = {
      HOME: at('home'),
      PATH: '/usr/bin:/bin',
      XDG_DATA_HOME: at('home', 'data'),
      XDG_CONFIG_HOME: at('home', 'config'),
      XDG_STATE_HOME: at('home', 'state'),
      XDG_DATA_DIRS: `${at('system')}:/usr/share`,
      XDG_CONFIG_DIRS: at('etc-xdg'),
      NOFEAR_BIN_DIR: at('bin'),
      NOFEAR_SYSTEMCTL: '/bin/true',
    };
    mkdirSync(at('bin'), { recursive: true });
    for (const name of ['nofear-open', 'nofearctl']) {
      writeFileSync(at('bin', name), '#!/bin/sh\n');
      chmodSync(at('bin', name), 0o755);
    }
    mkdirSync(at('system', 'applications'), { recursive: true });
    writeFileSync(at('system', 'applications', 'test-viewer.desktop'), VIEWER);
    mkdirSync(at('home', 'config'), { recursive: true });
    writeFileSync(at('home', 'config', 'mimeapps.list'), USER_LIST);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the default the desktop uses, NoFear counted or not, and names a type by its canonical name', async () => {
    const view = await loadDesktopView(env);
    assert.deepEqual(effectiveDefault(view, 'application/pdf', { includeNoFear: true }), { id: 'test-viewer.desktop', origin: at('home', 'config', 'mimeapps.list') });
    assert.equal(effectiveDefault(view, 'application/x-nofear-unknown', { includeNoFear: true }), undefined);
    assert.deepEqual(normaliseType(view.tree, ' application/x-pdf '), { type: 'application/pdf', known: true });
    assert.deepEqual(normaliseType(view.tree, 'application/vnd.ms-excel.sheet.macroEnabled.12'), { type: 'application/vnd.ms-excel.sheet.macroEnabled.12', known: true });
    assert.equal(normaliseType(view.tree, 'application/x-nofear-unknown').known, false);
  });

  it('installs the files naming the launchers, makes NoFear the default, remembers the one it replaced; uninstall restores the list byte for byte', async () => {
    const report = await install({ types: ['application/x-pdf'] }, env);
    assert.deepEqual(report.added, ['application/pdf']);
    assert.deepEqual(report.warnings, []);
    assert.equal(report.system, false);
    assert.deepEqual(report.state.previousDefaults, { 'application/pdf': 'test-viewer.desktop' });
    const after = await loadDesktopView(env);
    assert.equal(effectiveDefault(after, 'application/pdf', { includeNoFear: true })?.id, 'org.nofear.NoFear.desktop');
    assert.equal(effectiveDefault(after, 'application/pdf', { includeNoFear: false })?.id, 'test-viewer.desktop');
    const service = report.state.files.find((file) => file.role === 'dbus-service');
    assert.ok(service && readFileSync(service.path, 'utf8').includes(at('bin', 'nofearctl')));
    assert.ok(existsSync(at('home', 'data', 'applications', 'mimeinfo.cache')));
    assert.ok(existsSync(at('home', 'state', 'nofear', 'integration.json')));
    assert.equal(report.unit, report.state.files.find((file) => file.role === 'systemd-unit')?.path);

    writeFileSync(service.path, readFileSync(service.path, 'utf8') + '# changed by hand\n');
    const removal = await uninstall(env);
    assert.deepEqual(removal.changed, [service.path]);
    assert.equal(removal.removed.length, report.state.files.length);
    assert.equal(removal.mimeapps, 'restored');
    assert.equal(readFileSync(at('home', 'config', 'mimeapps.list'), 'utf8'), USER_LIST);
    for (const file of report.state.files) assert.equal(existsSync(file.path), false, file.path);
    assert.equal(existsSync(at('home', 'data')), false, 'the directories install created are gone with the empty cache');
    assert.equal(existsSync(at('home', 'state', 'nofear', 'integration.json')), false);
    assert.equal((await uninstall(env)).state, undefined, 'a second uninstall finds nothing to do');
  });

  it('warns when a desktop-specific list still overrides NoFear, and says which file', async () => {
    env.XDG_CURRENT_DESKTOP = 'GNOME';
    writeFileSync(at('home', 'config', 'gnome-mimeapps.list'), USER_LIST);
    const report = await install({ types: ['application/pdf'] }, env);
    assert.equal(report.warnings.length, 1, report.warnings.join('\n'));
    assert.match(report.warnings[0] ?? '', /application\/pdf still opens with test-viewer\.desktop: .*gnome-mimeapps\.list takes precedence.*Fix: remove application\/pdf from/);
  });

  it('refuses a name that is no MIME type before writing anything, and warns of a type shared-mime-info does not know', async () => {
    await assert.rejects(install({ types: ['pdf'] }, env), (error: unknown) => isNoFearError(error) && error.code === 'InvalidArgument' && /"pdf" is not a MIME type/.test(error.message));
    assert.equal(existsSync(at('home', 'state')), false);
    assert.equal(readFileSync(at('home', 'config', 'mimeapps.list'), 'utf8'), USER_LIST);
    const report = await install({ types: ['application/x-nofear-made-up', 'x-scheme-handler/nofeartest'] }, env);
    assert.deepEqual(report.warnings, ['application/x-nofear-made-up is not in the shared-mime-info database; NoFear is its default anyway, but no file may ever have that type.']);
  });
});
