// nofear-open's command (src/cli/nofear-open-main.ts), imported and run in this process on real files and
// the host's own MIME data: what --dry-run plans, how a batch with a failing target ends, and what is
// refused before any VM starts (no display, --edit on a web address). No VM boots here.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SOME_FAILED } from '../../../src/util/batch-outcome.js';
import { nofearOpenMain } from '../../../src/cli/nofear-open-main.js';
import { capturedOutput } from '../../helpers/stderr-capture.js';
import { scopedEnv } from '../../helpers/scoped-env.js';

describe('cli/nofear-open-main', function () {
  this.timeout(30_000); // reads the host's MIME and application data: slow only on a busy machine
  const env = scopedEnv();
  let dir: string;
  let text: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-open-main-'));
    text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'hello\n');
    env.set({ XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_DATA_HOME: path.join(dir, 'data'), DBUS_SESSION_BUS_ADDRESS: undefined });
  });
  afterEach(() => {
    env.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--dry-run prints the plan of each good target and ends 3 (SOME_FAILED) when another failed, naming it; 125 when all failed', async () => {
    const missing = path.join(dir, 'missing.pdf');
    const { result, stdout, stderr } = await capturedOutput(() => nofearOpenMain(['--dry-run', text, missing]), false);
    assert.equal(result, SOME_FAILED);
    assert.match(stdout, new RegExp(`^file: ${text}\nmime: text/plain\nmode: open a read-only copy in a throwaway VM without network\n`));
    assert.doesNotMatch(stdout, /missing\.pdf/);
    assert.match(stderr, new RegExp(`${missing} does not exist`));
    const alone = await capturedOutput(() => nofearOpenMain(['--dry-run', missing]), false);
    assert.deepEqual([alone.result, alone.stdout], [125, '']);
  });

  it('--dry-run of good targets only ends 0; with --edit the plan is a writable copy', async () => {
    const { result, stdout } = await capturedOutput(() => nofearOpenMain(['--dry-run', '--edit', text]), false);
    assert.equal(result, 0);
    assert.match(stdout, /^mode: edit a writable copy in a throwaway VM/m);
  });

  it('with no display, fails every target before any VM starts, with the fix', async () => {
    const runtime = path.join(dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    env.set({ DISPLAY: undefined, WAYLAND_DISPLAY: undefined, XDG_RUNTIME_DIR: runtime });
    const { result, stderr } = await capturedOutput(() => nofearOpenMain(['--no-service', text]), false);
    assert.equal(result, 125);
    assert.match(stderr, /Can't open display: DISPLAY is not set.*Fix: /);
    assert.deepEqual(readdirSync(runtime), [], 'no sandbox was registered: nothing was started');
  });

  it('refuses --edit on a web address, and answers --help with 0', async () => {
    const edit = await capturedOutput(() => nofearOpenMain(['--edit', 'https://example.com/']), false);
    assert.equal(edit.result, 125);
    assert.match(edit.stderr, /--edit takes files, not web addresses \(https:\/\/example\.com\/\)/);
    const help = await capturedOutput(() => nofearOpenMain(['--help']));
    assert.equal(help.result, 0);
    assert.match(help.stdout, /^usage: nofear-open /);
  });
});
