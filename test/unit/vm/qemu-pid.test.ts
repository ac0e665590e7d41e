// Finding QEMU under its jail by /proc: the first process at or below a pid named like QEMU (its binary
// name, or the nofear-<id> it takes from -name). Real processes: copies of sleep(1) under those names.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findQemuBelow } from '../../../src/vm/qemu-pid.js';

describe('findQemuBelow (QEMU under its jail, by /proc)', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  /** A copy of sleep named `name`, running; spawn returns once it has exec'd, so /proc shows the name. */
  const running = (name: string): number => {
    const program = path.join(dir, name);
    copyFileSync('/bin/sleep', program);
    const child = spawn(program, ['60'], { stdio: 'ignore' });
    children.push(child);
    assert.ok(child.pid !== undefined);
    return child.pid;
  };

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-qemu-pid-'));
  });
  after(async () => {
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGKILL'))))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds a process named nofear-<id> or qemu-system-*, at the pid asked or below it', () => {
    const named = running('nofear-0123abcd');
    assert.equal(findQemuBelow(named), named);
    const qemu = running('qemu-system-x86_64');
    assert.equal(findQemuBelow(qemu), qemu);
    const below = findQemuBelow(process.pid);
    assert.ok(below === named || below === qemu, `found ${below}`);
  });

  it('finds nothing below a process with another name, or for a pid that does not exist', () => {
    assert.equal(findQemuBelow(running('not-qemu')), undefined);
    assert.equal(findQemuBelow(2 ** 22 + 1), undefined); // above pid_max's ceiling: never a process
  });
});
