// integration.json: written and read back as it was; a missing record is "not installed", a damaged one a
// named error with the fix; and the open path's previous defaults survive a damaged record (none) and
// keep only string values. Real files.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isNoFearError } from '../../../src/errors.js';
import { previousDefaults, readState, removeState, sha256Hex, writeState, type IntegrationState } from '../../../src/integrate/state.js';

const STATE: IntegrationState = {
  version: 1,
  installedAt: '2026-12-06T22:00:00Z',
  launchers: {} as IntegrationState['launchers'], // not read here
  files: [{ role: 'desktop-entry', path: '/home/u/.local/share/applications/org.nofear.NoFear.desktop', sha256: sha256Hex('x') }],
  createdDirs: ['/home/u/.local/share/nemo/actions'],
  types: ['application/pdf'],
  previousDefaults: { 'application/pdf': 'org.gnome.Evince.desktop' },
  mimeapps: null,
  thunar: null,
  mimeinfoCacheExisted: true,
};

describe('the integration record (integration.json)', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let file: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'nofear-state-'));
    env = { HOME: home, XDG_STATE_HOME: path.join(home, 'state') };
    file = path.join(home, 'state', 'nofear', 'integration.json');
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('reads back what it wrote, private to the user, and nothing once removed', async () => {
    assert.equal(await readState(file), undefined);
    await writeState(file, STATE);
    assert.deepEqual(await readState(file), STATE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(await previousDefaults(env), { 'application/pdf': 'org.gnome.Evince.desktop' });
    await removeState(file);
    assert.equal(await readState(file), undefined);
    assert.deepEqual(await previousDefaults(env), {});
  });

  it('refuses a damaged record or one from another version, with the fix; the open path then has no previous defaults', async () => {
    mkdirSync(path.dirname(file), { recursive: true });
    for (const text of ['{"version": 1, "files": [', JSON.stringify({ ...STATE, version: 2 }), JSON.stringify({ ...STATE, types: 'application/pdf' }), 'null']) {
      writeFileSync(file, text);
      await assert.rejects(
        readState(file),
        (error: unknown) => isNoFearError(error) && error.code === 'InvalidArgument' && /is not a NoFear integration record/.test(error.message) && /^move it aside \(mv /.test(error.fix ?? ''),
      );
      assert.deepEqual(await previousDefaults(env), {});
    }
  });

  it('keeps only string values among the previous defaults', async () => {
    await writeState(file, { ...STATE, previousDefaults: { 'application/pdf': 'evince.desktop', 'image/png': 7, 'text/html': null } as unknown as Record<string, string> });
    assert.deepEqual(await previousDefaults(env), { 'application/pdf': 'evince.desktop' });
  });
});
