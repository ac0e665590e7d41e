// Issue 17, records and temp names: QEMU's jail sees no record or lock and can write only its sockets and
// export; a forged record in the runtime dir (standing for a fallen QEMU, or anyone who wrote there) never
// makes NoFear delete or write outside its own roots, nor signal a process it names; a symlink at a
// record's temp name is never followed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';

import path from 'node:path';
import { execa } from 'execa';
import { bin, leftoverSandboxes, runCli, type TestEnv, perTestEnv } from '../helpers/cli.js';
import { waitForOutput } from '../helpers/proc-view.js';
import { startPrivateBus } from '../helpers/private-bus.js';
import { startForegroundService } from '../helpers/service.js';
import { identify, isAlive, type ProcessIdentity } from '../../src/util/proc.js';
import { tempPathFor, writeFileAtomic } from '../../src/util/publish.js';
import { findGuestKernel } from '../../src/vm/kernel.js';

/** Every path below `root` (not following links), with what each holds: the victim's state, to compare. */
function snapshot(root: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      const stat = lstatSync(file);
      const key = path.relative(root, file);
      if (stat.isSymbolicLink()) found[key] = `-> ${readlinkSync(file)}`;
      else if (stat.isDirectory()) {
        found[key] = 'dir';
        walk(file);
      } else found[key] = readFileSync(file, 'utf8');
    }
  };
  walk(root);
  return found;
}

/** Paths below the jail's root that are not a system export or a kernel view: what QEMU's view adds. */
function jailFiles(root: string): string[] {
  const skip = new Set(['/usr', '/bin', '/lib', '/lib64', '/sbin', '/opt', '/proc', '/sys', '/dev']);
  const found: string[] = [];
  const walk = (inside: string) => {
    for (const name of readdirSync(path.join(root, inside))) {
      const at = path.posix.join(inside, name);
      if (skip.has(at)) continue;
      const stat = lstatSync(path.join(root, at));
      if (stat.isDirectory()) walk(at);
      else found.push(at);
    }
  };
  walk('/');
  return found.sort();
}

/** The mount points QEMU's jail has read-write, from its mountinfo. */
function writableMounts(pid: number): string[] {
  return readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => (fields[5] ?? '').split(',').includes('rw'))
    .map((fields) => (fields[4] ?? '').replace(/\\040/g, ' '));
}

