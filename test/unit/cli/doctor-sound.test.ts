import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GUEST_SOUND_FILES, soundCheck } from '../../../src/cli/doctor-sound.js';

describe("doctor's sound line", () => {
  const everything = () => true;
  it("names the guest's missing packages, once each, with the install line", () => {
    const check = soundCheck({ PATH: '/usr/bin:/bin' }, 'media', (file) => !file.includes('gstreamer-1.0'));
    assert.equal(check.status, 'WARN');
    assert.match(check.detail, /lacks gstreamer1\.0-plugins-good, gstreamer1\.0-plugins-base$/);
    assert.equal(check.fix, 'sudo apt-get install gstreamer1.0-plugins-good gstreamer1.0-plugins-base');
    assert.ok(GUEST_SOUND_FILES.length >= 4);
  });
  it('says when no sound server listens, or pacat is missing, and OK with both', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'doctor-sound-'));
    try {
      writeFileSync(path.join(dir, 'pacat'), '#!/bin/sh\n', { mode: 0o755 });
      const noServer = soundCheck({ PATH: dir, XDG_RUNTIME_DIR: dir }, 'media', everything);
      assert.equal(noServer.status, 'WARN');
      assert.match(noServer.detail, /no sound server is listening at .*pulse\/native/);
      assert.equal(soundCheck({ PATH: path.join(dir, 'none'), XDG_RUNTIME_DIR: dir }, 'media', everything).fix, 'sudo apt-get install pulseaudio-utils');
      const ok = soundCheck({ PATH: dir, PULSE_SERVER: `unix:${path.join(dir, 'pacat')}` }, 'never', everything);
      assert.equal(ok.status, 'OK', ok.detail);
      assert.match(ok.detail, /playback only.*\[gui\] sound = never/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
