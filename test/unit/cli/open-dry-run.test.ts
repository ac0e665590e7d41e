// Whether nofear-open hands an open to the service or runs it itself (src/cli/open-dry-run.ts), and what
// --dry-run says of a link's reuse when the open would not reach the service.
import assert from 'node:assert/strict';
import { goesThroughService } from '../../../src/cli/open-dry-run.js';
import type { OpenArgs } from '../../../src/cli/nofear-open-args.js';

const args = (over: Partial<OpenArgs> = {}): OpenArgs => ({
  profile: undefined,
  viewer: undefined,
  wait: false,
  noService: false,
  dryRun: false,
  verbose: false,
  quiet: false,
  targets: ['/tmp/x.pdf'],
  convert: false,
  output: undefined,
  ocr: false,
  ocrLang: undefined,
  dpi: undefined,
  jpeg: false,
  passwordStdin: false,
  keepOriginals: undefined,
  edit: false,
  saveBack: 'ask',
  net: 'none',
  sound: undefined,
  ...over,
});

describe('cli/open-dry-run', () => {
  const bus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' };

  it('an open goes through the service when there is a session bus and nothing keeps it here', () => {
    assert.equal(goesThroughService(args(), bus), true);
    assert.equal(goesThroughService(args(), {}), false, 'no session bus');
    assert.equal(goesThroughService(args(), { DBUS_SESSION_BUS_ADDRESS: '' }), false, 'an empty bus address');
    assert.equal(goesThroughService(args({ noService: true }), bus), false, '--no-service');
    assert.equal(goesThroughService(args({ net: 'user' }), bus), false, '--net user');
    assert.equal(goesThroughService(args({ sound: true }), bus), false, '--sound');
    assert.equal(goesThroughService(args({ sound: false }), bus), false, '--no-sound');
  });

  it('--edit goes through the service from the desktop (no terminal), and stays here on a terminal, where it asks', () => {
    const wasTty = process.stderr.isTTY;
    try {
      process.stderr.isTTY = false;
      assert.equal(goesThroughService(args({ edit: true }), bus), true);
      process.stderr.isTTY = true;
      assert.equal(goesThroughService(args({ edit: true }), bus), false);
      assert.equal(goesThroughService(args(), bus), true, 'a plain open from a terminal still goes to the service');
    } finally {
      process.stderr.isTTY = wasTty;
    }
  });
});
