// The pure parts of `nofearctl integrate`: mimeapps.list claims and releases, the Thunar merge, Exec
// rendering, launcher quoting and argument parsing. No files, no processes.
import assert from 'node:assert/strict';
import { KeyFile } from '../../../src/desktop/keyfile.js';
import { claimedTypes, claimTypes, releaseTypes } from '../../../src/integrate/mimeapps.js';
import { hasThunarAction, mergeThunarAction, removeThunarAction } from '../../../src/integrate/thunar.js';
import { escapeXml, renderExec, renderPlaceholders } from '../../../src/integrate/files.js';
import { quoteProgram } from '../../../src/integrate/launchers.js';
import { installTypes } from '../../../src/cli/ctl-integrate.js';
import { list, parseCommandLine, type Values } from '../../../src/cli/grammar.js';
import { NOFEARCTL_SPEC } from '../../../src/cli/spec-nofearctl.js';
import { RISKY_TYPES } from '../../../src/integrate/types.js';
import { isNoFearError } from '../../../src/errors.js';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const launchers = { nofearOpen: '/home/u/.local/bin/nofear-open', nofearctl: '/home/u/.local/bin/nofearctl' };
const ACTION = ['open', 'edit', 'convert', 'trust']
  .map((id) => `<action>\n\t<name>${id} with NoFear</name>\n\t<unique-id>org.nofear.NoFear.${id}</unique-id>\n\t<command>x ${id === 'open' ? '' : `--${id} `}%F</command>\n</action>\n`)
  .join('');

