// A small, valid one-page PDF with a visible title, written by NoFear itself (no generator needed):
// the sample `make demo` opens and the tests' fixture.

function pdfString(text: string): string {
  return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

export function samplePdf(title = 'Opened safely by NoFear', subtitle = 'This page was rendered inside a throwaway VM.'): Buffer {
  const content = [
    '0.95 0.27 0 rg 0 742 612 50 re f', // an OrangeRed banner
    '0.1 0.3 0.6 rg 72 600 468 90 re f',
    'BT /F1 28 Tf 1 1 1 rg 86 636 Td',
    `${pdfString(title)} Tj ET`,
    'BT /F1 14 Tf 0 0 0 rg 72 560 Td',
    `${pdfString(subtitle)} Tj ET`,
    '0.2 0.6 0.2 rg 72 480 140 50 re f 0.9 0.8 0.1 rg 236 480 140 50 re f 0.6 0.2 0.7 rg 400 480 140 50 re f',
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Title ${pdfString(title)} /Producer (NoFear) >>`,
  ];
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
