// Exec splitting and field-code expansion: spec cases, refusals, and hostile file names that must stay one argument.
import assert from 'node:assert/strict';
import { parseDesktopEntry } from '../../../src/desktop/desktop-entry.js';
import { expandExec, splitExec } from '../../../src/desktop/exec-line.js';
import { isNoFearError } from '../../../src/errors.js';

const invalid = (error: unknown) => isNoFearError(error) && error.code === 'InvalidArgument';

const HOSTILE = [
  '/staging/; rm -rf ~ #.pdf',
  '/staging/line\nbreak.pdf',
  '/staging/-rf --help.pdf',
  '/staging/"double" \'single\' `tick`.pdf',
  '/staging/$(touch pwned) ${HOME} $HOME.pdf',
  '/staging/100%f %U %%.pdf',
  '/staging/back\\slash\ttab.pdf',
];

describe('desktop/exec-line', () => {
  describe('splitting', () => {
    it('splits on spaces and undoes double-quote escapes', () => {
      assert.deepEqual(splitExec('"/opt/My App/bin/app"  --flag "a \\"b\\" \\`c\\` \\$d \\\\e" %F'), [
        { text: '/opt/My App/bin/app', quoted: true },
        { text: '--flag', quoted: false },
        { text: 'a "b" `c` $d \\e', quoted: true },
        { text: '%F', quoted: false },
      ]);
    });

    it('applies the key-file escapes before the quoting rules (four backslashes make one)', () => {
      const entry = parseDesktopEntry('[Desktop Entry]\nType=Application\nName=X\nExec=app "a\\\\\\\\b" "\\\\$HOME"\n', { id: 'x.desktop', path: '/x.desktop' });
      assert.deepEqual(expandExec(entry.exec ?? '', { files: [] }), [['app', 'a\\b', '$HOME']]);
    });

    const refused: Record<string, string> = {
      'an unterminated quote': 'app "oops',
      'an unquoted reserved character': 'app > /tmp/out',
      'a pipe': 'app | tee',
      'a semicolon': 'app;reboot',
      'an unquoted $': 'app $HOME',
      'an unquoted tilde': 'app ~/x',
      'a partly quoted argument': 'app --title="x y"',
      'an unescaped $ inside quotes': 'app "$HOME"',
      'a backslash escaping an ordinary character inside quotes': 'app "\\n"',
      'an empty line': '   ',
    };
    for (const [what, exec] of Object.entries(refused)) {
      it(`refuses ${what}`, () => assert.throws(() => expandExec(exec, { files: [] }), invalid));
    }
  });

  describe('field codes', () => {
    it('passes all files to one launch for %F and %U', () => {
      assert.deepEqual(expandExec('evince %U', { files: ['/a.pdf', '/b.pdf'] }), [['evince', '/a.pdf', '/b.pdf']]);
      assert.deepEqual(expandExec('vim -p %F', { files: ['/a', '/b'] }), [['vim', '-p', '/a', '/b']]);
    });

    it('launches once per file for %f and %u', () => {
      assert.deepEqual(expandExec('mupdf %f', { files: ['/a.pdf', '/b.pdf'] }), [
        ['mupdf', '/a.pdf'],
        ['mupdf', '/b.pdf'],
      ]);
      assert.deepEqual(expandExec('app --file=%f -x', { files: ['/a', '/b'] }), [
        ['app', '--file=/a', '-x'],
        ['app', '--file=/b', '-x'],
      ]);
    });

    it('drops a file code when there is no file', () => {
      assert.deepEqual(expandExec('mupdf %f', { files: [] }), [['mupdf']]);
      assert.deepEqual(expandExec('evince %U --x', { files: [] }), [['evince', '--x']]);
    });

    it('appends the files as %f when Exec has no file code, as GLib and KDE do', () => {
      assert.deepEqual(expandExec('viewer --fullscreen', { files: ['/a', '/b'] }), [
        ['viewer', '--fullscreen', '/a'],
        ['viewer', '--fullscreen', '/b'],
      ]);
    });

    it('expands %i, %c, %k and %% and drops the deprecated codes', () => {
      const ctx = { files: ['/f'], name: 'My Viewer', icon: 'viewer-icon', location: '/usr/share/applications/v.desktop' };
      assert.deepEqual(expandExec('v %i --name "%c" -k %k 100%% %d %D %n %N %v %m x%my %f', ctx), [
        ['v', '--icon', 'viewer-icon', '--name', 'My Viewer', '-k', '/usr/share/applications/v.desktop', '100%', 'xy', '/f'],
      ]);
      assert.deepEqual(expandExec('v %i %f', { files: ['/f'] }), [['v', '/f']]);
    });

    it('gives URLs to %u and %U and local paths to %f, converting file:// URIs', () => {
      assert.deepEqual(expandExec('firefox %u', { files: ['https://example.org/a?b=c&d'] }), [['firefox', 'https://example.org/a?b=c&d']]);
      assert.deepEqual(expandExec('app %F', { files: ['file:///tmp/a%20b.pdf'] }), [['app', '/tmp/a b.pdf']]);
      assert.throws(() => expandExec('app %f', { files: ['https://example.org/x.pdf'] }), invalid);
    });

    it('refuses relative paths, which a program could read as options', () => {
      assert.throws(() => expandExec('app %f', { files: ['-rf.pdf'] }), invalid);
    });

    const refused: Record<string, string> = {
      'an unknown code': 'app %x',
      'a lone % at the end': 'app 100%',
      'two file codes': 'app %f %U',
      '%F inside a word': 'app --files=%F',
      '%i inside a word': 'app x%i',
      '%f inside quotes': 'app "%f"',
      'a field code as the program': '%f',
      'a file name inside sh -c': 'sh -c cat%f',
      'a file name as the script of bash -ec': '/bin/bash -ec %F',
      'a file name inside python -c': 'env X=1 python3 -c print%u',
    };
    for (const [what, exec] of Object.entries(refused)) {
      it(`refuses ${what}`, () => assert.throws(() => expandExec(exec, { files: ['/f'] }), invalid));
    }

    it('accepts a file name passed to sh -c as a positional parameter', () => {
      assert.deepEqual(expandExec('sh -c "exec app \\"\\$1\\"" sh %f', { files: ['/x;y'] }), [['sh', '-c', 'exec app "$1"', 'sh', '/x;y']]);
    });
  });

  describe('hostile file names', () => {
    for (const name of HOSTILE) {
      it(`keeps ${JSON.stringify(name)} one argument, unchanged`, () => {
        assert.deepEqual(expandExec('evince %U', { files: [name] }), [['evince', name]]);
        assert.deepEqual(expandExec('mupdf -r 96 %f', { files: [name] }), [['mupdf', '-r', '96', name]]);
        assert.deepEqual(expandExec('app --in=%f', { files: [name] }), [['app', `--in=${name}`]]);
      });
    }

    it('does not expand field codes that appear inside a substituted name', () => {
      assert.deepEqual(expandExec('app %f %c', { files: ['/a %c %k.pdf'], name: 'N' }), [['app', '/a %c %k.pdf', 'N']]);
    });

    it('refuses a NUL byte, which no argument can carry', () => {
      assert.throws(() => expandExec('app %f', { files: ['/a\0b'] }), invalid);
    });
  });
});
