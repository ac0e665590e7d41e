// Following a `nofear-open --verbose` child by its step lines: the parse, where an open stopped, the child's
// own last complaint, and the window promise that settles on the window line or the child's end (real
// child processes writing the lines).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lastComplaint, OpenProgress, parseStepLine, whereItStopped, WindowNotShown, type OpenStep } from '../../../src/demo/open-progress.js';

/** A real child that writes `lines` to stderr, then exits with `status`. */
function childWriting(lines: string[], status: number) {
  const script = `process.stderr.write(${JSON.stringify(lines.join('\n') + '\n')}, () => process.exit(${status}));`;
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
}

describe('open progress (the demo and benchmarks follow nofear-open)', () => {
  it('parses step lines, with the host window id in hex, and nothing else', () => {
    assert.deepEqual(parseStepLine('nofear-open: booted after 2.5 s'), { step: 'booted', seconds: 2.5 });
    assert.deepEqual(parseStepLine('nofear-open: window after 12 s (host window 0x2a0000b)'), { step: 'window', seconds: 12, xid: 0x2a0000b });
    assert.equal(parseStepLine('nofear-open: rebooted after 2 s'), undefined);
    assert.equal(parseStepLine('nofear-open: booted after 2 s and then some'), undefined);
    assert.equal(parseStepLine('nofear-open: window after 1 s (host window 0x123456789)'), undefined);
  });

  it('says where an open stopped: before booting, or between the last step reached and the next', () => {
    assert.equal(whereItStopped(new Set()), 'before the VM booted');
    assert.equal(whereItStopped(new Set<OpenStep>(['booted'])), "after the VM booted, before the guest's Xpra server listened");
    assert.equal(whereItStopped(new Set<OpenStep>(['booted', 'server', 'attached'])), 'after the host Xpra client attached, before the window appeared');
  });

  it("takes the child's last complaint, skipping its step and --verbose detail lines", () => {
    const stderr = ['nofear-open: guest kernel: /boot/vmlinuz', 'nofear-open: the viewer crashed', 'nofear-open: booted after 3 s', 'nofear-open: accelerator: TCG', 'some other output', ''].join(
      '\n',
    );
    assert.equal(lastComplaint(stderr), 'the viewer crashed');
    assert.equal(lastComplaint('nofear: KVM not used (no /dev/kvm)\nnofear: memory: 1 GiB\n'), undefined);
    assert.equal(lastComplaint(''), undefined);
  });

  it('resolves the window with its id from the step lines, and records each step time', async () => {
    const progress = new OpenProgress(childWriting(['nofear-open: booted after 2 s', 'nofear-open: server after 4.5 s', 'nofear-open: window after 9 s (host window 0x400001)'], 0));
    assert.equal(await progress.window, 0x400001);
    assert.equal(await progress.exited, 0);
    assert.deepEqual(progress.seconds, { booted: 2, server: 4.5, window: 9 });
  });

  it("rejects the window as soon as the child ends without one, saying where it stopped and the child's complaint", async () => {
    const echoed: string[] = [];
    const progress = new OpenProgress(childWriting(['nofear-open: booted after 2 s', 'nofear-open: the VM ran out of memory'], 3), (line) => echoed.push(line));
    await assert.rejects(progress.window, (error: unknown) => {
      assert.ok(error instanceof WindowNotShown);
      assert.equal(error.status, 3);
      assert.equal(error.message, "nofear-open ended (status 3) after the VM booted, before the guest's Xpra server listened: the VM ran out of memory");
      return true;
    });
    assert.deepEqual(echoed, ['nofear-open: booted after 2 s', 'nofear-open: the VM ran out of memory']);
    assert.match(progress.stderr, /ran out of memory/);
  });

  it('reads the last words of a child that exits the moment it wrote them (20 children)', async () => {
    // The 'exit' event can come before the pipe's last bytes: the verdict used to miss the complaint.
    const verdicts = await Promise.all(
      Array.from({ length: 20 }, () => {
        const child = spawn('sh', ['-c', "printf 'nofear-open: booted after 2 s\\nnofear-open: no room for the VM\\n' >&2; exit 3"], { stdio: ['ignore', 'ignore', 'pipe'] });
        return new OpenProgress(child).window.then(
          () => 'a window',
          (error: unknown) => (error as Error).message,
        );
      }),
    );
    for (const verdict of verdicts) assert.match(verdict, /: no room for the VM$/);
  });

  it('still gives its verdict when something the child left behind holds its stderr open', async () => {
    const child = spawn('sh', ['-c', "printf 'nofear-open: gone\\n' >&2; sleep 30 & exit 4"], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    try {
      const started = Date.now();
      await assert.rejects(new OpenProgress(child).window, /status 4.*: gone$/);
      assert.ok(Date.now() - started < 10_000);
    } finally {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
    }
  });
});
