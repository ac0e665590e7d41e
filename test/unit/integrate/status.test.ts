// `nofearctl integrate status`: the words for each state (not installed, files ok, changed or missing,
// Thunar's action, types NoFear owns or lost to another default) and the record read back from a real
// state folder.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatStatus, integrationStatus, type IntegrationStatus } from '../../../src/integrate/status.js';

const INSTALLED: IntegrationStatus = {
  installed: true,
  installedAt: '2026-12-06T22:00:00Z',
  stateFile: '/home/u/.local/state/nofear/integration.json',
  files: [
    { role: 'desktop-entry', path: '/home/u/.local/share/applications/org.nofear.NoFear.desktop', health: 'ok' },
    { role: 'nemo-action', path: '/home/u/.local/share/nemo/actions/nofear.nemo_action', health: 'changed' },
    { role: 'dbus-service', path: '/home/u/.local/share/dbus-1/services/org.nofear.NoFear.service', health: 'missing' },
  ],
  thunarAction: false,
  types: [
    { type: 'application/pdf', opensWith: 'org.nofear.NoFear.desktop', owned: true, origin: undefined, previous: 'org.gnome.Evince.desktop' },
    { type: 'image/png', opensWith: 'eog.desktop', owned: false, origin: '/etc/xdg/mimeapps.list', previous: undefined },
    { type: 'text/html', opensWith: undefined, owned: false, origin: undefined, previous: undefined },
  ],
  systemFiles: [],
};

describe('integrate status', () => {
  it('says what to run when nothing is installed, after the package files when there are some', () => {
    const none: IntegrationStatus = { ...INSTALLED, installed: false, installedAt: undefined, files: [], thunarAction: undefined, types: [] };
    assert.equal(formatStatus(none), "NoFear's desktop integration is not installed for you.\n  fix: nofearctl integrate install [--risky | --default-for TYPE...]\n");
    const withPackage = formatStatus({ ...none, systemFiles: [{ role: 'desktop-entry', path: '/usr/share/applications/org.nofear.NoFear.desktop', health: 'missing' }] });
    assert.match(withPackage, /^system files \(the nofear package\):\n {2}desktop-entry {2}missing {2}\/usr\/share\/applications\/org\.nofear\.NoFear\.desktop\nNoFear's desktop/);
  });

  it("lists each file's health, Thunar's action, and for each chosen type whether NoFear still owns it and who took it", () => {
    assert.equal(
      formatStatus(INSTALLED),
      [
        'installed 2026-12-06T22:00:00Z (record: /home/u/.local/state/nofear/integration.json)',
        'files:',
        '  desktop-entry  ok       /home/u/.local/share/applications/org.nofear.NoFear.desktop',
        '  nemo-action    changed  /home/u/.local/share/nemo/actions/nofear.nemo_action',
        '  dbus-service   missing  /home/u/.local/share/dbus-1/services/org.nofear.NoFear.service',
        '  thunar         missing  custom action in uca.xml',
        'default for 1 of 3 chosen types:',
        '  application/pdf  NoFear (before: org.gnome.Evince.desktop)',
        '  image/png  NOT NoFear: opens with eog.desktop (set in /etc/xdg/mimeapps.list)',
        '  text/html  NOT NoFear: opens with nothing',
        '',
      ].join('\n'),
    );
  });

  it('leaves out the Thunar line when Thunar was not set up, and says how to choose types when there are none', () => {
    const text = formatStatus({ ...INSTALLED, files: [], thunarAction: undefined, types: [] });
    assert.doesNotMatch(text, /thunar|files:/);
    assert.match(text, /^default for 0 of 0 chosen types \(add some with --risky or --default-for TYPE\)$/m);
  });

  it('reads "not installed" from a state folder with no record', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'nofear-status-'));
    try {
      const status = await integrationStatus({ HOME: home, XDG_STATE_HOME: path.join(home, 'state'), XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config') });
      assert.equal(status.installed, false);
      assert.equal(status.stateFile, path.join(home, 'state', 'nofear', 'integration.json'));
      assert.deepEqual(status.files, []);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
