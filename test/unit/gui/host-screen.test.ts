// The host screen's size for the guest's X server (src/gui/host-screen.ts): xdpyinfo's dimensions read
// within what Xvfb accepts, and nothing (the guest keeps its default) when the display cannot be asked.
import assert from 'node:assert/strict';
import { hostScreenSize, parseDimensions } from '../../../src/gui/host-screen.js';

describe('gui/host-screen', () => {
  it("reads xdpyinfo's dimensions line", () => {
    const text = 'name of display:    :0\nscreen #0:\n  dimensions:    1280x900 pixels (325x229 millimeters)\n  resolution:    100x100 dots per inch\n';
    assert.deepEqual(parseDimensions(text), { width: 1280, height: 900 });
  });

  it('refuses sizes Xvfb would not take, and text without the line', () => {
    assert.equal(parseDimensions('  dimensions:    319x900 pixels (1x1 millimeters)'), undefined);
    assert.equal(parseDimensions('  dimensions:    1280x239 pixels (1x1 millimeters)'), undefined);
    assert.equal(parseDimensions('  dimensions:    16385x900 pixels (1x1 millimeters)'), undefined);
    assert.deepEqual(parseDimensions('  dimensions:    16384x16384 pixels (1x1 millimeters)'), { width: 16384, height: 16384 });
    assert.equal(parseDimensions('  dimensions:    1280x900 millimeters'), undefined);
    assert.equal(parseDimensions(''), undefined);
  });

  it('answers nothing for a display that cannot be reached (the real xdpyinfo fails)', async () => {
    assert.equal(await hostScreenSize({ DISPLAY: ':4091' }), undefined);
  });
});