describe('desktop/integration', () => {
  describe('claimTypes / releaseTypes', () => {
    const user = '# mine\n[Default Applications]\napplication/pdf=evince.desktop\nimage/png = eog.desktop;gimp.desktop;\n\n[Other]\nx=1\n';

    it("puts NoFear first in each list and keeps the user's ids behind it", () => {
      const { text, createdGroups } = claimTypes(user, ['application/pdf', 'IMAGE/PNG', 'text/html'], same);
      const file = KeyFile.parse(text);
      assert.deepEqual(file.getList('Default Applications', 'application/pdf'), ['org.nofear.NoFear.desktop', 'evince.desktop']);
      assert.equal(file.getRaw('Default Applications', 'image/png'), 'org.nofear.NoFear.desktop;eog.desktop;gimp.desktop;');
      assert.equal(file.getRaw('Default Applications', 'text/html'), 'org.nofear.NoFear.desktop;');
      assert.deepEqual(createdGroups, ['Added Associations']);
      assert.deepEqual(claimedTypes(text), ['application/pdf', 'image/png', 'text/html']);
      assert.ok(text.startsWith('# mine\n') && text.includes('\n[Other]\nx=1\n'));
    });

    it('is idempotent, and releasing gives back the exact text', () => {
      const once = claimTypes(user, ['application/pdf', 'image/png'], same);
      assert.equal(claimTypes(once.text, ['application/pdf', 'image/png'], same).text, once.text);
      assert.equal(releaseTypes(once.text, once.createdGroups), user);
    });

    it('moves NoFear to the front when something else was put before it', () => {
      const text = '[Default Applications]\napplication/pdf=okular.desktop;org.nofear.NoFear.desktop;evince.desktop;\n';
      assert.equal(KeyFile.parse(claimTypes(text, ['application/pdf'], same).text).getRaw('Default Applications', 'application/pdf'), 'org.nofear.NoFear.desktop;okular.desktop;evince.desktop;');
    });

    it('a new file gets a final newline, and releasing empties it', () => {
      const { text, createdGroups } = claimTypes('', ['application/pdf'], same);
      assert.ok(text.endsWith('\n'));
      assert.equal(releaseTypes(text, createdGroups).trim(), '');
    });

    it('release keeps a group NoFear did not create, even when it ends up empty', () => {
      const text = '[Default Applications]\napplication/pdf=org.nofear.NoFear.desktop;\n';
      assert.equal(releaseTypes(text, []), '[Default Applications]\n');
    });
  });

  describe('Thunar uca.xml', () => {
    const user = '<?xml version="1.0" encoding="UTF-8"?>\n<actions>\n<action>\n\t<unique-id>1-1</unique-id>\n</action>\n</actions>\n';

    it("adds NoFear's action before </actions> and takes exactly that out again", () => {
      const merged = mergeThunarAction(user, ACTION, 'uca.xml');
      assert.equal(merged, user.replace('</actions>', `${ACTION}</actions>`));
      assert.ok(hasThunarAction(merged));
      assert.equal(removeThunarAction(merged), user);
    });

    it('replaces an older copy instead of adding a second one', () => {
      const merged = mergeThunarAction(user, ACTION, 'uca.xml');
      const again = mergeThunarAction(merged, ACTION.replace('x %F', 'y %F'), 'uca.xml');
      for (const id of ['open', 'edit', 'convert']) assert.equal(again.split(`org.nofear.NoFear.${id}<`).length, 2, id);
      assert.ok(again.includes('y %F'));
      assert.equal(again, merged.replace('x %F', 'y %F'), 'in the same place');
    });

    it('replaces an older release\'s single "Open in NoFear" with all four actions, where it stood', () => {
      const old = '<action>\n\t<unique-id>org.nofear.NoFear.open</unique-id>\n\t<command>old %F</command>\n</action>\n';
      const before = user.replace('<action>', `${old}<action>`);
      assert.ok(!hasThunarAction(before), 'one of four is not all of them');
      const merged = mergeThunarAction(before, ACTION, 'uca.xml');
      assert.equal(merged, user.replace('<action>', `${ACTION}<action>`));
      assert.ok(hasThunarAction(merged));
      assert.equal(removeThunarAction(merged), user);
    });

    it("never removes a user action that precedes or follows NoFear's", () => {
      const after = '<action>\n\t<unique-id>1-2</unique-id>\n</action>\n';
      const text = mergeThunarAction(user, ACTION, 'uca.xml').replace('</actions>', `${after}</actions>`);
      assert.equal(removeThunarAction(text), user.replace('</actions>', `${after}</actions>`));
    });

    it("creates a file when there is none, and refuses one that is not Thunar's", () => {
      assert.match(mergeThunarAction(undefined, ACTION, 'uca.xml'), /^<\?xml[^\n]*\n<actions>\n<action>/);
      assert.match(mergeThunarAction('<actions/>', ACTION, 'uca.xml'), /^<actions>\n<action>[\s\S]*<\/action>\n<\/actions>$/);
      assert.throws(
        () => mergeThunarAction('<html></html>', ACTION, '/x/uca.xml'),
        (e: unknown) => isNoFearError(e) && /does not look like Thunar's/.test(e.message),
      );
    });
  });

  describe('rendering', () => {
    it('replaces the program of every Exec that names a NoFear command, and nothing else', () => {
      const text = '[Desktop Entry]\nName=N\nExec=nofear-open %U\nTryExec=nofear-open\n\n[Desktop Action a]\nExec=nofearctl stop --all\n\n[Desktop Action b]\nExec=other %F\n';
      assert.equal(renderExec(text, launchers), text.replace('Exec=nofear-open %U', `Exec=${launchers.nofearOpen} %U`).replace('Exec=nofearctl stop', `Exec=${launchers.nofearctl} stop`));
    });

    it('fills placeholders, escaped for XML when asked', () => {
      const spaced = { nofearOpen: '/a b/nofear-open', nofearctl: '/a b/nofearctl' };
      assert.equal(renderPlaceholders('Exec=@NOFEARCTL@ service', spaced), 'Exec="/a b/nofearctl" service');
      assert.equal(renderPlaceholders('<command>@NOFEAR_OPEN@ %F</command>', spaced, escapeXml), '<command>&quot;/a b/nofear-open&quot; %F</command>');
    });

    it('quotes a path with spaces and refuses characters the formats escape differently', () => {
      assert.equal(quoteProgram('/usr/bin/nofear-open'), '/usr/bin/nofear-open');
      assert.equal(quoteProgram('/home/a b/bin/nofear-open'), '"/home/a b/bin/nofear-open"');
      assert.equal(quoteProgram('/home/~x/nofear-open'), '"/home/~x/nofear-open"');
      for (const bad of ['/a"b', '/a$b', '/a%b', '/a\\b', '/a`b', '/a\nb']) {
        assert.throws(
          () => quoteProgram(bad),
          (e: unknown) => isNoFearError(e) && e.code === 'InvalidArgument',
          bad,
        );
      }
    });
  });

  describe('installTypes', () => {
    it("adds --risky's list and --default-for's types, as the grammar read them", () => {
      assert.deepEqual(installTypes(false, []), []);
      const parsed = parseCommandLine(NOFEARCTL_SPEC, ['integrate', 'install', '--default-for', 'a/b', 'c/d', '--default-for=e/f']);
      assert.equal(parsed.kind, 'run');
      assert.deepEqual(installTypes(false, list((parsed as { values: Values }).values, 'defaultFor')), ['a/b', 'c/d', 'e/f']);
      assert.deepEqual(installTypes(true, []), [...RISKY_TYPES]);
    });
    it('refuses --default-for without a type, and unknown options', () => {
      assert.throws(() => parseCommandLine(NOFEARCTL_SPEC, ['integrate', 'install', '--default-for']), /--default-for needs a value/);
      assert.throws(() => parseCommandLine(NOFEARCTL_SPEC, ['integrate', 'install', '--default-for', '--risky']), /--default-for needs a value/);
      assert.throws(() => parseCommandLine(NOFEARCTL_SPEC, ['integrate', 'install', '--bogus']), /unknown option --bogus for integrate install/);
    });
  });
});
