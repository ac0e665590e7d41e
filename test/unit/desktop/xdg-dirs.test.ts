// XDG base directories and the mimeapps.list search order derived from them.
import assert from 'node:assert/strict';
import { applicationDirs, mimeappsDirs, mimeappsFileNames, mimeDirs, xdgDirsFromEnv } from '../../../src/desktop/xdg-dirs.js';

describe('desktop/xdg-dirs', () => {
  it('uses the spec defaults when variables are unset or empty', () => {
    assert.deepEqual(xdgDirsFromEnv({ XDG_DATA_DIRS: '' }, '/home/u'), {
      configHome: '/home/u/.config',
      configDirs: ['/etc/xdg'],
      dataHome: '/home/u/.local/share',
      dataDirs: ['/usr/local/share', '/usr/share'],
      desktops: [],
    });
  });

  it('ignores relative entries and lowercases desktop names', () => {
    const xdg = xdgDirsFromEnv({ XDG_CONFIG_HOME: 'rel/config', XDG_DATA_DIRS: 'rel:/opt/share:/usr/share', XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' }, '/home/u');
    assert.equal(xdg.configHome, '/home/u/.config');
    assert.deepEqual(xdg.dataDirs, ['/opt/share', '/usr/share']);
    assert.deepEqual(mimeappsFileNames(xdg.desktops), ['ubuntu-mimeapps.list', 'gnome-mimeapps.list', 'mimeapps.list']);
  });

  it('searches config home, config dirs, then the applications dirs, in that order', () => {
    const xdg = xdgDirsFromEnv({ XDG_CONFIG_DIRS: '/etc/xdg/a:/etc/xdg' }, '/home/u');
    assert.deepEqual(mimeappsDirs(xdg), [
      { dir: '/home/u/.config', holdsApplications: false },
      { dir: '/etc/xdg/a', holdsApplications: false },
      { dir: '/etc/xdg', holdsApplications: false },
      { dir: '/home/u/.local/share/applications', holdsApplications: true },
      { dir: '/usr/local/share/applications', holdsApplications: true },
      { dir: '/usr/share/applications', holdsApplications: true },
    ]);
    assert.deepEqual(applicationDirs(xdg)[0], '/home/u/.local/share/applications');
    assert.deepEqual(mimeDirs(xdg), ['/home/u/.local/share/mime', '/usr/local/share/mime', '/usr/share/mime']);
  });
});
