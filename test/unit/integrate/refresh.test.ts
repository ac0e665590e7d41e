// Telling the desktop about installed files (src/integrate/refresh.ts) with the real update-desktop-database
// on a temporary applications dir (systemctl swapped for /bin/true: this test must not reload the real
// user manager): the cache written, a warning with its fix when the tool fails or cannot run, and the
// bus reload asked and its failure ignored.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { refreshDesktop } from '../../../src/integrate/refresh.js';

describe('integrate/refresh: refreshDesktop', () => {
  let home: string;
  let apps: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'nofear-refresh-'));
    apps = path.join(home, 'applications');
    mkdirSync(apps);
    writeFileSync(path.join(apps, 'nofear-open.desktop'), '[Desktop Entry]\nType=Application\nName=Open safely\nExec=nofear-open %f\nMimeType=application/pdf;\n');
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));
  const env = (extra: Record<string, string> = {}) => ({ HOME: home, PATH: '/usr/bin:/bin', NOFEAR_SYSTEMCTL: '/bin/true', ...extra });

  it("writes the applications dir's mimeinfo.cache and asks the bus to reload", async () => {
    let reloads = 0;
    const report = await refreshDesktop(apps, env(), async () => void reloads++);
    assert.deepEqual(report.warnings, []);
    assert.match(readFileSync(path.join(apps, 'mimeinfo.cache'), 'utf8'), /application\/pdf=nofear-open\.desktop;/);
    assert.equal(reloads, 1);
  });

  it('warns with the fix when the cache cannot be written, and ignores a bus that cannot reload', async () => {
    const failed = await refreshDesktop(apps, env({ NOFEAR_UPDATE_DESKTOP_DATABASE: '/bin/false' }), async () => {
      throw new Error('no bus');
    });
    assert.equal(failed.warnings.length, 1);
    assert.match(failed.warnings[0] ?? '', /^could not refresh .*applications\/mimeinfo\.cache \(\/bin\/false exited with 1\): .* Fix: install desktop-file-utils, then run update-desktop-database /);
    const missing = await refreshDesktop(apps, env({ NOFEAR_UPDATE_DESKTOP_DATABASE: '/nonexistent/update-desktop-database' }));
    assert.match(missing.warnings[0] ?? '', /\(\/nonexistent\/update-desktop-database could not run\)/);
    assert.equal(existsSync(path.join(apps, 'mimeinfo.cache')), false);
  });
});
