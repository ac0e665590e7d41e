// The key-file reader/editor: byte-exact round trips, minimal edits, escapes, lists and locale lookup.
import assert from 'node:assert/strict';
import { KeyFile, escapeValue, formatList, localeCandidates, parseList, unescapeValue } from '../../../src/desktop/keyfile.js';
import { isNoFearError } from '../../../src/errors.js';

const MIMEAPPS = [
  '# written by hand; keep this comment',
  '',
  '[Default Applications]',
  'application/pdf=org.gnome.Evince.desktop;',
  'text/plain = org.gnome.TextEditor.desktop;gvim.desktop;',
  '# trailing comment of the group',
  '',
  '[Added Associations]',
  'image/png=eog.desktop;gimp.desktop;',
  '',
  '[X-Unknown Group]',
  'weird line without equals',
  'Key[de_DE]=Wert mit Ümlaut',
  '',
].join('\n');

function changedLines(before: string, after: string): string[] {
  const old = new Set(before.split('\n'));
  return after.split('\n').filter((line) => !old.has(line));
}

describe('desktop/keyfile', () => {
  describe('round trip', () => {
    const samples: Record<string, string> = {
      'mimeapps.list with comments and unknown groups': MIMEAPPS,
      'CRLF line ends': '[Desktop Entry]\r\nName=X\r\n\r\n# c\r\n',
      'no final newline': '[A]\nk=v',
      'empty file': '',
      'only a newline': '\n',
      'text before the first group and repeated groups': 'stray=1\n[A]\nk=1\n[B]\n[A]\nk=2\n',
      'semicolons and hashes inside values': '[Desktop Entry]\nExec=sh -c "echo a; echo b # not a comment"\n',
    };
    for (const [name, text] of Object.entries(samples)) {
      it(`keeps ${name} byte for byte`, () => {
        assert.equal(KeyFile.parse(text).toString(), text);
      });
    }
  });

  describe('reading', () => {
    it('reads groups, lists and ignores lines outside groups', () => {
      const file = KeyFile.parse(MIMEAPPS);
      assert.deepEqual(file.groups(), ['Default Applications', 'Added Associations', 'X-Unknown Group']);
      assert.deepEqual(file.getList('Default Applications', 'text/plain'), ['org.gnome.TextEditor.desktop', 'gvim.desktop']);
      assert.deepEqual(file.entries('Added Associations'), [{ key: 'image/png', value: 'eog.desktop;gimp.desktop;' }]);
      assert.equal(KeyFile.parse('stray=1\n[A]\n').getRaw('A', 'stray'), undefined);
    });

    it('merges repeated groups and lets the last duplicate key win', () => {
      const file = KeyFile.parse('[A]\nk=1\n[B]\nk=b\n[A]\nk=2\n');
      assert.equal(file.getString('A', 'k'), '2');
      assert.equal(file.getString('B', 'k'), 'b');
    });

    it('undoes the string escapes', () => {
      assert.equal(unescapeValue('\\sa\\tb\\nc\\rd\\\\e\\q'), ' a\tb\nc\rd\\e\\q');
      assert.equal(KeyFile.parse('[A]\nk=\\s lead\n').getString('A', 'k'), '  lead');
    });

    it('splits lists on unescaped semicolons only', () => {
      assert.deepEqual(parseList('a;b\\;c;d\\\\;e'), ['a', 'b;c', 'd\\', 'e']);
      assert.deepEqual(parseList('a;b;'), ['a', 'b']);
      assert.deepEqual(parseList('a;;b'), ['a', '', 'b']);
      assert.deepEqual(parseList(''), []);
    });

    it('reads booleans as GLib does and treats anything else as absent', () => {
      const file = KeyFile.parse('[A]\nt=true\nf=false\none=1\nbad=yes\n');
      assert.equal(file.getBoolean('A', 't'), true);
      assert.equal(file.getBoolean('A', 'f'), false);
      assert.equal(file.getBoolean('A', 'one'), true);
      assert.equal(file.getBoolean('A', 'bad'), undefined);
    });

    it('looks up localised values in the spec order', () => {
      const file = KeyFile.parse('[A]\nName=Plain\nName[sr]=sr\nName[sr@latin]=sr-latin\nName[sr_YU]=sr-YU\nName[de]=Deutsch\n');
      assert.equal(file.getLocaleString('A', 'Name', 'sr_YU.UTF-8@latin'), 'sr-YU');
      assert.equal(file.getLocaleString('A', 'Name', 'sr_RS@latin'), 'sr-latin');
      assert.equal(file.getLocaleString('A', 'Name', 'sr_RS'), 'sr');
      assert.equal(file.getLocaleString('A', 'Name', 'de_AT.UTF-8'), 'Deutsch');
      assert.equal(file.getLocaleString('A', 'Name', 'fr_FR'), 'Plain');
      assert.equal(file.getLocaleString('A', 'Name', 'C'), 'Plain');
      assert.deepEqual(localeCandidates('sr_YU.UTF-8@latin'), ['sr_YU@latin', 'sr_YU', 'sr@latin', 'sr']);
    });
  });

  describe('editing', () => {
    it('changes only the edited line when setting an existing key, keeping its spacing', () => {
      const file = KeyFile.parse(MIMEAPPS);
      file.setList('Default Applications', 'text/plain', ['org.nofear.NoFear.desktop']);
      const after = file.toString();
      assert.deepEqual(changedLines(MIMEAPPS, after), ['text/plain = org.nofear.NoFear.desktop;']);
      assert.equal(after.split('\n').length, MIMEAPPS.split('\n').length);
    });

    it("adds a new key after the group's last entry, before its trailing comment", () => {
      const file = KeyFile.parse(MIMEAPPS);
      file.setRaw('Default Applications', 'image/png', 'eog.desktop;');
      const lines = file.toString().split('\n');
      assert.deepEqual(changedLines(MIMEAPPS, file.toString()), ['image/png=eog.desktop;']);
      assert.equal(lines.indexOf('image/png=eog.desktop;'), lines.indexOf('text/plain = org.gnome.TextEditor.desktop;gvim.desktop;') + 1);
    });

    it('adds a group at the end, after a blank line, and writes the key into it', () => {
      const text = '[A]\nk=v\n';
      const file = KeyFile.parse(text);
      file.setString('Removed Associations', 'application/pdf', 'x.desktop');
      assert.equal(file.toString(), '[A]\nk=v\n\n[Removed Associations]\napplication/pdf=x.desktop\n');
      file.addGroup('A');
      assert.equal(file.toString().match(/\[A\]/g)?.length, 1);
    });

    it('keeps CRLF line ends on edited and added lines', () => {
      const file = KeyFile.parse('[A]\r\nk=v\r\n');
      file.setString('A', 'k', 'w');
      file.setString('A', 'n', 'x');
      assert.equal(file.toString(), '[A]\r\nk=w\r\nn=x\r\n');
    });

    it('removes exactly the lines of the key', () => {
      const file = KeyFile.parse(MIMEAPPS);
      assert.equal(file.removeKey('Default Applications', 'application/pdf'), true);
      assert.equal(file.removeKey('Default Applications', 'application/pdf'), false);
      const expected = MIMEAPPS.replace('application/pdf=org.gnome.Evince.desktop;\n', '');
      assert.equal(file.toString(), expected);
    });

    it('leaves one line when setting a key written twice', () => {
      const file = KeyFile.parse('[A]\nk=1\nk=2\n');
      file.setString('A', 'k', '3');
      assert.equal(file.toString(), '[A]\nk=3\n');
    });

    it('escapes what it writes so that it reads back unchanged', () => {
      const file = KeyFile.parse('[A]\n');
      const value = '  two lines\nwith\ttab and \\ backslash';
      file.setString('A', 'k', value);
      assert.equal(file.toString().split('\n').length, 3);
      assert.equal(KeyFile.parse(file.toString()).getString('A', 'k'), value);
      const items = ['a;b', 'c\\', ' d'];
      assert.deepEqual(parseList(formatList(items)), items);
      assert.equal(escapeValue(' x'), '\\sx');
    });

    it('refuses keys, groups and raw values that would break the file', () => {
      const file = KeyFile.parse('[A]\n');
      const refusals: Array<() => void> = [
        () => file.setRaw('A', 'k', 'line\nbreak'),
        () => file.setRaw('A', 'k=x', 'v'),
        () => file.setRaw('A', 'k[x]', 'v'),
        () => file.setRaw('A]', 'k', 'v'),
        () => file.addGroup(''),
      ];
      for (const refuse of refusals) {
        assert.throws(refuse, (error: unknown) => isNoFearError(error) && error.code === 'InvalidArgument');
      }
      assert.equal(file.toString(), '[A]\n');
    });
  });
});
