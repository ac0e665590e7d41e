// QEMU's supervision (src/vm/qemu-process.ts) on real stand-in processes (sh and sleep; no QEMU boots in
// a unit test): its own process group and a clean environment, the console kept as a bounded tail, and the stop ladder (SIGTERM to the group, SIGKILL after the grace) leaving nothing behind.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { pollUntil } from '../../../src/util/poll.js';
import { QemuProcess } from '../../../src/vm/qemu-process.js';
import { EventWaits } from '../../helpers/event-waits.js';

/** Whether a live (not yet dead: zombies are gone) process of group `pgid` remains, read from /proc. */
const groupAlive = (pgid: number): boolean =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .some((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(group) === pgid && state !== 'Z';
      } catch {
        return false; // gone while read
      }
    });

/** A killed process dies as the kernel gets to it: wait for that, with a deadline. */
const groupGone = (pgid: number): Promise<boolean> => pollUntil(() => !groupAlive(pgid), 10_000);

describe('vm/qemu-process: QemuProcess', () => {
  const started: QemuProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((qemu) => qemu.kill(100)));
  });
  const start = async (script: string, onConsole?: (chunk: Buffer) => void): Promise<QemuProcess> => {
    const qemu = await QemuProcess.start(['/bin/sh', '-c', script], onConsole === undefined ? {} : { onConsole });
    started.push(qemu);
    return qemu;
  };

  it('refuses an empty argv and a binary that does not exist', async () => {
    assert.throws(() => QemuProcess.start([]), /empty QEMU argv/);
    await assert.rejects(QemuProcess.start(['/nonexistent/qemu-system-x86_64']), /ENOENT/);
  });

  it('runs in a process group of its own with only PATH and LANG from the environment', async () => {
    let out = '';
    const waits = new EventWaits();
    const qemu = await start('echo "[$HOME|$PATH|$LANG]"; sleep 60', (chunk) => ((out += chunk.toString()), waits.wake()));
    const stat = readFileSync(`/proc/${qemu.pid}/stat`, 'utf8');
    const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    assert.equal(pgid, qemu.pid);
    await waits.until(() => (out.includes('\n') ? out : undefined), 'the first console line', 10_000, qemu.exited);
    assert.equal(out, '[|/usr/bin:/bin|C.UTF-8]\n');
    assert.equal(qemu.hasExited, false);
  });

  it('keeps the last 64 KiB of a console that writes without end', async () => {
    let bytes = 0;
    const waits = new EventWaits();
    const total = 200_000 + 3;
    const qemu = await start(`head -c 200000 /dev/zero | tr '\\0' a; printf END`, (chunk) => ((bytes += chunk.length), waits.wake()));
    await waits.until(() => (bytes === total ? true : undefined), 'the whole console', 20_000);
    await qemu.exited;
    const tail = qemu.consoleTail();
    assert.equal(tail.length, 64 * 1024, 'the last 64 KiB, not less: a large chunk is never dropped whole');
    assert.ok(tail.endsWith('aaaEND'));
    assert.equal(qemu.hasExited, true);
  });

  it('stops the whole group with SIGTERM, and with SIGKILL when it ignores SIGTERM; a second kill answers the same exit', async () => {
    const polite = await start('sleep 60 & sleep 60');
    assert.deepEqual(await polite.kill(10_000), { code: null, signal: 'SIGTERM' });
    assert.equal(await groupGone(polite.pid), true, 'the forked helper went too');

    let said = '';
    const waits = new EventWaits();
    const stubborn = await start('trap "" TERM; echo ready; sleep 60 & sleep 60', (chunk) => ((said += chunk.toString()), waits.wake()));
    await waits.until(() => (said === 'ready\n' ? true : undefined), 'SIGTERM ignored', 10_000, stubborn.exited);
    assert.deepEqual(await stubborn.kill(100), { code: null, signal: 'SIGKILL' });
    assert.equal(await groupGone(stubborn.pid), true);
    assert.deepEqual(await stubborn.kill(), { code: null, signal: 'SIGKILL' });
  });
});
