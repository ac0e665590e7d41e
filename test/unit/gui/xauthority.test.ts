import assert from 'node:assert/strict';
import { cookiesForDisplay, parseXauthority, serializeXauthority, type XauthEntry } from '../../../src/gui/xauthority.js';

const entry = (family: number, address: string, number: string, data: string): XauthEntry => ({
  family,
  address: Buffer.from(address),
  number,
  name: 'MIT-MAGIC-COOKIE-1',
  data: Buffer.from(data, 'hex'),
});

describe('the X cookie the jailed client gets', () => {
  const file = serializeXauthority([entry(256, 'myhost', '0', 'aa'.repeat(16)), entry(256, 'myhost', '1', 'bb'.repeat(16)), entry(0, '\x7f\0\0\x01', '10', 'cc'.repeat(16))]);

  it('reads back what it writes, byte for byte', () => {
    const entries = parseXauthority(file);
    assert.equal(entries.length, 3);
    assert.deepEqual(serializeXauthority(entries), file);
  });
  it("keeps only the display's cookie, usable from the jail's own host name", () => {
    const [only, ...rest] = cookiesForDisplay(parseXauthority(file), 1);
    assert.deepEqual(rest, []);
    assert.equal(only?.family, 0xffff);
    assert.equal(only?.address.length, 0);
    assert.equal(only?.number, '1');
    assert.equal(only?.data.toString('hex'), 'bb'.repeat(16));
    assert.equal(cookiesForDisplay(parseXauthority(file), 10)[0]?.data.toString('hex'), 'cc'.repeat(16));
    assert.deepEqual(cookiesForDisplay(parseXauthority(file), 7), []);
  });
  it('keeps the whole entries of a truncated file and drops the cut one', () => {
    assert.equal(parseXauthority(file.subarray(0, file.length - 5)).length, 2);
    assert.deepEqual(parseXauthority(Buffer.from([0x01])), []);
  });
});
