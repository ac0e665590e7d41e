// A conversion's budgets against a hostile converter (a real VM running test/adversarial/hostile-converter.sh):
// a guest that streams a few bytes a second for ever is stopped at the wall-clock cap with TimedOut and
// leaves nothing; its stderr with CSI, OSC and a newline reaches the terminal as visible escapes on one
// line. Crash leftovers are swept, and the OCR's empty lines are bounded (the reader, no VM needed). A
// disk filled up to its reserve is the root suite's (adversarial-root/converter-disk-full, a small tmpfs).
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bin, leftoverSandboxes, makeTestEnv, type TestEnv } from '../helpers/cli.js';
import { hostileGuestEnv } from '../helpers/hostile.js';
import { OcrReader } from '../../src/convert/ocr-words.js';
import { reapConversionLeftovers, workDirPrefix } from '../../src/convert/leftovers.js';

describe('conversion budgets against a hostile converter', function () {
  let t: TestEnv;
  let hostile: Record<string, string>;
  let dir: string;
  before(async () => {
    hostile = await hostileGuestEnv({ file: 'convert.sh', by: 'hostile-converter.sh' });
  });
  beforeEach(() => {
    t = makeTestEnv();
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-budget-'));
  });
  afterEach(() => {
    try {
      assert.deepEqual(leftoverSandboxes(t), [], 'the hostile VM left its runtime directory');
    } finally {
      t.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  async function convertHostile(mode: string, env: Record<string, string> = {}) {
    const file = path.join(dir, `${mode}.pdf`);
    writeFileSync(file, `%PDF-1.4\n${mode}\n%%EOF\n`);
    const result = await execa(process.execPath, [bin('nofear-open'), '--convert', file], { env: { ...t.env, ...hostile, ...env }, reject: false, timeout: 240_000 });
    return { ...result, left: readdirSync(dir).filter((name) => name !== path.basename(file)) };
  }

  it('a converter that streams a few bytes a second for ever: stopped at the wall-clock cap (TimedOut), nothing left', async () => {
    const result = await convertHostile('stream-forever', { NOFEAR_TEST_JOB_DEADLINE_MS: '20000' });
    assert.equal(result.exitCode, 125, result.stderr);
    assert.match(result.stderr, /the converter for .* was still running after 20 s, the most a conversion may take, and was stopped; nothing was written \(TimedOut\)/);
    assert.deepEqual(result.left, [], 'a temporary file was left beside the document');
  });

  it("the converter's stderr with CSI, OSC and a newline reaches the terminal as visible escapes on one line", async () => {
    const result = await convertHostile('stderr-escapes');
    assert.equal(result.exitCode, 125, result.stderr);
    const line = result.stderr.split('\n').find((each) => each.includes('could not render')) ?? '';
    assert.match(line, /render failed \^\[\[31mred\^\[\]0;owned\^G M-\^\["2J\^Jnofear-service: forged line”/, result.stderr);
    assert.match(line, /could not render .*\(Unrenderable\); the VM said: “/);
    assert.doesNotMatch(result.stderr, /\x1b|\x07|\u009b/, 'a raw control reached the terminal');
    assert.doesNotMatch(result.stderr, /^nofear-service: forged line/m, 'the guest started a line of its own');
  });

  it("crash leftovers are swept: an abandoned temporary safe PDF and a dead process's work directory; nothing else", async () => {
    const cache = path.join(dir, 'cache');
    const abandoned = path.join(dir, '.report.safe.pdf.nofear-0123456789abcdef');
    const recent = path.join(dir, '.other.safe.pdf.nofear-fedcba9876543210');
    const notOurs = path.join(dir, '.report.pdf.nofear-0123456789abcdef'); // an edit's temporary name: not a conversion's
    for (const file of [abandoned, recent, notOurs]) writeFileSync(file, 'half a PDF');
    for (const file of [abandoned, notOurs]) utimesSync(file, new Date(0), new Date(0));
    mkdirSync(cache);
    const dead = mkdtempSync(workDirPrefix(cache, 4194303)); // no such pid (above pid_max's default)
    const live = mkdtempSync(workDirPrefix(cache)); // a live one's: this process
    mkdirSync(path.join(dead, 'ocr'));
    writeFileSync(path.join(dead, 'ocr', 'page-00001.png'), 'pixels');
    writeFileSync(path.join(dead, 'spool-1.ppm'), 'pixels');
    await reapConversionLeftovers(dir, cache);
    assert.deepEqual(readdirSync(dir).sort(), ['.other.safe.pdf.nofear-fedcba9876543210', '.report.pdf.nofear-0123456789abcdef', 'cache']);
    assert.deepEqual(readdirSync(cache), [path.basename(live)]);
  });

  it('an OCR stream of empty lines is stopped at the line limit, not read for ever', () => {
    const reader = new OcrReader([{ width: 10, height: 10 }]);
    const empty = Buffer.alloc(1024 * 1024, 0x0a);
    assert.throws(() => {
      for (let mib = 0; mib < 230; mib++) reader.push(empty);
    }, /the OCR in the VM sent more than 2000000 lines \(OcrFailed\)/);
  });
});
