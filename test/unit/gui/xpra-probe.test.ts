import assert from 'node:assert/strict';
import { unknownXpraError, xpraVerdict } from '../../../src/gui/xpra-probe.js';
import { safeViewNotice } from '../../../src/cli/open-safe-view.js';
import { displayMode } from '../../../src/cli/doctor.js';

describe('the host Xpra probe', () => {
  it('knows Xpra 3.1 (Debian 12, sid), refuses other versions, and calls a missing command or module missing', () => {
    assert.deepEqual(xpraVerdict('/usr/bin/xpra', '3.1.3'), { kind: 'known', path: '/usr/bin/xpra', version: '3.1.3' });
    assert.equal(xpraVerdict('/usr/bin/xpra', '3.1').kind, 'known');
    assert.equal(xpraVerdict('/usr/bin/xpra', '6.2.1').kind, 'unknown');
    assert.equal(xpraVerdict('/usr/bin/xpra', '3.10.1').kind, 'unknown');
    assert.equal(xpraVerdict('/usr/bin/xpra', '4.4').kind, 'unknown');
    assert.equal(xpraVerdict(undefined, '3.1.3').kind, 'missing', 'no command on PATH');
    assert.equal(xpraVerdict('/usr/bin/xpra', undefined).kind, 'missing', "Python cannot import xpra's modules");
  });

  it('refuses an unknown version with a message that names it and a fix, not a traceback', () => {
    const error = unknownXpraError({ path: '/usr/bin/xpra', version: '6.2.1' });
    assert.equal(error.code, 'Unavailable');
    assert.match(error.message, /Xpra 6\.2\.1 \(\/usr\/bin\/xpra\) is installed, but NoFear's window policy is written for Xpra 3\.1/);
    assert.match(error.fix ?? '', /nofear-open --convert/);
  });

  it('the no-Xpra notice names what is lost and how to get Xpra', () => {
    assert.match(safeViewNotice('a.pdf'), /^Xpra is not installed, so a\.pdf is shown as its safe PDF .*no editing, no links, forms or other interactivity.*sudo apt-get install xpra$/);
  });

  it('doctor says which mode this host opens files in', () => {
    assert.match(displayMode({ kind: 'known', path: '/usr/bin/xpra', version: '3.1.3' }).detail, /mode: windows/);
    const missing = displayMode({ kind: 'missing' });
    assert.equal(missing.status, 'WARN', 'without Xpra NoFear still opens files, so doctor does not fail');
    assert.match(missing.detail, /mode: safe PDFs/);
    assert.match(displayMode({ kind: 'unknown', path: '/usr/bin/xpra', version: '6.2' }).detail, /Xpra 6\.2 is not a version/);
  });
});
