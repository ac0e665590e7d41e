import assert from 'node:assert/strict';
import { attachDeadlineMs, DEFAULT_DEADLINES, SOUND_ATTACH_EXTRA_MS } from '../../../src/gui/step-deadlines.js';

describe('gui/step-deadlines: the attach deadline follows how slow the guest started its server', () => {
  it("gives a guest that started its server quickly the server's own deadline: the program's start competes with the attach", () => {
    assert.equal(attachDeadlineMs(4_500, false), DEFAULT_DEADLINES.server);
  });

  it('gives a guest that took 40 s to start its server five times that to attach', () => {
    assert.equal(attachDeadlineMs(40_000, false), 200_000);
  });

  it('stays bounded however slow the start (a hostile guest paces both)', () => {
    assert.equal(attachDeadlineMs(115_000, false), 300_000);
  });

  it("adds the sound server's GStreamer probe on top", () => {
    assert.equal(attachDeadlineMs(4_500, true), DEFAULT_DEADLINES.server + SOUND_ATTACH_EXTRA_MS);
    assert.equal(attachDeadlineMs(115_000, true), 300_000 + SOUND_ATTACH_EXTRA_MS);
  });

  it("keeps a caller's explicit deadline as given", () => {
    assert.equal(attachDeadlineMs(115_000, true, 5_000), 5_000);
  });
});
