// A message as mail clients write them, built here as plain text (the tests never parse mail either): a
// text body, an HTML body with a remote image (which must never be fetched) and a PDF attachment.
import { samplePdf } from '../../src/demo/sample-pdf.js';

export const SAMPLE_SUBJECT = 'Quarterly report';
/** A documentation address (RFC 5737): nothing answers there, and the VM has no network to try. */
export const REMOTE_IMAGE = 'http://192.0.2.7/tracker.png';

export function sampleMessage(subject = SAMPLE_SUBJECT): Buffer {
  const pdf = samplePdf().toString('base64').replace(/.{76}/g, '$&\r\n');
  const lines = [
    'From: Alice <alice@example.com>',
    'To: Bob <bob@example.com>',
    `Subject: ${subject}`,
    'Date: Sun, 06 Dec 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    '--outer',
    'Content-Type: multipart/alternative; boundary="inner"',
    '',
    '--inner',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello Bob,',
    'the quarterly report is attached.',
    '',
    '--inner',
    'Content-Type: text/html; charset=utf-8',
    '',
    `<html><body><p>Hello <b>Bob</b>,</p><img src="${REMOTE_IMAGE}" alt="logo"><script>document.title="pwned"</script></body></html>`,
    '',
    '--inner--',
    '',
    '--outer',
    'Content-Type: application/pdf; name="report.pdf"',
    'Content-Disposition: attachment; filename="report.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    pdf,
    '--outer--',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

/**
 * A mailbox as mail clients export one (mboxrd: a `From ` line before each message): the sample message,
 * then a second, plain one. Its view lists both; its window's title counts them.
 */
export function sampleMailbox(first: string, second: string): Buffer {
  const message = sampleMessage(first).toString('latin1').replace(/\r\n/g, '\n');
  const plain = ['From: Carol <carol@example.com>', 'To: Bob <bob@example.com>', `Subject: ${second}`, 'Date: Sun, 06 Dec 2026 11:00:00 +0000', '', 'A second message, in the same mailbox.', ''].join(
    '\n',
  );
  return Buffer.from(`From alice@example.com Sun Dec  6 10:00:00 2026\n${message}\nFrom carol@example.com Sun Dec  6 11:00:00 2026\n${plain}\n`, 'latin1');
}
