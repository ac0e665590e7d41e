// Value parsers: sizes with suffixes, borders, colour names, integers.
import assert from 'node:assert/strict';
import { isColourName } from '../../../src/config/colours.js';
import { formatSize, parseBorder, parseInteger, parseSize } from '../../../src/config/values.js';

describe('config/values', () => {
  it('parses sizes as bytes or with K/M/G/T suffixes in powers of 1024', () => {
    assert.deepEqual(parseSize('1000', 1), { ok: true, value: 1000 });
    assert.deepEqual(parseSize('4K', 1), { ok: true, value: 4096 });
    assert.deepEqual(parseSize('512m', 1), { ok: true, value: 512 * 1024 ** 2 });
    assert.deepEqual(parseSize(' 2G ', 1), { ok: true, value: 2 * 1024 ** 3 });
    assert.deepEqual(parseSize('1T', 1), { ok: true, value: 1024 ** 4 });
    for (const bad of ['', 'G', '1.5G', '-1', '2GB', '2 X', '0x10', '1e9']) {
      assert.equal(parseSize(bad, 1).ok, false, bad);
    }
    assert.equal(parseSize('0', 1).ok, false);
    assert.equal(parseSize('99999999999T', 1).ok, false, 'beyond a safe integer');
  });

  it('prints sizes with the largest exact suffix', () => {
    assert.equal(formatSize(2 * 1024 ** 3), '2G');
    assert.equal(formatSize(1536 * 1024), '1536K');
    assert.equal(formatSize(1000), '1000');
  });

  it('parses integers strictly within their range', () => {
    assert.deepEqual(parseInteger('64', 1, 64), { ok: true, value: 64 });
    assert.equal(parseInteger('65', 1, 64).ok, false);
    assert.equal(parseInteger('0', 1, 64).ok, false);
    for (const bad of ['2.0', '+2', '1e1', 'two', '']) assert.equal(parseInteger(bad, 0, 100).ok, false, bad);
  });

  it('parses a border as colour with an optional width', () => {
    assert.deepEqual(parseBorder('OrangeRed,3', 9), { ok: true, value: { colour: 'OrangeRed', width: 3 } });
    assert.deepEqual(parseBorder('#00ff7F', 4), { ok: true, value: { colour: '#00ff7F', width: 4 } });
    assert.deepEqual(parseBorder(' sea green , 10 ', 4), { ok: true, value: { colour: 'sea green', width: 10 } });
    for (const bad of ['', 'nocolour', '#fff', '#12345g', 'red,0', 'red,46', 'red,x', 'red,1,2', 'off', 'auto']) {
      assert.equal(parseBorder(bad, 3).ok, false, bad);
    }
  });

  it('knows the colour names GDK accepts', () => {
    for (const name of ['OrangeRed', 'orange red', 'CRIMSON', 'rebeccapurple', 'gray0', 'grey100', 'SeaGreen3', 'navyblue']) {
      assert.equal(isColourName(name), true, name);
    }
    // debianred is in some rgb.txt files but pango rejects it; red5 and gray101 do not exist.
    for (const name of ['debianred', 'red5', 'red0', 'gray101', 'gray05', 'beige1', 'notacolour', '']) {
      assert.equal(isColourName(name), false, name);
    }
  });
});
