// closeInheritedDescriptors in a real child Node that inherited two descriptors without close-on-exec (as
// from `exec 20</home/victim` in a shell): both closed, Node's IPC channel kept when NODE_CHANNEL_FD names
// it, stdio untouched, and Node's own (close-on-exec) descriptors left alone: in a child, where the inherited
// ones can be made; in the runner, only that a descriptor Node opened survives.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closeInheritedDescriptors } from '../../../src/util/inherited-fds.js';
import { exitOf } from '../../../src/util/child.js';

const MODULE = fileURLToPath(new URL('../../../src/util/inherited-fds.ts', import.meta.url));

interface Round {
  closed: number[];
  open: number[];
}

/**
 * In a child Node that bash started with fds 20 and 21 open on a file (bash's redirections carry no
 * close-on-exec; dash takes only one-digit descriptors), closeInheritedDescriptors first with
 * NODE_CHANNEL_FD=21, then without: what each round closed and what stayed open after it.
 */
async function roundsInChild(): Promise<[Round, Round]> {
  const code = [
    `import { closeInheritedDescriptors } from ${JSON.stringify(MODULE)};`,
    `import { readdirSync } from 'node:fs';`,
    `const round = (env) => ({ closed: closeInheritedDescriptors(env), open: readdirSync('/proc/self/fd').map(Number) });`,
    `const first = round({ NODE_CHANNEL_FD: '21' });`,
    `process.stdout.write(JSON.stringify([first, round({})]));`,
  ].join('\n');
  const script = 'exec "$0" --import tsx --input-type=module -e "$1" 20<"$2" 21<"$2"';
  const child = spawn('bash', ['-c', script, process.execPath, code, MODULE], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exit = await exitOf(child);
  assert.deepEqual(exit, { code: 0, signal: null });
  return JSON.parse(out) as [Round, Round];
}

describe('util/inherited-fds closeInheritedDescriptors', () => {
  it('closes what a child inherited without close-on-exec, except the IPC channel NODE_CHANNEL_FD names', async function () {
    this.timeout(30_000); // starts a Node with tsx: seconds on a busy machine
    const [withChannel, without] = await roundsInChild();
    // The runner may itself have inherited some (they reach the child too): those go in the first round.
    assert.ok(withChannel.closed.includes(20) && !withChannel.closed.includes(21), `closed: ${withChannel.closed.join(' ')}`);
    assert.ok(!withChannel.open.includes(20) && withChannel.open.includes(21), `open: ${withChannel.open.join(' ')}`);
    assert.ok(!withChannel.closed.some((fd) => fd <= 2));
    assert.deepEqual(without.closed, [21]);
    assert.ok(
      [0, 1, 2].every((fd) => without.open.includes(fd)),
      'stdio stays',
    );
    assert.ok(without.open.length > 3, 'Node’s own descriptors (epoll, eventfds) stay');
  });

  it('never closes a descriptor Node opened itself (close-on-exec), here in the runner', () => {
    // Anything the runner inherited by accident goes too: nothing in a unit test run needs it.
    const fd = openSync(MODULE, 'r');
    try {
      assert.ok(!closeInheritedDescriptors().includes(fd));
      assert.ok(fstatSync(fd).isFile(), 'still open');
    } finally {
      closeSync(fd);
    }
  });
});
