// MIME detection: the content/name rule, globs2 matching, the type tree, and `file` on real files in a temp dir.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { nodeFileReader } from '../../../src/desktop/file-reader.js';
import { matchName, mergeGlobs, parseGlobs2 } from '../../../src/desktop/globs.js';
import { contentMime, decideMime, detectMime, loadMimeDatabase, normaliseMagicType, type MimeDatabase } from '../../../src/desktop/mime-detect.js';
import { isSubtypeOf, mimeLineage, parseMimeTree } from '../../../src/desktop/mime-tree.js';
import { xdgDirsFromEnv } from '../../../src/desktop/xdg-dirs.js';

const tree = parseMimeTree([
  {
    subclasses: 'text/csv text/plain\ntext/html text/plain\napplication/x-compressed-tar application/gzip\ntext/x-python text/plain\ntext/x-python3 text/x-python\nimage/svg+xml application/xml\n',
    aliases: 'application/x-pdf application/pdf\ntext/x-sh application/x-shellscript\n',
    types:
      'application/pdf\ntext/plain\ntext/csv\ntext/html\napplication/gzip\napplication/x-compressed-tar\ntext/x-python\ntext/x-python3\napplication/x-shellscript\napplication/x-executable\napplication/xml\nimage/svg+xml\n',
  },
  { subclasses: 'text/x-python application/x-executable\n' },
]);

