import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { appendLog, logPath } from '../../../src/util/nofear-log.js';

describe("NoFear's log", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lives in $XDG_STATE_HOME/nofear/nofear.log, one stamped line per line, private', () => {
    const env = { XDG_STATE_HOME: dir };
    appendLog(['nofear-open: a failed', 'two\nlines'], env, 1000, new Date('2026-01-02T03:04:05Z'));
    assert.equal(logPath(env), path.join(dir, 'nofear', 'nofear.log'));
    assert.equal(readFileSync(logPath(env), 'utf8'), '2026-01-02T03:04:05.000Z nofear-open: a failed\n2026-01-02T03:04:05.000Z two\n    lines\n');
    assert.equal(statSync(logPath(env)).mode & 0o777, 0o600);
  });

  it('rotates past its bound: the newest lines in nofear.log, the previous ones in nofear.log.1, no more', () => {
    const env = { XDG_STATE_HOME: dir };
    for (let i = 0; i < 30; i++) appendLog([`line ${i} ${'x'.repeat(40)}`], env, 200);
    const current = readFileSync(logPath(env), 'utf8');
    const previous = readFileSync(`${logPath(env)}.1`, 'utf8');
    assert.ok(current.length <= 200 + 100, `nofear.log grew to ${current.length} bytes`);
    assert.ok(previous.length <= 200 + 100);
    assert.match(current, /line 29 /);
  });

  it('never throws where it cannot write', () => {
    const notADirectory = path.join(dir, 'a-file');
    writeFileSync(notADirectory, '');
    assert.doesNotThrow(() => appendLog(['x'], { XDG_STATE_HOME: notADirectory }));
  });
});
