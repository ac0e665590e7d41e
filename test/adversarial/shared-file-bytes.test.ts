// Issue 17, files NoFear shares with the user: mimeapps.list and Thunar's uca.xml keep every byte NoFear
// did not write, including bytes that are not UTF-8 (a Latin-1 comment), through install; uninstall
// restores them byte for byte.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTree, type Tree } from '../helpers/integration-tree.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');

// "Réglages de Jérôme" and "Ärger über Öl" in Latin-1 (é = 0xE9, ô = 0xF4, Ä = 0xC4 ...), a stray 0xFF,
// and a line in real UTF-8 beside them.
const MIMEAPPS = Buffer.concat([
  latin1('# R\xe9glages de J\xe9r\xf4me\n[Default Applications]\napplication/pdf=mupdf.desktop;\n'),
  latin1('# \xc4rger \xfcber \xd6l \xff\n'),
  Buffer.from('# déjà vu, in UTF-8\ntext/plain=vim.desktop;\n\n[Added Associations]\ntext/plain=vim.desktop;\n'),
]);

const UCA = Buffer.concat([
  Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<actions>\n<!-- '),
  latin1('\xe9crit \xe0 la main \xff'),
  Buffer.from(' -->\n<action>\n\t<name>Öffnen</name>\n\t<unique-id>1</unique-id>\n\t<command>true %f</command>\n</action>\n</actions>\n'),
]);

/** The lines of `after` with NoFear's id taken out of each list, and without lines NoFear added. */
function withoutNoFear(after: Buffer): Buffer {
  const lines = after
    .toString('latin1')
    .split('\n')
    .map((line) => line.replace('org.nofear.NoFear.desktop;', ''));
  return latin1(lines.filter((line) => !/^[a-z-]+\/[^=]+=$/.test(line)).join('\n'));
}

describe('shared files keep their bytes (issue 17)', function () {
  let tree: Tree;
  beforeEach(() => {
    tree = makeTree();
  });
  afterEach(() => tree.cleanup());

  async function nofearctl(...args: string[]): Promise<void> {
    const result = await tree.nofearctl(...args);
    assert.equal(result.exitCode, 0, `nofearctl ${args.join(' ')}: ${result.stderr}`);
  }

  it('a mimeapps.list with Latin-1 bytes in comments keeps them through install; uninstall restores it byte for byte', async () => {
    const mimeapps = path.join(tree.configHome, 'mimeapps.list');
    mkdirSync(tree.configHome, { recursive: true });
    writeFileSync(mimeapps, MIMEAPPS);
    await nofearctl('integrate', 'install', '--default-for', 'application/pdf', 'text/plain');
    const after = readFileSync(mimeapps);
    assert.equal(after.indexOf(Buffer.from('\ufffd')), -1, 'a byte became U+FFFD');
    for (const line of MIMEAPPS.toString('latin1')
      .split('\n')
      .filter((l) => l.startsWith('#'))) {
      assert.ok(after.includes(latin1(line)), `lost the comment ${JSON.stringify(line)}`);
    }
    assert.match(after.toString('latin1'), /^application\/pdf=org\.nofear\.NoFear\.desktop;mupdf\.desktop;$/m);
    assert.match(after.toString('latin1'), /^text\/plain=org\.nofear\.NoFear\.desktop;vim\.desktop;$/m);
    assert.deepEqual(withoutNoFear(after), MIMEAPPS, "bytes other than NoFear's changed");
    await nofearctl('integrate', 'uninstall');
    assert.deepEqual(readFileSync(mimeapps), MIMEAPPS);
  });

  it("Thunar's uca.xml keeps bytes that are not UTF-8 around NoFear's actions; uninstall restores it byte for byte", async () => {
    const uca = path.join(tree.configHome, 'Thunar', 'uca.xml');
    mkdirSync(path.dirname(uca), { recursive: true });
    writeFileSync(uca, UCA);
    await nofearctl('integrate', 'install');
    const after = readFileSync(uca);
    assert.equal(after.indexOf(Buffer.from('\ufffd')), -1, 'a byte became U+FFFD');
    let rest = after.toString('latin1');
    // NoFear's actions (open, edit, convert, trust): each <action> element holding its unique-id, taken out.
    for (const id of ['open', 'edit', 'convert', 'trust']) {
      const at = rest.indexOf(`<unique-id>org.nofear.NoFear.${id}</unique-id>`);
      const start = rest.lastIndexOf('<action>', at);
      const end = rest.indexOf('</action>\n', at) + '</action>\n'.length;
      assert.ok(at > 0 && start > 0 && end > at, `NoFear's ${id} action is missing`);
      rest = rest.slice(0, start) + rest.slice(end);
    }
    assert.deepEqual(latin1(rest), UCA, "bytes other than NoFear's actions changed");
    await nofearctl('integrate', 'uninstall');
    assert.deepEqual(readFileSync(uca), UCA);
  });
});
