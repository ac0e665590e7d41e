// The guest's GUI bridge, run on the host by a harness (a pty for the virtio-serial port, which cannot exist
// here; a real unix socket server for Xpra's): a server that dies before answering gets the client's hello
// replayed to its successor, so the client attaches instead of waiting for ever.
import assert from 'node:assert/strict';
import path from 'node:path';
import { execa } from 'execa';

const here = path.dirname(new URL(import.meta.url).pathname);
const BRIDGE = path.resolve(here, '../../../src/guest/gui-bridge.py');
const HARNESS = path.resolve(here, '../../helpers/gui-bridge-harness.py');

describe('guest GUI bridge (src/guest/gui-bridge.py)', function () {
  this.timeout(60_000);

  it("replays the client's hello to the next server when the first dies without answering, and relays the answer", async () => {
    const run = await execa('python3', [HARNESS, BRIDGE], { timeout: 50_000 });
    const result = JSON.parse(run.stdout) as Record<string, string>;
    assert.equal(result.error, undefined, `${result.error} — bridge: ${result['bridge-log']}`);
    assert.equal(result.first, result.hello);
    assert.equal(result.second, result.hello, 'the second server did not get the same hello');
    assert.equal(result['client-got'], 'server-hello');
    assert.match(result['bridge-log'] ?? '', /server closed before answering[\s\S]*replaying \d+ bytes/);
  });
});
