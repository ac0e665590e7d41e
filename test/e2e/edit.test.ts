// nofear-open --edit end to end: real VMs, the real Xpra forwarding on Xvfb, and a test program as the
// "editor" (a desktop entry in the test's own XDG_DATA_HOME, chosen with --with): it writes the staged
// copy, then shows a window, so the test knows the write happened and decides when the program ends (it
// closes the window). The terminal prompt is tested on a real pseudo-terminal (util-linux script). What a
// guest wrote is from outside: the saved-back edit and the "(edited in NoFear)" copy carry NoFear's mark.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { bin, leftoverSandboxes, makeTestEnv, startCli, type TestEnv } from '../helpers/cli.js';
import { pressKey, reportedWindow, suiteDisplay, type Display } from '../helpers/xvfb.js';
import { shellWord } from '../../src/util/shell-word.js';
import { cacheStagingRoot } from '../../src/sandbox/registry.js';
import { EDITED, EDITOR, installTestEditors, LOOKER } from '../helpers/test-editors.js';
import { EventWaits } from '../helpers/event-waits.js';
import { readFacts } from '../../src/trust/origin.js';
import { BROWSER_ATTR, decodeMark, ORIGIN_ATTR } from '../../src/trust/rule.js';
import { xattrBatch } from '../../src/trust/xattrs.js';

const DEADLINE_MS = 240_000;
/** Text a child prints (on a pseudo-terminal, stdout and stderr are one), waited for with a deadline; the child's end stops the wait. */
function follow(child: ChildProcess) {
  let text = '';
  const waits = new EventWaits();
  const hear = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    waits.wake();
  };
  child.stdout?.on('data', hear);
  child.stderr?.on('data', hear);
  // 'close': after the last output was read, not only the process's end.
  const ended = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    text: () => text,
    waitFor(pattern: RegExp, ms = DEADLINE_MS): Promise<RegExpExecArray> {
      return waits.until(
        () => pattern.exec(text) ?? undefined,
        () => `nofear-open printed no ${pattern}:\n${text}`,
        ms,
        ended,
      );
    },
  };
}

