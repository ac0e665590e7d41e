// XDG base directories: spec defaults, and relative values ignored as the spec requires.
import assert from 'node:assert/strict';
import { homeDir, xdgCacheHome, xdgConfigDirs, xdgConfigHome, xdgDataDirs, xdgDataHome, xdgRuntimeDir, xdgStateHome } from '../../../src/util/xdg.js';

describe('config/xdg', () => {
  const home = { HOME: '/home/ann' };

  it('falls back to the spec defaults under $HOME', () => {
    assert.equal(xdgConfigHome(home), '/home/ann/.config');
    assert.equal(xdgDataHome(home), '/home/ann/.local/share');
    assert.equal(xdgCacheHome(home), '/home/ann/.cache');
    assert.equal(xdgStateHome(home), '/home/ann/.local/state');
    assert.equal(xdgRuntimeDir(home), undefined);
    assert.deepEqual(xdgDataDirs(home), ['/usr/local/share', '/usr/share']);
    assert.deepEqual(xdgConfigDirs(home), ['/etc/xdg']);
  });

  it('uses absolute values as given', () => {
    const env = {
      ...home,
      XDG_CONFIG_HOME: '/c',
      XDG_DATA_HOME: '/d',
      XDG_CACHE_HOME: '/k',
      XDG_STATE_HOME: '/s',
      XDG_RUNTIME_DIR: '/run/user/7',
      XDG_DATA_DIRS: '/opt/share:/usr/share',
      XDG_CONFIG_DIRS: '/etc/xdg/a:/etc/xdg',
    };
    assert.equal(xdgConfigHome(env), '/c');
    assert.equal(xdgDataHome(env), '/d');
    assert.equal(xdgCacheHome(env), '/k');
    assert.equal(xdgStateHome(env), '/s');
    assert.equal(xdgRuntimeDir(env), '/run/user/7');
    assert.deepEqual(xdgDataDirs(env), ['/opt/share', '/usr/share']);
    assert.deepEqual(xdgConfigDirs(env), ['/etc/xdg/a', '/etc/xdg']);
  });

  it('ignores relative and empty values', () => {
    const env = { ...home, XDG_CONFIG_HOME: 'rel/config', XDG_CACHE_HOME: '', XDG_RUNTIME_DIR: 'run', XDG_DATA_DIRS: 'a:/x::b' };
    assert.equal(xdgConfigHome(env), '/home/ann/.config');
    assert.equal(xdgCacheHome(env), '/home/ann/.cache');
    assert.equal(xdgRuntimeDir(env), undefined);
    assert.deepEqual(xdgDataDirs(env), ['/x']);
    assert.deepEqual(xdgConfigDirs({ ...home, XDG_CONFIG_DIRS: 'only/relative' }), ['/etc/xdg']);
  });

  it('does not read process.env when given an env', () => {
    const saved = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = '/should/not/leak';
    try {
      assert.equal(xdgConfigHome(home), '/home/ann/.config');
    } finally {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved;
    }
  });

  it('ignores a relative HOME in favour of the passwd entry', () => {
    assert.ok(homeDir({ HOME: 'relative' }).startsWith('/'));
    assert.notEqual(homeDir({ HOME: 'relative' }), 'relative');
  });
});
