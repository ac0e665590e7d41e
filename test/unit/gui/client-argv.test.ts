import assert from 'node:assert/strict';
import { buildClientArgv, titleTemplate } from '../../../src/gui/client-argv.js';

describe('the host Xpra client command line', () => {
  const base = { xpra: '/usr/bin/xpra', socket: '/run/n/0123abcd/gui.sock', profile: 'temporary', border: { colour: 'OrangeRed', width: 3 }, clipboard: 'off' as const, sound: false };

  it('attaches to the sandbox socket with the border and the title marker first', () => {
    const argv = buildClientArgv(base);
    assert.deepEqual(argv.slice(0, 5), ['/usr/bin/xpra', 'attach', 'socket:///run/n/0123abcd/gui.sock', '--border=OrangeRed,3', '--title=[NoFear:temporary] @title@']);
  });
  it('turns off every channel NoFear does not use', () => {
    const argv = buildClientArgv(base);
    for (const off of [
      '--file-transfer=no',
      '--open-files=no',
      '--printing=no',
      '--webcam=no',
      '--mmap=no',
      '--dbus-proxy=no',
      '--notifications=no',
      '--microphone=no',
      '--speaker=no',
      '--clipboard=no',
      '--open-url=no',
    ]) {
      assert.ok(argv.includes(off), off);
    }
  });
  it('lets the clipboard go host-to-guest only when configured, and sound only when asked', () => {
    const argv = buildClientArgv({ ...base, clipboard: 'to-guest', sound: true });
    assert.ok(argv.includes('--clipboard-direction=to-server'));
    assert.ok(argv.includes('--speaker=on'));
    assert.ok(argv.includes('--microphone=no'), 'no, not off: off still offers the microphone');
    assert.equal(buildClientArgv(base).includes('--speaker=no'), true);
    assert.equal(buildClientArgv(base).includes('--microphone=no'), true);
    assert.equal(argv.includes('--clipboard=no'), false);
  });
  it('keeps a profile name from breaking the template', () => {
    assert.equal(titleTemplate('a b@title@'), '[NoFear:a_b_title_] @title@');
  });
});
