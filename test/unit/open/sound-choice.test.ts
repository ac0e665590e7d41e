import assert from 'node:assert/strict';
import os from 'node:os';
import { parseOpenArgs } from '../../../src/cli/nofear-open-args.js';
import { defaultConfig } from '../../../src/config/index.js';
import { parseConfig } from '../../../src/config/parse.js';
import { fitsWarm } from '../../../src/sandbox/launch.js';
import { openGuiOptions } from '../../../src/sandbox/open-file.js';
import type { OpenPlan } from '../../../src/open/open-plan.js';
import { soundFor } from '../../../src/open/sound-choice.js';

describe('when an open plays sound', () => {
  it('[gui] sound = media: audio and video only; always and never as they say', () => {
    assert.equal(soundFor('media', 'audio/x-wav'), true);
    assert.equal(soundFor('media', 'video/mp4'), true);
    assert.equal(soundFor('media', 'application/pdf'), false);
    assert.equal(soundFor('media', 'x-scheme-handler/https'), false);
    assert.equal(soundFor('media', 'text/x-audio/notes'), false);
    assert.equal(soundFor('always', 'application/pdf'), true);
    assert.equal(soundFor('never', 'audio/x-wav'), false);
  });
  it('--sound and --no-sound win over [gui] sound, and exclude each other', () => {
    assert.equal(soundFor('never', 'application/pdf', true), true);
    assert.equal(soundFor('always', 'audio/x-wav', false), false);
    const parse = (...argv: string[]) => {
      const line = parseOpenArgs(argv);
      assert.equal(line.kind, 'open');
      return line.kind === 'open' ? line.args.sound : null;
    };
    assert.equal(parse('/tmp/a.wav'), undefined);
    assert.equal(parse('--sound', '/tmp/a.pdf'), true);
    assert.equal(parse('--no-sound', '/tmp/a.wav'), false);
    assert.throws(() => parseOpenArgs(['--sound', '--no-sound', '/tmp/a.wav']), /--sound and --no-sound exclude each other/);
  });
  it('reads [gui] sound, media by default, and refuses other words with the choices', () => {
    assert.equal(defaultConfig().gui.sound, 'media');
    assert.equal(parseConfig('[gui]\nsound = never\n', 'c.ini').config.gui.sound, 'never');
    const bad = parseConfig('[gui]\nsound = loud\n', 'c.ini');
    assert.equal(bad.config.gui.sound, 'media');
    assert.match(JSON.stringify(bad.problems), /media.*always.*never/);
  });
  it("gives an audio open's client sound, a warm VM's none, and keeps a sound open out of the warm pool (its guest has no sound server)", () => {
    const config = defaultConfig();
    const wav = { kind: 'file', mime: 'audio/x-wav', size: 10, file: '/tmp/a.wav' } as OpenPlan;
    assert.equal(openGuiOptions(config, {}, undefined, wav).sound, true);
    assert.equal(openGuiOptions(config, {}, undefined, { ...wav, sound: false }).sound, false);
    assert.equal(openGuiOptions(config, {}).sound, false);
    assert.equal(fitsWarm({ kind: 'open-plan', plan: wav }, os.tmpdir(), 'media'), false);
    assert.equal(fitsWarm({ kind: 'open-plan', plan: { ...wav, sound: false } }, os.tmpdir(), 'media'), true);
    assert.equal(fitsWarm({ kind: 'open-plan', plan: { ...wav, mime: 'application/pdf' } }, os.tmpdir(), 'media'), true);
  });
});
