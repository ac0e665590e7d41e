// The sidecar path of the mark, on a real filesystem without user xattrs: a ramfs mounted (as root, in a
// private mount namespace) as the untrusted place. The watcher, trust, a guest's file and nofearctl trust status
// all use NoFear's sidecar there, and doctor names the place. The xattr path is test/integration/trust.test.ts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { bin, ROOT } from '../helpers/cli.js';

describe('the mark of the outside where user xattrs are missing (ramfs, root)', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-sidecar-'));
    mkdirSync(path.join(dir, 'place'));
    mkdirSync(path.join(dir, 'config', 'nofear'), { recursive: true });
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('marks an arrival in the sidecar by device and inode; the mark follows a rename; trust and guest files use it; status and doctor read it', async () => {
    const place = path.join(dir, 'place');
    const state = path.join(dir, 'state');
    const script = [
      'set -e',
      'mount -t ramfs none "$1"',
      `node --import tsx ${JSON.stringify(path.join(ROOT, 'test', 'fixtures', 'trust-sidecar.ts'))} "$1" "$2"`,
      'echo ---',
      `printf '[trust]\\nplaces = %s\\n' "$1" > "$3/nofear/config.ini"`,
      `XDG_STATE_HOME="$2" XDG_CONFIG_HOME="$3" node ${JSON.stringify(bin('nofearctl'))} trust status "$1/b.pdf"`,
      `XDG_STATE_HOME="$2" XDG_CONFIG_HOME="$3" node ${JSON.stringify(bin('nofearctl'))} trust status "$1/guest.odt"`,
      `XDG_STATE_HOME="$2" XDG_CONFIG_HOME="$3" node ${JSON.stringify(bin('nofearctl'))} doctor | grep -A1 'trust places' || true`,
    ].join('\n');
    const run = await execa('unshare', ['-m', 'sh', '-c', script, 'sh', place, state, path.join(dir, 'config')], { cwd: ROOT, reject: false, timeout: 100_000 });
    assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
    const [json = '', cli = ''] = run.stdout.split('\n---\n');
    const result = JSON.parse(json) as Record<string, unknown>;
    assert.equal(result.marked, true, run.stderr);
    // From the sidecar's mark, not the place (the place was left out of this question).
    assert.deepEqual(result.afterMove, { outside: true, why: (result.afterMove as { why: string }).why });
    assert.match((result.afterMove as { why: string }).why, /^arrived in .*place, marked \d{4}-/);
    assert.equal(result.guestStore, 'sidecar');
    assert.match((result.guestVerdict as { why: string }).why, /^made in a NoFear VM \(an edit saved back\)/);
    assert.equal(result.trustStore, 'sidecar');
    assert.equal((result.afterTrust as { outside: boolean }).outside, false);
    const lines = cli.split('\n');
    assert.match(lines[0] ?? '', /^not marked \(trusted by you/);
    assert.match(lines[1] ?? '', /^marked \(from outside: made in a NoFear VM/);
    assert.match(cli, /WARN +trust places +no user xattrs on .*place: marks there are kept in NoFear's sidecar[\s\S]*fix: mount that filesystem with user_xattr/);
  });
});
