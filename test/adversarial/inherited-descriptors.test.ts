// Issue 17, inherited descriptors: nofear started with descriptors its parent left open (a directory, a
// file, a FIFO, a pipe) hands none of them to any child: not to QEMU in its jail, not to the jail, not to
// the host's Xpra client. QEMU holds only what the test expects of it.
import assert from 'node:assert/strict';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';

import path from 'node:path';
import { execa } from 'execa';
import { bin, leftoverSandboxes, type TestEnv, perTestEnv } from '../helpers/cli.js';
import { commandLine, descendants, openDescriptors, waitForOutput, type OpenDescriptor } from '../helpers/proc-view.js';
import { pressKey, reportedWindow, startXvfb } from '../helpers/xvfb.js';

interface Canary {
  name: string;
  dev: number;
  ino: number;
}

/** Starts nofear through bash with fds 20-23 open on a directory, a file, a FIFO and a pipe (none close-on-exec). */
async function startWithInherited(t: TestEnv, dir: string, nofearArgs: string[], env: Record<string, string> = {}) {
  const secret = path.join(dir, 'secret-dir');
  mkdirSync(secret);
  writeFileSync(path.join(secret, 'id_rsa'), 'private key\n');
  const file = path.join(dir, 'inherited.log');
  const fifo = path.join(dir, 'inherited.fifo');
  await execa('mkfifo', [fifo]);
  // The pipe's identity is printed first (it has no path to stat); then bash becomes nofear (same pid).
  const script = 'exec 20<"$1" 21>>"$2" 22<>"$3" 23< <(:); stat -L -c "pipe %d %i" /proc/$$/fd/23; shift 3; exec "$@"';
  const run = execa('bash', ['-c', script, 'bash', secret, file, fifo, process.execPath, bin('nofear'), ...nofearArgs], {
    env: { ...t.env, ...env },
    stdin: 'pipe',
    reject: false,
    timeout: 240_000,
  });
  const pipeLine = await new Promise<string>((resolve, reject) => {
    run.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    void run.then(() => reject(new Error('bash ended before starting nofear')));
  });
  const [, dev, ino] = /^pipe (\d+) (\d+)/.exec(pipeLine) ?? [];
  const canaries: Canary[] = [...[secret, file, fifo].map((p) => ({ name: p, dev: statSync(p).dev, ino: statSync(p).ino })), { name: 'the inherited pipe', dev: Number(dev), ino: Number(ino) }];
  return { run, canaries };
}

function canariesHeld(pid: number, canaries: readonly Canary[]): string[] {
  return openDescriptors(pid).flatMap((d) => canaries.filter((c) => c.dev === d.dev && c.ino === d.ino).map((c) => `${commandLine(pid).slice(0, 40)} (${pid}) fd ${d.fd}: ${c.name}`));
}

/** What QEMU and its jail may hold: /dev/null, sockets, event and signal fds, and files of what the jail binds. */
function unexpected(descriptor: OpenDescriptor, vmDir: string): boolean {
  const expected = [/^\/dev\/null$/, /^socket:\[\d+\]$/, /^anon_inode:/, /^\/memfd:/, /^\/(usr|bin|lib|lib64|sbin|opt)(\/|$)/, /^\/nofear\//];
  return !expected.some((pattern) => pattern.test(descriptor.link)) && !descriptor.link.startsWith(`${vmDir}/`);
}

/** QEMU runs below nofear; neither it, its jail nor nofear holds a canary, and the jail holds nothing unexpected. */
function checkJail(t: TestEnv, nofear: number, canaries: readonly Canary[]): void {
  const [id] = leftoverSandboxes(t);
  const vmDir = path.join(t.runtimeBase, id ?? '', 'vm');
  const below = descendants(nofear);
  const qemu = below.filter((pid) => commandLine(pid).startsWith('/usr/bin/qemu-system'));
  assert.equal(qemu.length, 1, `QEMU among nofear's descendants: ${below.map(commandLine).join('; ')}`);
  assert.deepEqual(canariesHeld(nofear, canaries), [], 'nofear itself kept an inherited descriptor');
  assert.deepEqual(
    below.flatMap((pid) => canariesHeld(pid, canaries)),
    [],
  );
  const strays = below.flatMap((pid) =>
    openDescriptors(pid)
      .filter((d) => unexpected(d, vmDir))
      .map((d) => `${commandLine(pid).slice(0, 40)} fd ${d.fd}: ${d.link}`),
  );
  assert.deepEqual(strays, [], 'a descriptor the jail should not hold');
}

describe('inherited descriptors (issue 17)', function () {
  let t: TestEnv;
  let dir: string;
  perTestEnv('nofear-fds-', (env, scratch) => ([t, dir] = [env, scratch]));

  it('started with `exec 20</secret-dir` (and a file, a FIFO, a pipe), the running QEMU and its jail hold none of them, nor anything unexpected', async () => {
    const { run, canaries } = await startWithInherited(t, dir, ['-t', '--', 'sh', '-c', 'echo up; read line; echo "got $line"']);
    try {
      await waitForOutput(run, 'up');
      checkJail(t, run.pid ?? -1, canaries);
    } finally {
      run.stdin?.end('bye\n');
    }
    const result = await run;
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /got bye/);
  });

  it('the host Xpra client of a --gui sandbox holds none of them either', async () => {
    const x = await startXvfb();
    try {
      const { run, canaries } = await startWithInherited(t, dir, ['-t', '-v', '--gui', '--', 'xmessage', '-buttons', 'close:3', '-default', 'close', 'hi'], { DISPLAY: x.display });
      try {
        const window = await reportedWindow(run, 240_000);
        const below = descendants(run.pid ?? -1);
        // The client itself, not the bubblewrap jail's two processes around it (their argv names it too).
        const client = below.filter((pid) => commandLine(pid).includes('xpra-client.py') && path.basename(commandLine(pid).split(' ')[0] ?? '') !== 'bwrap');
        assert.equal(client.length, 1, `the Xpra client among nofear's descendants: ${below.map(commandLine).join('; ')}`);
        assert.deepEqual(
          below.flatMap((pid) => canariesHeld(pid, canaries)),
          [],
        );
        await pressKey(x.display, window, 'Return');
        assert.equal((await run).exitCode, 3);
      } finally {
        run.kill(); // a failed check must not leave the VM running
        await run;
      }
    } finally {
      await x.stop();
    }
  });
});
