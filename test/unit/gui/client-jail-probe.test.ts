// Whether the Xpra client's jail can be built (src/gui/client-jail-probe.ts), with stand-in bwrap scripts
// (the real bwrap's answer depends on this host's user-namespace policy; the probe reads only its status
// and first stderr line): missing, refused with bwrap's words and the fix, accepted, asked once per binary.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { probeClientJail } from '../../../src/gui/client-jail-probe.js';

describe('gui/client-jail-probe: probeClientJail', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-client-jail-probe-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const bwrap = (name: string, body: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\necho run >> "${file}.runs"\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };

  it('says bubblewrap is missing, and how to install it', async () => {
    assert.deepEqual(await probeClientJail(path.join(dir, 'no-bwrap')), { usable: false, missing: true, why: `${path.join(dir, 'no-bwrap')} is missing`, fix: 'install bubblewrap' });
  });

  it('is usable when bwrap runs the probe, and asks once per binary', async () => {
    const good = bwrap('bwrap-ok', 'exit 0');
    assert.deepEqual(await probeClientJail(good), { usable: true });
    assert.deepEqual(await probeClientJail(good), { usable: true });
    assert.equal(readFileSync(`${good}.runs`, 'utf8'), 'run\n');
  });

  it("quotes bwrap's first line (or its status) when it refuses, with the user-namespace fix", async () => {
    const refused = await probeClientJail(bwrap('bwrap-denied', "echo 'bwrap: setting up uid map: Permission denied' >&2; echo second line >&2; exit 1"));
    assert.ok(!refused.usable && !refused.missing);
    assert.equal(refused.why, "bubblewrap cannot build the client's jail here (bwrap: setting up uid map: Permission denied)");
    assert.match(refused.fix, /kernel\.unprivileged_userns_clone=1/);
    const silent = await probeClientJail(bwrap('bwrap-silent', 'exit 7'));
    assert.ok(!silent.usable);
    assert.equal(silent.why, "bubblewrap cannot build the client's jail here (status 7)");
  });
});
