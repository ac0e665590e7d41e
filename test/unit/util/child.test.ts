// exitOf, stopGroup and firstLine on real children: an exit seen even when it came first, the stop ladder
// (SIGTERM, then SIGKILL for a child that ignores it), and a first line bounded by a deadline and by the
// child's end.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { exitOf, firstLine, stopGroup } from '../../../src/util/child.js';

describe('util/child', () => {
  it('exitOf settles for a running child, for one already gone, and for one that never started', async () => {
    const child = spawn('sh', ['-c', 'exit 4'], { stdio: 'ignore' });
    assert.deepEqual(await exitOf(child), { code: 4, signal: null });
    assert.deepEqual(await exitOf(child), { code: 4, signal: null }, 'asked again after the exit');
    const missing = spawn('/nonexistent/program', [], { stdio: 'ignore' });
    assert.deepEqual(await exitOf(missing), { code: 127, signal: null });
  });

  it('stopGroup ends a child with SIGTERM, and with SIGKILL when it ignores SIGTERM past the grace', async () => {
    const polite = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    assert.deepEqual(await stopGroup(polite.pid, exitOf(polite)), { code: null, signal: 'SIGTERM' });
    // The shell says when its trap is set, so the SIGTERM cannot arrive before it.
    const stubborn = spawn('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    assert.equal(await firstLine(stubborn.stdout, stubborn, 10_000, 'the shell'), 'ready');
    assert.deepEqual(await stopGroup(stubborn.pid, exitOf(stubborn), 200), { code: null, signal: 'SIGKILL' });
  });

  it('firstLine gives the first line, trimmed, even when it arrives in pieces', async () => {
    const child = spawn('sh', ['-c', 'printf " :4"; printf "2 \\nsecond\\n"'], { stdio: ['ignore', 'pipe', 'ignore'] });
    assert.equal(await firstLine(child.stdout, child, 10_000, 'Xvfb'), ':42');
  });

  it('firstLine rejects, naming the program, when the child ends first or says nothing in time', async () => {
    const quiet = spawn('sh', ['-c', 'printf "no newline"; exit 2'], { stdio: ['ignore', 'pipe', 'ignore'] });
    await assert.rejects(firstLine(quiet.stdout, quiet, 10_000, 'dbus-daemon'), /^Error: dbus-daemon ended \(exit 2\) before it printed its line$/);
    const slow = spawn('sleep', ['60'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await assert.rejects(firstLine(slow.stdout, slow, 100, 'Xvfb'), /^Error: Xvfb printed nothing within 0.1 s$/);
    } finally {
      await stopGroup(slow.pid, exitOf(slow));
    }
  });
});
