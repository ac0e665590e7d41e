// A system-wide install's record (src/integrate/system.ts), read from real files: the record the package
// writes names every shipped file under the prefix; a checkout without one, or a record of the wrong shape,
// is a per-user install; files the record names but that are gone are reported.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { missingSystemFiles, readSystemInstall, SYSTEM_INSTALL_RECORD, SYSTEM_TARGETS, systemInstallRecord } from '../../../src/integrate/system.js';

describe('integrate/system: the record of a system-wide install', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'nofear-system-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the /usr launchers and every shipped file under the prefix', () => {
    const record = systemInstallRecord('/usr');
    assert.deepEqual(record.launchers, { nofearOpen: '/usr/bin/nofear-open', nofearctl: '/usr/bin/nofearctl' });
    assert.equal(record.files['dbus-service'], '/usr/share/dbus-1/services/org.nofear.NoFear.service');
    assert.deepEqual(Object.keys(record.files).sort(), Object.keys(SYSTEM_TARGETS).sort());
  });

  it('reads a record beside the program; none, or one of the wrong shape, means a per-user install', async () => {
    assert.equal(await readSystemInstall(dir), undefined);
    writeFileSync(path.join(dir, SYSTEM_INSTALL_RECORD), JSON.stringify({ launchers: { nofearOpen: '/usr/bin/nofear-open' }, files: {} }));
    assert.equal(await readSystemInstall(dir), undefined);
    const record = systemInstallRecord(path.join(dir, 'usr'));
    writeFileSync(path.join(dir, SYSTEM_INSTALL_RECORD), JSON.stringify(record));
    assert.deepEqual(await readSystemInstall(dir), record);
  });

  it('reports the files the record names that are not there', async () => {
    const record = systemInstallRecord(path.join(dir, 'usr'));
    const present = record.files['desktop-entry'] ?? '';
    mkdirSync(path.dirname(present), { recursive: true });
    writeFileSync(present, '[Desktop Entry]\n');
    const missing = await missingSystemFiles(record);
    assert.equal(missing.length, Object.keys(SYSTEM_TARGETS).length - 1);
    assert.ok(!missing.includes(present));
    assert.ok(missing.includes(record.files.icon ?? ''));
  });
});
