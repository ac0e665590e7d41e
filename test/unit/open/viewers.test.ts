// The one viewer lookup (src/open/viewers.ts) on a temporary home whose applications are two test viewers
// (the host's MIME database linked in): the user's default comes first, the default NoFear replaced comes
// first once NoFear is the default, --with picks its viewer, and a file's name as given counts for its type.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeState, type IntegrationState } from '../../../src/integrate/state.js';
import { detectType, listViewersFor, readViewerData, resolveFor } from '../../../src/open/viewers.js';

const entry = (name: string) => `[Desktop Entry]\nType=Application\nName=${name}\nIcon=${name.toLowerCase()}\nExec=cat %f\nMimeType=application/pdf;\n`;

describe('open/viewers', function () {
  this.timeout(20_000); // reads the host's MIME database: slow only on a busy machine
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let pdf: string;
  const at = (...parts: string[]) => path.join(dir, ...parts);
  const defaults = (ids: string) => writeFileSync(at('config', 'mimeapps.list'), `[Default Applications]\napplication/pdf=${ids}\n`);

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-viewers-'));
    mkdirSync(at('system', 'applications'), { recursive: true });
    symlinkSync('/usr/share/mime', at('system', 'mime'));
    writeFileSync(at('system', 'applications', 'alpha.desktop'), entry('Alpha'));
    writeFileSync(at('system', 'applications', 'beta.desktop'), entry('Beta'));
    mkdirSync(at('config'));
    env = { HOME: at('home'), XDG_DATA_HOME: at('data'), XDG_CONFIG_HOME: at('config'), XDG_STATE_HOME: at('state'), XDG_DATA_DIRS: at('system'), XDG_CONFIG_DIRS: at('etc-xdg') };
    pdf = at('report.pdf');
    writeFileSync(pdf, '%PDF-1.4\n%%EOF\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("lists the viewers for a file with the user's default first", async () => {
    defaults('beta.desktop');
    assert.deepEqual(await listViewersFor(pdf, pdf, env), [
      ['beta.desktop', 'Beta', 'beta'],
      ['alpha.desktop', 'Alpha', 'alpha'],
    ]);
    defaults('alpha.desktop');
    assert.equal((await listViewersFor(pdf, pdf, env))[0]?.[0], 'alpha.desktop', 'read fresh at every call');
  });

  it('puts the default NoFear replaced first while NoFear is the default', async () => {
    defaults('org.nofear.NoFear.desktop;alpha.desktop;');
    const state: IntegrationState = {
      version: 1,
      installedAt: new Date(0).toISOString(),
      launchers: { nofearOpen: '/usr/bin/nofear-open', nofearctl: '/usr/bin/nofearctl' },
      files: [],
      createdDirs: [],
      types: ['application/pdf'],
      previousDefaults: { 'application/pdf': 'beta.desktop' },
      mimeapps: null,
      thunar: null,
      mimeinfoCacheExisted: false,
    };
    await writeState(at('state', 'nofear', 'integration.json'), state);
    const data = await readViewerData(env);
    assert.deepEqual(data.previous, { 'application/pdf': 'beta.desktop' });
    assert.equal(resolveFor(data, 'application/pdf').chosen?.id, 'beta.desktop');
    assert.equal(resolveFor(data, 'application/pdf', 'alpha.desktop').chosen?.id, 'alpha.desktop', '--with wins');
  });

  it("types a file by its contents and the name it was given, not the staged copy's name", async () => {
    const staged = at('staged-copy');
    writeFileSync(staged, 'a,b\n1,2\n');
    const data = await readViewerData(env);
    assert.equal((await detectType(pdf, pdf, data.mimeDb)).mime, 'application/pdf');
    assert.equal((await detectType(staged, '/home/u/table.csv', data.mimeDb)).mime, 'text/csv');
    assert.equal((await detectType(staged, staged, data.mimeDb)).mime, 'text/plain');
  });
});
