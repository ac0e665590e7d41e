// Mail without parsing it on the host: which opens go to NoFear's message view, and the attachment
// frames the view exports, read as hostile input (split anywhere, bounded, names made plain base names).
import assert from 'node:assert/strict';
import { AttachmentStream, safeAttachmentName, type ExportedAttachment } from '../../../src/open/attachment-stream.js';
import { isMailType, messageViewArgv, wantsMessageView } from '../../../src/open/mail-plan.js';
import type { Candidate, Resolution } from '../../../src/desktop/mimeapps.js';
import { changedLines, installTypes } from '../../../src/cli/ctl-integrate.js';
import { MAIL_ATTACHMENT_TYPES, RISKY_TYPES } from '../../../src/integrate/types.js';

const frame = (action: string, name: string, bytes: Buffer) => Buffer.concat([Buffer.from(`nofear-export 1 ${action} ${bytes.length} ${Buffer.from(name).toString('base64')}\n`), bytes]);

function read(chunks: Buffer[], limits = { maxBytes: 1000, maxCount: 3 }) {
  const stream = new AttachmentStream(limits);
  const got: ExportedAttachment[] = [];
  const violations: string[] = [];
  for (const chunk of chunks) stream.push(chunk, (event) => (event.kind === 'attachment' ? got.push(event.attachment) : violations.push(event.reason)));
  return { got, violations };
}

/** A resolution whose chosen application declares these types (its desktop entry's MimeType=). */
const resolution = (mime: string, chosen?: { id: string; declares: string[] }): Resolution => ({
  mime,
  lineage: [mime],
  candidates: [],
  chosen: chosen === undefined ? undefined : ({ id: chosen.id, mime, app: { entry: { mimeTypes: chosen.declares } } } as unknown as Candidate),
});

describe('mail: the message view and its attachment exports', () => {
  it("sends mail to NoFear's view unless a mail application is registered for the mail type itself or a viewer is named", () => {
    assert.equal(wantsMessageView('message/rfc822', 'a.eml', resolution('message/rfc822'), undefined), true);
    // An editor or office suite found through text/plain (message/rfc822's parent), or recorded that way as the previous default, would show raw MIME.
    assert.equal(wantsMessageView('message/rfc822', 'a.eml', resolution('message/rfc822', { id: 'libreoffice-writer.desktop', declares: ['text/plain', 'application/msword'] }), undefined), true);
    assert.equal(wantsMessageView('message/rfc822', 'a.eml', resolution('message/rfc822', { id: 'thunderbird.desktop', declares: ['x-scheme-handler/mailto', 'message/rfc822'] }), undefined), false);
    assert.equal(wantsMessageView('message/rfc822', 'a.eml', resolution('message/rfc822'), 'mousepad.desktop'), false);
    assert.equal(wantsMessageView('application/pdf', 'a.pdf', resolution('application/pdf'), undefined), false);
    assert.equal(isMailType('application/mbox', 'box'), true);
    assert.equal(isMailType('application/x-ole-storage', 'Letter.MSG'), true, 'an Outlook .msg by its name');
    assert.equal(isMailType('application/x-ole-storage', 'sheet.xls'), false);
    assert.deepEqual(messageViewArgv('/staging/a.eml'), ['/usr/bin/python3', '/.nofear/mail-view.py', 'view', '/staging/a.eml']);
  });

  it('reads frames split anywhere, empty ones too, in order', () => {
    const whole = Buffer.concat([frame('open', 'report.pdf', Buffer.from('%PDF-1.4 x')), frame('convert', 'empty.txt', Buffer.alloc(0)), frame('open', 'b.png', Buffer.from([0, 10, 255]))]);
    const oneByOne = [...whole].map((byte) => Buffer.from([byte]));
    for (const chunks of [[whole], oneByOne]) {
      const { got, violations } = read(chunks);
      assert.deepEqual(violations, []);
      assert.deepEqual(
        got.map((a) => [a.action, a.name, a.untrustedBytes.toString('latin1')]),
        [
          ['open', 'report.pdf', '%PDF-1.4 x'],
          ['convert', 'empty.txt', ''],
          ['open', 'b.png', '\u0000\n\u00ff'],
        ],
      );
    }
  });

  it('ends the stream for good on a bad header, an over-long header, too big an attachment or too many', () => {
    assert.deepEqual(read([Buffer.from('hello\n'), frame('open', 'a', Buffer.from('x'))]).violations, ['a malformed export header']);
    assert.equal(read([Buffer.from('nofear-export 1 run 1 YQ==\nx')]).got.length, 0, 'only open and convert');
    assert.deepEqual(read([Buffer.from('n'.repeat(5000))]).violations, ['an export header longer than allowed']);
    assert.match(read([frame('open', 'big', Buffer.alloc(1001))]).violations[0] ?? '', /over the 1000-byte limit/);
    const four = read([0, 1, 2, 3].map((i) => frame('open', `f${i}`, Buffer.from('x'))));
    assert.equal(four.got.length, 3);
    assert.deepEqual(four.violations, ['more than 3 exports']);
  });

  it("makes the VM's name a plain base name: no path, no controls or bidi overrides, no hidden file, bounded", () => {
    assert.equal(safeAttachmentName('../../.bashrc'), 'bashrc');
    assert.equal(safeAttachmentName('C:\\Users\\x\\evil.exe'), 'evil.exe');
    assert.equal(safeAttachmentName('invoice\u202Efdp.exe'), 'invoicefdp.exe');
    assert.equal(safeAttachmentName('a\nb\u0007c.pdf'), 'abc.pdf');
    assert.equal(safeAttachmentName('..'), 'attachment');
    assert.equal(safeAttachmentName('dir/'), 'attachment');
    const long = safeAttachmentName(`${'x'.repeat(500)}.pdf`);
    assert.equal(long.length, 120);
    assert.ok(long.endsWith('.pdf'));
    const wide = safeAttachmentName(`${'€'.repeat(110)}.pdf`); // 334 bytes of UTF-8: over NAME_MAX
    assert.ok(Buffer.byteLength(wide) <= 200 && wide.endsWith('.pdf') && wide.startsWith('€€'), wide);
  });

  it('integrate install --mail claims the attachment types and the mail types, once each, and says what each had', () => {
    for (const type of ['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'image/png', 'application/zip', 'message/rfc822', 'application/mbox']) {
      assert.ok(MAIL_ATTACHMENT_TYPES.includes(type), type);
    }
    assert.ok(!MAIL_ATTACHMENT_TYPES.some((type) => type.startsWith('audio/') || type.startsWith('video/') || type === 'text/html'));
    const both = installTypes(true, ['message/rfc822'], false, true);
    assert.equal(both.length, new Set([...RISKY_TYPES, ...MAIL_ATTACHMENT_TYPES]).size);
    assert.deepEqual(changedLines(['application/pdf', 'message/rfc822'], { 'application/pdf': 'mupdf.desktop' }), [
      '  application/pdf: mupdf.desktop -> org.nofear.NoFear.desktop',
      '  message/rfc822: no default -> org.nofear.NoFear.desktop',
    ]);
  });
});
