// nofearctl trust / trust status / distrust on real files (user xattrs in a temp home): the status line, the
// warning when a file from outside is trusted, the round trip back, and the errors naming the mistake.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { statusLine, trustCommand, trustNotice } from '../../../src/cli/ctl-trust.js';
import { NoFearError } from '../../../src/errors.js';
import { capturedOutput } from '../../helpers/stderr-capture.js';

const ENV_KEYS = ['HOME', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_DATA_HOME', 'NOFEAR_PYTHON'] as const;

describe('cli/ctl-trust', function () {
  this.timeout(20_000); // a Python per xattr batch: slow only on a busy machine
  let dir: string;
  let saved: Partial<Record<(typeof ENV_KEYS)[number], string>>;
  let download: string;
  let own: string;
  const run = (verb: 'trust' | 'distrust', ...operands: string[]) => capturedOutput(() => trustCommand(verb, operands));

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-ctl-trust-'));
    saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
    for (const key of ENV_KEYS) delete process.env[key];
    process.env.HOME = dir; // the default untrusted place is ~/Downloads
    process.env.XDG_CONFIG_HOME = path.join(dir, 'config');
    process.env.XDG_STATE_HOME = path.join(dir, 'state');
    process.env.XDG_DATA_HOME = path.join(dir, 'data');
    mkdirSync(path.join(dir, 'Downloads'));
    download = path.join(dir, 'Downloads', 'invoice.pdf');
    own = path.join(dir, 'notes.txt');
    writeFileSync(download, 'x');
    writeFileSync(own, 'x');
  });
  afterEach(() => {
    for (const key of ENV_KEYS) {
      const value = saved[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('says why a file is from outside, or that it is not', async () => {
    assert.equal((await run('trust', 'status', download)).stdout, `marked (from outside: in ${path.join(dir, 'Downloads')})\n`);
    assert.equal((await run('trust', 'status', own)).stdout, 'not marked\n');
  });

  it('trusts a file from outside with a warning naming the way back, then distrusts it again', async () => {
    const trusted = await run('trust', download);
    assert.equal(trusted.result, 0);
    assert.equal(trusted.stdout, `${download}: trusted\n`);
    assert.match(trusted.stderr, /^nofearctl: warning: .*invoice\.pdf came from outside \(in .*Downloads\)\. Trusted now: .* Take it back with: nofearctl distrust ".*invoice\.pdf"\n$/);
    assert.equal((await run('trust', 'status', download)).stdout, 'not marked (trusted by you: nofearctl distrust FILE takes it back)\n');
    assert.equal((await run('trust', own)).stderr, '', 'no warning for a file that was not from outside');
    const distrusted = await run('distrust', download);
    assert.equal(distrusted.stdout, `${download}: marked as from outside\n`);
    assert.match((await run('trust', 'status', download)).stdout, /^marked \(from outside: distrusted by you \(nofearctl distrust\), marked \d{4}-/);
  });

  it('refuses a missing file, a folder and extra words, each with a fix', async () => {
    const refused = async (verb: 'trust' | 'distrust', operands: string[], code: string, message: RegExp) =>
      assert.rejects(trustCommand(verb, operands), (error: unknown) => error instanceof NoFearError && error.code === code && message.test(error.message) && error.fix !== undefined);
    await refused('trust', [path.join(dir, 'gone.pdf')], 'NotFound', /gone\.pdf does not exist\.$/);
    await refused('distrust', [path.join(dir, 'Downloads')], 'InvalidArgument', /is not a regular file; NoFear marks files\.$/);
    await refused('trust', ['a.pdf', 'b.pdf'], 'InvalidArgument', /^trust takes FILE or status FILE, not "a\.pdf" "b\.pdf"\.$/);
    await refused('trust', ['status', 'a', 'b'], 'InvalidArgument', /^trust takes FILE or status FILE/);
  });

  it('statusLine keeps control characters of a mark out of the terminal', () => {
    const line = statusLine({ outside: true, why: 'downloaded from http://x/\u001b[2Jevil' });
    assert.ok(!line.includes('\u001b'), JSON.stringify(line));
    assert.ok(line.startsWith('marked (from outside: downloaded from http://x/'));
  });

  it("words trust --notify's notification: the warning, the plain outcome, or why it failed (controls out of the name)", () => {
    assert.deepEqual(trustNotice('/d/report.pdf', { warning: 'report.pdf came from outside (downloaded from x).' }), {
      summary: 'report.pdf is trusted',
      body: 'report.pdf came from outside (downloaded from x).',
    });
    assert.deepEqual(trustNotice('/d/own.pdf', {}), { summary: 'own.pdf is trusted', body: 'It opens natively from now on.' });
    // The escape is shown, not obeyed (util/text.ts's visible escapes, as for every guest or file name).
    assert.deepEqual(trustNotice('/d/a\u001b[2Jb.pdf', { failed: 'gone' }), { summary: 'NoFear could not trust a^[[2Jb.pdf', body: 'gone' });
  });
});
