// NoFear's thumbnail guard entries: reading a system .thumbnailer, the guarded command line (the factory's
// %-codes kept for the original, the guard's own expanded), the two forms of the guard and the entry's text.
// The real factory running them: test/integration/thumbnail-guard.test.ts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KeyFile } from '../../../src/desktop/keyfile.js';
import { GUARD_HEADER, guardCommandFor, guardedExec, guardEntries, parseThumbnailer, renderGuardEntry, systemThumbnailers } from '../../../src/integrate/thumbnailers.js';

const EVINCE = '[Thumbnailer Entry]\nTryExec=evince-thumbnailer\nExec=evince-thumbnailer -s %s %u %o\nMimeType=application/pdf;image/tiff;\n';

describe('thumbnail guard entries', () => {
  it('reads Exec, TryExec and MimeType; an entry without Exec or types is none', () => {
    assert.deepEqual(parseThumbnailer('evince.thumbnailer', EVINCE), {
      name: 'evince.thumbnailer',
      exec: 'evince-thumbnailer -s %s %u %o',
      tryExec: 'evince-thumbnailer',
      mimeTypes: ['application/pdf', 'image/tiff'],
    });
    assert.equal(parseThumbnailer('x.thumbnailer', '[Thumbnailer Entry]\nMimeType=image/png;\n'), undefined);
    assert.equal(parseThumbnailer('x.thumbnailer', '[Thumbnailer Entry]\nExec=x %i %o\n'), undefined);
  });

  it('names the script by path under /usr (the package) and inlines it elsewhere (the sandbox sees /usr only)', () => {
    assert.deepEqual(guardCommandFor('/usr/lib/nofear/src/integrate/thumbnail-guard.py', 'code'), { kind: 'file', path: '/usr/lib/nofear/src/integrate/thumbnail-guard.py' });
    assert.deepEqual(guardCommandFor('/home/u/.local/lib/nofear/src/integrate/thumbnail-guard.py', 'code'), { kind: 'inline', script: 'code' });
  });

  it('puts the guard with %s %i %o before the original command, whose %-codes are escaped for the guard to expand', () => {
    assert.equal(
      guardedExec('evince-thumbnailer -s %s %u %o', { kind: 'file', path: '/usr/lib/nofear/g.py' }),
      '/usr/bin/python3 -I -S /usr/lib/nofear/g.py %s %i %o -- evince-thumbnailer -s %%s %%u %%o',
    );
  });

  it('inlines the script as one quoted word: comments out, its % doubled; a quote in its code is refused', () => {
    const exec = guardedExec('t %i %o', { kind: 'inline', script: '# it\'s a comment\nimport sys\nprint("%d" % 1)\n' });
    assert.equal(exec, `/usr/bin/python3 -I -S -c 'import sys\nprint("%%d" %% 1)' %s %i %o -- t %%i %%o`);
    assert.throws(() => guardedExec('t', { kind: 'inline', script: "print('x')" }), /single quote/);
  });

  it('renders an entry the key-file reader gives back: same types, TryExec kept, the newlines of an inline script escaped', () => {
    const entry = parseThumbnailer('evince.thumbnailer', EVINCE);
    assert.ok(entry !== undefined);
    const text = renderGuardEntry(entry, { kind: 'inline', script: 'a = 1\nb = 2\n' });
    assert.equal(text.split('\n').filter((line) => line.startsWith('Exec=')).length, 1);
    const file = KeyFile.parse(text);
    assert.deepEqual(file.getList('Thumbnailer Entry', 'MimeType'), ['application/pdf', 'image/tiff']);
    assert.equal(file.getString('Thumbnailer Entry', 'TryExec'), 'evince-thumbnailer');
    assert.equal(file.getString('Thumbnailer Entry', 'Exec'), `/usr/bin/python3 -I -S -c 'a = 1\nb = 2' %s %i %o -- evince-thumbnailer -s %%s %%u %%o`);
  });

  describe('on disk', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'nofear-thumbnailers-'));
      for (const sub of ['first', 'second']) mkdirSync(path.join(dir, sub, 'thumbnailers'), { recursive: true });
      writeFileSync(path.join(dir, 'first', 'thumbnailers', 'evince.thumbnailer'), EVINCE);
      writeFileSync(path.join(dir, 'second', 'thumbnailers', 'evince.thumbnailer'), EVINCE.replace('evince-thumbnailer -s', 'other -s'));
      writeFileSync(path.join(dir, 'second', 'thumbnailers', 'guarded.thumbnailer'), `${GUARD_HEADER} x\n${EVINCE}`);
      writeFileSync(path.join(dir, 'second', 'thumbnailers', 'broken.thumbnailer'), '[Thumbnailer Entry]\n');
      writeFileSync(path.join(dir, 'guard.py'), 'print(1)\n');
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const env = () => ({ XDG_DATA_DIRS: `${dir}/first:${dir}/second`, XDG_DATA_HOME: path.join(dir, 'home-data'), HOME: dir });

    it('lists the system entries: the first dir wins a name, NoFear`s own and broken ones are left out', async () => {
      const found = await systemThumbnailers(env());
      assert.deepEqual(
        found.map((e) => [e.name, e.exec]),
        [['evince.thumbnailer', 'evince-thumbnailer -s %s %u %o']],
      );
    });

    it('writes one guard per system entry into the user thumbnailers dir, under the same name (tumbler then loads it instead)', async () => {
      const entries = await guardEntries(env(), path.join(dir, 'guard.py'));
      assert.deepEqual([...entries.keys()], [path.join(dir, 'home-data', 'thumbnailers', 'evince.thumbnailer')]);
      assert.match([...entries.values()][0] ?? '', /^Exec=\/usr\/bin\/python3 -I -S -c 'print\(1\)' %s %i %o -- evince-thumbnailer -s %%s %%u %%o$/m);
    });
  });
});
