import assert from 'node:assert/strict';
import { cookieScope, cookiesForDisplay, parseXauthority, serializeXauthority, type XauthEntry } from '../../../src/gui/xauthority.js';

const entry = (family: number, address: string, number: string, data: string): XauthEntry => ({
  family,
  address: Buffer.from(address, 'latin1'),
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
    const [only, ...rest] = cookiesForDisplay(parseXauthority(file), cookieScope('', 1, 'myhost', []));
    assert.deepEqual(rest, []);
    assert.equal(only?.family, 0xffff);
    assert.equal(only?.address.length, 0);
    assert.equal(only?.number, '1');
    assert.equal(only?.data.toString('hex'), 'bb'.repeat(16));
    assert.deepEqual(cookiesForDisplay(parseXauthority(file), cookieScope('', 7, 'myhost', [])), []);
    // Another machine's entry for the same number is not this machine's cookie.
    assert.deepEqual(cookiesForDisplay(parseXauthority(file), cookieScope('', 0, 'otherhost', [])), []);
  });
  it("gives a TCP display the cookie for that host only, never this machine's :N cookie", () => {
    const sshX = serializeXauthority([
      entry(256, 'myhost', '10', 'dd'.repeat(16)), // ssh -X: myhost/unix:10, used for localhost:10
      entry(0, '\x0a\0\0\x05', '10', 'ee'.repeat(16)), // 10.0.0.5:10
      entry(6, '\x20\x01\x0d\xb8' + '\0'.repeat(11) + '\x07', '10', 'ff'.repeat(16)), // [2001:db8::7]:10
    ]);
    const cookie = (host: string, resolved: string[]) => cookiesForDisplay(parseXauthority(sshX), cookieScope(host, 10, 'myhost', resolved)).map((e) => e.data.toString('hex'));
    assert.deepEqual(cookie('localhost', []), ['dd'.repeat(16)]);
    assert.deepEqual(cookie('127.0.0.1', []), ['dd'.repeat(16)]);
    assert.deepEqual(cookie('10.0.0.5', ['10.0.0.5']), ['ee'.repeat(16)]);
    assert.deepEqual(cookie('far.example', ['2001:db8::7']), ['ff'.repeat(16)]);
    assert.deepEqual(cookie('elsewhere.example', ['192.0.2.9']), [], "this machine's :10 cookie went to another host");
    assert.deepEqual(cookie('elsewhere.example', []), []);
  });
  it('takes a FamilyWild entry (what GDM writes) for any host', () => {
    const wild = serializeXauthority([entry(0xffff, '', '0', '11'.repeat(16))]);
    assert.equal(cookiesForDisplay(parseXauthority(wild), cookieScope('', 0, 'myhost', [])).length, 1);
  });
  it('keeps the whole entries of a truncated file and drops the cut one', () => {
    assert.equal(parseXauthority(file.subarray(0, file.length - 5)).length, 2);
    assert.deepEqual(parseXauthority(Buffer.from([0x01])), []);
  });
});
