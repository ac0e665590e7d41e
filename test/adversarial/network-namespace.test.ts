// Issue 17, the network: --net user without passt is refused with the fix (it never falls back to sharing
// the host's network); with passt, QEMU's jail has a network namespace of its own; doctor says passt is
// required for --net user.
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync, symlinkSync } from 'node:fs';

import path from 'node:path';
import { execa } from 'execa';
import { bin, runCli, type TestEnv, perTestEnv } from '../helpers/cli.js';
import { commandLine, descendants, waitForOutput } from '../helpers/proc-view.js';
import { qemuBinary } from '../../src/util/which.js';

describe('network (issue 17)', function () {
  let t: TestEnv;
  let dir: string;
  perTestEnv('nofear-net-', (env, scratch) => ([t, dir] = [env, scratch]));

  it('refuses --net user with passt hidden (NOFEAR_PASST, or a PATH without it), naming apt-get install passt; doctor says it is required', async () => {
    // A PATH holding QEMU and nothing else: everything but passt is found.
    symlinkSync(qemuBinary() ?? '/usr/bin/qemu-system-x86_64', path.join(dir, 'qemu-system-x86_64'));
    const hidden: Record<string, string>[] = [{ NOFEAR_PASST: '/nonexistent/passt' }, { PATH: dir }];
    for (const env of hidden) {
      const result = await runCli('nofear', ['-t', '--net', 'user', 'true'], t, { env });
      assert.equal(result.exitCode, 125, JSON.stringify(env));
      assert.match(result.stderr, /--net user needs passt: without it the VM would share the host's network.*Fix: (sudo )?apt-get install passt/, JSON.stringify(env));
    }
    const doctor = await runCli('nofearctl', ['doctor'], t, { env: { NOFEAR_PASST: '/nonexistent/passt' } });
    assert.match(doctor.stdout.toString(), /^WARN +passt +NOFEAR_PASST=\/nonexistent\/passt is not an executable: it is required for --net user.*\n +fix: .*apt-get install -y passt$/m);
  });

  it('with passt, QEMU and its jail run in a network namespace of their own, which holds only lo', async () => {
    const run = execa(process.execPath, [bin('nofear'), '-t', '--net', 'user', '--', 'sh', '-c', 'echo up; read line; echo "got $line"'], {
      env: t.env,
      stdin: 'pipe',
      reject: false,
      timeout: 240_000,
    });
    try {
      await waitForOutput(run, 'up');
      const below = descendants(run.pid ?? -1);
      const qemu = below.filter((pid) => commandLine(pid).startsWith('/usr/bin/qemu-system'));
      assert.equal(qemu.length, 1, below.map(commandLine).join('; '));
      // bwrap's outer process watches from the host's namespaces; the one inside (the jail's init) and QEMU do not.
      const namespace = (pid: number, kind: string) => readlinkSync(`/proc/${pid}/ns/${kind}`);
      const jail = below.filter((pid) => commandLine(pid).startsWith('/usr/bin/bwrap') && namespace(pid, 'pid') !== namespace(process.pid, 'pid'));
      assert.equal(jail.length, 1, 'QEMU runs without bwrap here');
      for (const pid of [...qemu, ...jail]) assert.notEqual(namespace(pid, 'net'), namespace(process.pid, 'net'), `${commandLine(pid).slice(0, 30)} shares the host's network namespace`);
      const interfaces = readFileSync(`/proc/${qemu[0] ?? -1}/net/dev`, 'utf8')
        .split('\n')
        .slice(2)
        .map((line) => line.split(':')[0]?.trim())
        .filter(Boolean);
      assert.deepEqual(interfaces, ['lo']);
    } finally {
      run.stdin?.end('bye\n');
    }
    const result = await run;
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /got bye/);
  });
});
