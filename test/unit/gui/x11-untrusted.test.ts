import assert from 'node:assert/strict';
import { parseHelperLine } from '../../../src/gui/x11-untrusted.js';
import { parseXauthority } from '../../../src/gui/xauthority.js';

describe("the untrusted X cookie helper's answer", () => {
  it('becomes an Xauthority file with one wildcard entry for the display', () => {
    const answer = parseHelperLine('cookie 00112233445566778899aabbccddeeff', 7);
    assert.ok(answer.ok);
    assert.deepEqual(
      parseXauthority(answer.xauthority).map((e) => [e.family, e.address.length, e.number, e.name, e.data.toString('hex')]),
      [[0xffff, 0, '7', 'MIT-MAGIC-COOKIE-1', '00112233445566778899aabbccddeeff']],
    );
  });
  it('says why not, and takes nothing else for a cookie', () => {
    assert.deepEqual(parseHelperLine('unsupported this X server has no SECURITY extension', 0), { ok: false, why: 'this X server has no SECURITY extension' });
    for (const odd of ['cookie xyz', 'cookie ', 'cookie 0011\u001b[2J', '', 'hello']) assert.equal(parseHelperLine(odd, 0).ok, false, odd);
  });
});