describe('nofear-open --edit (real QEMU, Xvfb, a test program as the editor)', function () {
  let x: Display;
  let t: TestEnv;
  let dir: string;
  let file: string;
  suiteDisplay((display) => (x = display));
  beforeEach(() => {
    t = makeTestEnv();
    installTestEditors(t.dataHome);
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-edit-'));
    file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'the original notes\n');
    chmodSync(file, 0o640);
  });
  afterEach(() => {
    assert.deepEqual(leftoverSandboxes(t), [], 'a sandbox directory was left behind');
    const staging = cacheStagingRoot(process.env);
    assert.deepEqual(existsSync(staging) ? readdirSync(staging).filter((name) => name.startsWith('.edited')) : [], [], 'the guest-written copy was left in the cache');
    t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const others = () => readdirSync(dir).filter((name) => name !== 'notes.txt');

  /** NoFear's mark on a file (its xattr, or the sidecar where the filesystem has none): where from, or undefined. */
  async function markOf(target: string): Promise<string | undefined> {
    const [state] = await readFacts([target], { env: t.env, places: [], skipped: [] });
    const mark = state?.facts.attrs[ORIGIN_ATTR];
    return mark === undefined ? undefined : decodeMark(mark).from;
  }

  /** Runs the edit, and once the program's window is there does `meanwhile`, then closes it. */
  async function edit(program: string, args: string[], meanwhile: () => void = () => {}) {
    const run = startCli('nofear-open', ['--edit', '--verbose', '--with', program, ...args, file], t, { env: { DISPLAY: x.display } });
    const window = await reportedWindow(run, DEADLINE_MS);
    meanwhile();
    await pressKey(x.display, window, 'Return');
    const result = await run;
    return { exitCode: result.exitCode, stderr: Buffer.from(result.stderr).toString('utf8') };
  }

  it('saves a changed copy back over the original, atomically (a new inode, renamed in) and byte for byte; the edit is marked', async () => {
    // The original came from a browser (only Chromium's mark): the new inode has none of its xattrs, so only NoFear's mark can say the edit is from outside.
    const [browserMark] = await xattrBatch([{ op: 'set', path: file, name: BROWSER_ATTR, value: 'https://example.org/notes.txt' }], t.env);
    assert.ok(browserMark?.ok, 'this filesystem has no user xattrs');
    const before = statSync(file);
    const result = await edit(EDITOR, ['--save-back=always']);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stderr, /notes\.txt: the changes were saved back/);
    assert.deepEqual(readFileSync(file), Buffer.from(EDITED));
    const after = statSync(file);
    assert.notEqual(after.ino, before.ino, 'written in place, not renamed over the original');
    assert.equal(after.mode & 0o777, 0o640, "the original's permissions are kept");
    assert.deepEqual(others(), [], 'a temporary file was left beside it');
    assert.equal(await markOf(file), 'made in a NoFear VM (an edit saved back)', 'the saved-back edit carries no mark');
  });

  it('when the original changed meanwhile, leaves it untouched and saves the edit beside it, marked', async () => {
    const result = await edit(EDITOR, ['--save-back=always'], () => writeFileSync(file, 'changed on the host meanwhile\n'));
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(readFileSync(file, 'utf8'), 'changed on the host meanwhile\n');
    assert.deepEqual(others(), ['notes (edited in NoFear).txt']);
    assert.deepEqual(readFileSync(path.join(dir, 'notes (edited in NoFear).txt')), Buffer.from(EDITED));
    assert.match(result.stderr, /saved as .*notes \(edited in NoFear\)\.txt \(the original changed meanwhile\)/);
    assert.equal(await markOf(path.join(dir, 'notes (edited in NoFear).txt')), 'made in a NoFear VM (an edited copy)', 'the edited copy carries no mark');
  });

  it('--save-back=never discards the changes', async () => {
    const result = await edit(EDITOR, ['--save-back=never']);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stderr, /notes\.txt: the changes were discarded/);
    assert.equal(readFileSync(file, 'utf8'), 'the original notes\n');
    assert.deepEqual(others(), []);
  });

  /** nofear-open on a pseudo-terminal (so --save-back=ask asks there), its input ours to type. */
  function onTerminal(program: string) {
    const command = [process.execPath, bin('nofear-open'), '--edit', '--verbose', '--with', program, file].map(shellWord).join(' ');
    const run = execa('script', ['-q', '-e', '-c', command, '/dev/null'], { env: { ...t.env, DISPLAY: x.display }, stdin: 'pipe', reject: false, timeout: DEADLINE_MS });
    return { run, output: follow(run) };
  }

  it('asks on the terminal when the copy changed, and saves a copy when told to', async () => {
    const { run, output } = onTerminal(EDITOR);
    const [, xid] = await output.waitFor(/window after [0-9.]+ s \(host window (0x[0-9a-f]+)\)/);
    await pressKey(x.display, String(Number(xid)), 'Return');
    await output.waitFor(/notes\.txt was changed in the VM\. Save it \[b\]ack, save it as a \[c\]opy beside it, or \[d\]iscard it\?/);
    run.stdin?.write('c\n');
    const result = await run;
    assert.equal(result.exitCode, 0, output.text());
    assert.equal(readFileSync(file, 'utf8'), 'the original notes\n');
    assert.deepEqual(readFileSync(path.join(dir, 'notes (edited in NoFear).txt')), Buffer.from(EDITED));
  });

  it('a program that leaves the copy unchanged gets no question, and nothing is written', async () => {
    const { run, output } = onTerminal(LOOKER);
    const [, xid] = await output.waitFor(/window after [0-9.]+ s \(host window (0x[0-9a-f]+)\)/);
    await pressKey(x.display, String(Number(xid)), 'Return');
    const result = await run; // it ends by itself: nothing waits for an answer
    assert.equal(result.exitCode, 0, output.text());
    assert.doesNotMatch(output.text(), /was changed in the VM|Save it|saved|discarded/);
    assert.match(output.text(), /notes\.txt: unchanged; nothing to save/);
    assert.equal(readFileSync(file, 'utf8'), 'the original notes\n');
    assert.deepEqual(others(), []);
  });
});
