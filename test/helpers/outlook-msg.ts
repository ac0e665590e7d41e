// A real Outlook .msg for the tests (an OLE compound file of MAPI property streams, as Outlook saves one),
// written by Perl's OLE::Storage_Lite, the library msgconvert reads it with (libole-storage-lite-perl, a
// dependency of libemail-outlook-message-perl): the test's own trusted input, never a message it parses.
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { samplePdf } from '../../src/demo/sample-pdf.js';

// MAPI tags (type 001F: UTF-16LE text, 0102: binary): subject, body, sender, recipients, message class,
// and one attachment (long name, extension, data, MIME type).
const WRITER = `
use strict; use warnings; use OLE::Storage_Lite; use Encode;
my ($out, $subject, $pdf) = @ARGV;
sub u { encode('UTF-16LE', shift) }
sub prop { my ($tag, $data) = @_; OLE::Storage_Lite::PPS::File->new(OLE::Storage_Lite::Asc2Ucs("__substg1.0_$tag"), $data) }
my $bytes = do { local $/; open my $f, '<:raw', $pdf or die "$pdf: $!"; <$f> };
my $attachment = OLE::Storage_Lite::PPS::Dir->new(OLE::Storage_Lite::Asc2Ucs('__attach_version1.0_#00000000'), undef, undef,
  [prop('3707001F', u('report.pdf')), prop('3704001F', u('.pdf')), prop('37010102', $bytes), prop('370E001F', u('application/pdf'))]);
my $root = OLE::Storage_Lite::PPS::Root->new(undef, undef, [
  prop('0037001F', u($subject)), prop('1000001F', u("Hello Bob,\\r\\nthe report is attached.\\r\\n")), prop('0C1A001F', u('Alice')),
  prop('0C1F001F', u('alice@example.com')), prop('0E04001F', u('Bob')), prop('001A001F', u('IPM.Note')), $attachment]);
$root->save($out) or die "cannot write $out";
`;

/** Writes DIR/NAME.msg with this subject and the sample PDF attached. */
export async function makeOutlookMessage(dir: string, name: string, subject: string): Promise<string> {
  const script = path.join(dir, 'write-msg.pl');
  const pdf = path.join(dir, 'attached.pdf');
  writeFileSync(script, WRITER);
  writeFileSync(pdf, samplePdf());
  const file = path.join(dir, name);
  await execa('perl', [script, file, subject, pdf], { timeout: 30_000 });
  return file;
}
