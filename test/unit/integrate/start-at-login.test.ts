// Starting the service at login (src/integrate/start-at-login.ts) in a temporary XDG_CONFIG_HOME: the
// graphical-session.target.wants and default.target.wants links systemd follows, replaced when it points elsewhere, removed only when it is
// NoFear's link (a file the user put there stays), the wants directory kept while other units are in it.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loginLink, startAtLogin, stopStartingAtLogin } from '../../../src/integrate/start-at-login.js';

describe('integrate/start-at-login', () => {
  let home: string;
  let env: { HOME: string; XDG_CONFIG_HOME: string; XDG_DATA_HOME: string };
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'nofear-start-at-login-'));
    env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data') };
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('links the unit from default.target.wants, replacing an older link', async () => {
    const wants = path.join(home, 'config', 'systemd', 'user', 'default.target.wants');
    assert.equal(loginLink(env), path.join(wants, 'nofear.service'));
    assert.equal(await startAtLogin('/old/nofear.service', env), loginLink(env));
    await startAtLogin('/usr/lib/systemd/user/nofear.service', env);
    assert.equal(readlinkSync(loginLink(env)), '/usr/lib/systemd/user/nofear.service');
    assert.equal(existsSync(`${loginLink(env)}.nofear-new`), false);
  });

  it("links it from graphical-session.target.wants as well (integrate install), and removes both targets' links", async () => {
    const graphical = loginLink(env, 'graphical-session.target');
    assert.equal(graphical, path.join(home, 'config', 'systemd', 'user', 'graphical-session.target.wants', 'nofear.service'));
    assert.equal(await startAtLogin('/unit/nofear.service', env, 'graphical-session.target'), graphical);
    await startAtLogin('/unit/nofear.service', env);
    assert.deepEqual([readlinkSync(graphical), readlinkSync(loginLink(env))], ['/unit/nofear.service', '/unit/nofear.service']);
    assert.equal(await stopStartingAtLogin(env), true);
    assert.deepEqual([existsSync(path.dirname(graphical)), existsSync(path.dirname(loginLink(env)))], [false, false]);
  });

  it("removes NoFear's link and the emptied wants directory, and keeps the directory while other units are wanted", async () => {
    await startAtLogin('/unit/nofear.service', env);
    assert.equal(await stopStartingAtLogin(env), true);
    assert.equal(existsSync(path.dirname(loginLink(env))), false);
    await startAtLogin('/unit/nofear.service', env);
    const other = path.join(path.dirname(loginLink(env)), 'other.service');
    writeFileSync(other, '');
    assert.equal(await stopStartingAtLogin(env), true);
    assert.equal(lstatSync(other).isFile(), true);
    assert.equal(existsSync(loginLink(env)), false);
    assert.equal(await stopStartingAtLogin(env), false, 'nothing to remove');
    unlinkSync(other);
  });

  it('leaves a file the user put in place of the link alone', async () => {
    await startAtLogin('/unit/nofear.service', env);
    unlinkSync(loginLink(env));
    writeFileSync(loginLink(env), '[Unit]\nDescription=mine\n');
    assert.equal(await stopStartingAtLogin(env), false);
    assert.equal(readFileSync(loginLink(env), 'utf8'), '[Unit]\nDescription=mine\n');
  });
});