describe('desktop/mime-detect', () => {
  describe('the content/name rule', () => {
    it('lets the content win over a contradicting name, with a note', () => {
      const decision = decideMime(tree, 'text/html', ['application/pdf']);
      assert.equal(decision.mime, 'text/html');
      assert.equal(decision.from, 'content');
      assert.match(decision.note ?? '', /content is text\/html but the name suggests application\/pdf/);
    });

    it('lets the name narrow a generic content type, never contradict it', () => {
      assert.deepEqual([decideMime(tree, 'text/plain', ['text/csv']).mime, decideMime(tree, 'text/plain', ['text/csv']).from], ['text/csv', 'name']);
      assert.equal(decideMime(tree, 'application/gzip', ['application/x-compressed-tar']).mime, 'application/x-compressed-tar');
      assert.equal(decideMime(tree, 'application/octet-stream', ['application/pdf']).mime, 'application/pdf');
      assert.equal(decideMime(tree, 'text/plain', ['application/pdf']).mime, 'text/plain');
    });

    it('lets a mail name decide on text content: an .mbox whose first body is HTML is a mailbox, never a web page', () => {
      assert.deepEqual([decideMime(tree, 'text/html', ['application/mbox']).mime, decideMime(tree, 'text/html', ['application/mbox']).from], ['application/mbox', 'name']);
      assert.equal(decideMime(tree, 'text/html', ['message/rfc822']).mime, 'message/rfc822');
      assert.equal(decideMime(tree, 'application/pdf', ['application/mbox']).mime, 'application/pdf', 'only text: a PDF named .mbox stays a PDF');
    });

    it('keeps a more specific content type without calling it a disagreement', () => {
      const decision = decideMime(tree, 'image/svg+xml', ['application/xml']);
      assert.deepEqual([decision.mime, decision.note], ['image/svg+xml', undefined]);
    });

    it('agrees quietly, resolving aliases on both sides', () => {
      assert.deepEqual(decideMime(tree, 'application/x-pdf', ['application/pdf']), { mime: 'application/pdf', from: 'both', content: 'application/pdf', byName: ['application/pdf'], note: undefined });
    });

    it('goes by the name for an empty or unexaminable file, and says so', () => {
      assert.equal(decideMime(tree, 'inode/x-empty', ['text/csv']).mime, 'text/csv');
      assert.equal(decideMime(tree, 'inode/x-empty', []).mime, 'application/x-zerosize');
      const unknown = decideMime(tree, undefined, []);
      assert.deepEqual([unknown.mime, unknown.from], ['application/octet-stream', 'none']);
      assert.match(decideMime(tree, undefined, ['application/pdf']).note ?? '', /could not be examined/);
    });

    it("translates libmagic's own type names before comparing", () => {
      assert.equal(normaliseMagicType(tree, 'text/x-script.python'), 'text/x-python');
      assert.equal(normaliseMagicType(tree, 'text/x-shellscript'), 'application/x-shellscript');
      assert.equal(normaliseMagicType(tree, 'application/x-pie-executable'), 'application/x-executable');
      assert.equal(decideMime(tree, 'text/x-script.python', ['text/x-python']).from, 'both');
    });

    it('goes by the name when libmagic names a type shared-mime-info does not know', () => {
      const decision = decideMime(tree, 'text/x-made-up', ['text/x-python']);
      assert.deepEqual([decision.mime, decision.from], ['text/x-python', 'name']);
      assert.match(decision.note ?? '', /unknown to shared-mime-info/);
    });
  });

  describe('the type tree', () => {
    it('walks parents nearest first, merging directories, and ends text types with text/plain', () => {
      assert.deepEqual(mimeLineage(tree, 'text/x-python3'), ['text/x-python3', 'text/x-python', 'text/plain', 'application/x-executable']);
      assert.deepEqual(mimeLineage(tree, 'text/x-unlisted'), ['text/x-unlisted', 'text/plain']);
      assert.deepEqual(mimeLineage(tree, 'TEXT/X-SH'), ['application/x-shellscript']);
      assert.equal(isSubtypeOf(tree, 'application/pdf', 'application/octet-stream'), true);
      assert.equal(isSubtypeOf(tree, 'inode/directory', 'application/octet-stream'), false);
      assert.equal(isSubtypeOf(tree, 'text/csv', 'application/gzip'), false);
    });
  });

  describe('globs2', () => {
    const rules = mergeGlobs([
      parseGlobs2('# user\n50:text/x-mine:*.mine\n60:application/x-user-pdf:__NOGLOBS__\n'),
      parseGlobs2(
        [
          '# system',
          '50:application/pdf:*.pdf',
          '50:text/x-csrc:*.c',
          '50:text/x-c++src:*.C:cs',
          '50:application/x-compressed-tar:*.tar.gz',
          '50:application/gzip:*.gz',
          '10:text/x-makefile:makefile',
          '50:text/x-makefile:*.mk',
          '55:text/x-weighty:*.pdf.w',
          '45:text/x-light:*.w',
          '50:application/x-user-pdf:*.updf',
          '50:text/x-a:*.dup',
          '50:text/x-b:*.dup',
          '50:application/x-sharedlib:*.so.[0-9]*',
        ].join('\n'),
      ),
    ]);
    const cases: Record<string, string[]> = {
      'report.pdf': ['application/pdf'],
      'REPORT.PDF': ['application/pdf'],
      'x.c': ['text/x-csrc'],
      'x.C': ['text/x-c++src'],
      'a.tar.gz': ['application/x-compressed-tar'],
      Makefile: ['text/x-makefile'],
      'doc.pdf.w': ['text/x-weighty'],
      'x.updf': [],
      'a.dup': ['text/x-a', 'text/x-b'],
      'libc.so.6': ['application/x-sharedlib'],
      'x.mine': ['text/x-mine'],
      '; rm -rf ~ #.pdf': ['application/pdf'],
      'line\nbreak.pdf': ['application/pdf'],
      noextension: [],
    };
    for (const [name, types] of Object.entries(cases)) {
      it(`matches ${JSON.stringify(name)} → ${types.join(', ') || 'nothing'}`, () => {
        assert.deepEqual(matchName(rules, name).types, types);
      });
    }
  });

  describe('on real files (file(1) and shared-mime-info)', function () {
    this.timeout(20000);
    let dir = '';
    let db: MimeDatabase;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'nofear-mime-'));
      db = await loadMimeDatabase(nodeFileReader, xdgDirsFromEnv({}, dir));
    });
    after(async () => rm(dir, { recursive: true, force: true }));

    async function detect(name: string, content: string | Buffer) {
      const file = path.join(dir, name);
      await writeFile(file, content);
      return detectMime(file, db);
    }

    it('opens a report.pdf holding HTML as HTML, and says why', async () => {
      const decision = await detect('report.pdf', '<!DOCTYPE html>\n<html><head><title>x</title></head><body><p>hi</p></body></html>\n');
      assert.equal(decision.mime, 'text/html');
      assert.deepEqual(decision.byName, ['application/pdf']);
      assert.match(decision.note ?? '', /content wins/);
    });

    it('agrees on a real PDF header', async () => {
      const decision = await detect('real.pdf', '%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
      assert.deepEqual([decision.mime, decision.from], ['application/pdf', 'both']);
    });

    it('narrows plain text by the name, and copes with hostile names', async () => {
      assert.equal((await detect('-rf; $(touch x) "q"\n.csv', 'a,b\n1,2\n')).mime, 'text/csv');
    });

    it('falls back to the name when file(1) is missing, saying so', async () => {
      const file = path.join(dir, 'report.pdf');
      const content = await contentMime(file, { command: '/nonexistent/file' });
      assert.match(content.problem ?? '', /not installed/);
      assert.equal(decideMime(db.tree, content.mime, ['application/pdf']).mime, 'application/pdf');
    });
  });
});