describe('records and temp names (issue 17)', function () {
  let t: TestEnv;
  let dir: string;
  perTestEnv('nofear-records-', (env, scratch) => ([t, dir] = [env, scratch]), { leftovers: 'allowed' });

  it('from /proc/<qemu>/root no record or lock of any sandbox exists, and QEMU can write only its sockets (and its profile disk)', async () => {
    // A neighbour sandbox whose owner (this test) lives: its record stays on the host throughout.
    const neighbour = path.join(t.runtimeBase, 'f0f0f0f0');
    mkdirSync(path.join(neighbour, 'vm'), { recursive: true });
    writeFileSync(
      path.join(neighbour, 'sandbox.json'),
      JSON.stringify({ id: 'f0f0f0f0', profile: 'x', command: [], files: [], state: 'running', createdAt: Date.now(), owner: identify(process.pid) }),
    );
    const run = execa(process.execPath, [bin('nofear'), '-p', 'jailview', '--', 'sh', '-c', 'echo up; read line; echo "got $line"'], { env: t.env, stdin: 'pipe', reject: false, timeout: 240_000 });
    try {
      await waitForOutput(run, 'up');
      const id = leftoverSandboxes(t).find((name) => name !== 'f0f0f0f0') ?? '';
      const record = JSON.parse(readFileSync(path.join(t.runtimeBase, id, 'sandbox.json'), 'utf8')) as { vmm: ProcessIdentity };
      const vmDir = path.join(t.runtimeBase, id, 'vm');
      const root = `/proc/${record.vmm.pid}/root`;
      assert.ok(readFileSync(path.join(t.dataHome, 'nofear', 'profiles', 'jailview', 'lock'), 'utf8').length > 0, 'the profile is locked on the host');
      const seen = jailFiles(root);
      const sockets = readdirSync(vmDir)
        .sort()
        .map((name) => path.join(vmDir, name));
      assert.deepEqual(seen, [...sockets, '/nofear/disk.img', '/nofear/initramfs.cpio', '/nofear/vmlinux'].sort());
      assert.deepEqual(
        seen.filter((file) => /sandbox\.json|(^|\/)lock$|\.tmp$/.test(file)),
        [],
        'a record, lock or temp file in the jail',
      );
      assert.ok(
        sockets.every((file) => lstatSync(file).isSocket()),
        `not only sockets in the vm dir: ${sockets.join(' ')}`,
      );
      // bwrap's own fresh mounts (/, /proc, /dev, /tmp) aside, the runtime dir's vm/ and the profile disk.
      const own = ['/', '/proc', '/dev', '/tmp'];
      const writable = writableMounts(record.vmm.pid).filter((mount) => !own.includes(mount) && !mount.startsWith('/dev/'));
      assert.deepEqual(writable.sort(), ['/nofear/disk.img', vmDir].sort());
    } finally {
      run.stdin?.end('bye\n');
    }
    const result = await run;
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /got bye/);
    assert.deepEqual(leftoverSandboxes(t), ['f0f0f0f0']);
  });

  it("a forged record never makes nofear, ps, stop --all or the service start delete or write outside NoFear's roots, nor signal the process it names", async () => {
    const victim = path.join(dir, 'victim');
    mkdirSync(path.join(victim, 'Documents'), { recursive: true });
    writeFileSync(path.join(victim, 'Documents', 'thesis.odt'), 'years of work\n');
    writeFileSync(path.join(victim, 'id_rsa'), 'private key\n');
    const before = snapshot(victim);
    const cache = path.join(dir, 'cache');
    // A cache of its own (its staging dir is planted on), with the kernel already downloaded.
    const kernel = await findGuestKernel();
    const env = { XDG_CACHE_HOME: cache, XDG_CONFIG_HOME: path.join(dir, 'config'), NOFEAR_KERNEL: kernel.image, NOFEAR_KERNEL_MODULES: kernel.modulesDir };
    mkdirSync(path.join(dir, 'config', 'nofear'), { recursive: true });
    writeFileSync(path.join(dir, 'config', 'nofear', 'config.ini'), '[pool]\nsize = 0\n');
    const plant = () => {
      const forged = (id: string, owner: ProcessIdentity) => {
        mkdirSync(path.join(t.runtimeBase, id, 'vm'), { recursive: true });
        symlinkSync(victim, path.join(t.runtimeBase, id, 'vm', 'export'));
        const record = {
          id,
          profile: 'temporary',
          command: ['x'],
          files: [],
          state: 'running',
          createdAt: 0,
          owner,
          ownerKind: 'cli',
          qemu: target,
          vmm: target,
          externalStaging: victim,
          exportDir: victim,
          dir: victim,
        };
        writeFileSync(path.join(t.runtimeBase, id, 'sandbox.json'), JSON.stringify(record));
      };
      forged('f0f0f0f1', deadIdentity); // its owner gone, its "QEMU" a live process of someone else
      forged('f0f0f0f2', target); // its "owner" a live process of someone else
      mkdirSync(path.join(cache, 'nofear', 'staging'), { recursive: true });
      symlinkSync(victim, path.join(cache, 'nofear', 'staging', 'f0f0f0f1'));
      // A directory whose record names another id, old enough to be swept as debris.
      mkdirSync(path.join(t.runtimeBase, 'f0f0f0f3'), { recursive: true });
      symlinkSync(victim, path.join(t.runtimeBase, 'f0f0f0f3', 'vm'));
      writeFileSync(path.join(t.runtimeBase, 'f0f0f0f3', 'sandbox.json'), JSON.stringify({ id: '../../victim', owner: deadIdentity }));
      utimesSync(path.join(t.runtimeBase, 'f0f0f0f3'), new Date(0), new Date(0));
    };
    const clear = () => {
      for (const id of ['f0f0f0f1', 'f0f0f0f2', 'f0f0f0f3']) rmSync(path.join(t.runtimeBase, id), { recursive: true, force: true });
      rmSync(path.join(cache, 'nofear', 'staging', 'f0f0f0f1'), { force: true });
    };
    const bus = await startPrivateBus(dir, {}, { activation: false });
    // Started last before the try, whose finally ends them: nothing above can leave them running.
    const unrelated = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    const dead = spawn('true');
    const deadIdentity = identify(dead.pid ?? -1) ?? { pid: dead.pid ?? -1, startTime: 1 };
    await new Promise((resolve) => dead.once('exit', resolve));
    const target = identify(unrelated.pid ?? -1) as ProcessIdentity;
    const commands: Array<[string, () => Promise<unknown>]> = [
      ['nofearctl ps', async () => assert.equal((await runCli('nofearctl', ['ps', '--json'], t, { env })).exitCode, 0)],
      ['nofearctl stop --all', async () => assert.equal((await runCli('nofearctl', ['stop', '--all'], t, { env })).exitCode, 0)],
      ['nofear', async () => assert.equal((await runCli('nofear', ['-t', 'true'], t, { env })).exitCode, 0)],
      [
        'the service start',
        async () => {
          const service = startForegroundService({ ...t.env, ...env, DBUS_SESSION_BUS_ADDRESS: bus.address });
          await service.waitForLine(/serving org\.nofear\.NoFear/, 60_000).finally(() => service.stop());
        },
      ],
    ];
    try {
      for (const [name, command] of commands) {
        plant();
        await command();
        assert.deepEqual(snapshot(victim), before, `${name} changed the victim directory`);
        assert.equal(isAlive(target), true, `${name} signalled the process a forged record named`);
        clear();
      }
    } finally {
      unrelated.kill('SIGKILL');
      await bus.stop();
    }
  });

  it("a symlink planted at a record's temp name is never followed, and the names cannot be guessed", async () => {
    const victim = path.join(dir, 'victim.txt');
    writeFileSync(victim, 'original\n');
    const record = path.join(dir, 'sandbox.json');
    const planted = path.join(dir, '.sandbox.json.planted.tmp');
    symlinkSync(victim, planted);
    await assert.rejects(
      writeFileAtomic(record, 'forged\n', 0o600, () => planted),
      { code: 'EEXIST' },
    );
    assert.equal(readFileSync(victim, 'utf8'), 'original\n');
    assert.equal(readlinkSync(planted), victim, 'the planted link was removed or replaced');
    await writeFileAtomic(record, 'real\n', 0o600);
    assert.equal(readFileSync(record, 'utf8'), 'real\n');
    assert.equal(readFileSync(victim, 'utf8'), 'original\n');
    const names = Array.from({ length: 1000 }, () => path.basename(tempPathFor(record)));
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.match(name, /^\.sandbox\.json\.nofear-[0-9a-f]{16}$/);
    assert.deepEqual(readdirSync(dir).sort(), ['.sandbox.json.planted.tmp', 'sandbox.json', 'victim.txt']);
  });
});
