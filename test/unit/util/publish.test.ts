import assert from 'node:assert/strict';
import path from 'node:path';
import { leftoverKind } from '../../../src/convert/leftovers.js';
import { fitNameKeepingEnd, tempPathFor } from '../../../src/util/publish.js';

describe('temporary names beside a target (util/publish)', () => {
  it('keeps a short name whole', () => {
    assert.equal(fitNameKeepingEnd('report.safe.pdf', 200), 'report.safe.pdf');
  });

  it('cuts a long name in the middle, never inside a character, and keeps its end', () => {
    const name = `${'文'.repeat(100)}.safe.pdf`;
    const cut = fitNameKeepingEnd(name, 200);
    assert.ok(Buffer.byteLength(cut) <= 200, `${Buffer.byteLength(cut)} bytes`);
    assert.ok(cut.endsWith('文.safe.pdf'), cut);
    assert.ok(cut.startsWith('文文'), cut);
    assert.ok(!cut.includes('\ufffd'));
  });

  it("gives a long safe PDF's temporary file a name the leftover sweep recognises", () => {
    // Before: the first 200 bytes were kept, `.safe.pdf` was cut off, and a crash's temporary PDF stayed forever.
    const temp = path.basename(tempPathFor(path.join('/docs', `${'a'.repeat(240)}.safe.pdf`)));
    assert.ok(Buffer.byteLength(temp) <= 255);
    assert.equal(leftoverKind(temp, 'output')?.kind, 'temp-pdf');
  });
});
