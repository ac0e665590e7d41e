// The first open of the day (issue 30): with no NoFear service running, `nofear-open FILE` starts it by
// D-Bus activation through the service file `integrate install` wrote (a private dbus-daemon reading the
// tree's activation dir; Xvfb, real QEMU); the service, NoFear being a default handler, keeps a GUI VM
// ready ([pool] size = auto), and the second `nofear-open` is served by that very ready VM.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { samplePdf } from '../../src/demo/sample-pdf.js';
import type { SandboxRecord } from '../../src/sandbox/registry.js';
import { bin } from '../helpers/cli.js';
import { makeTree, type Tree } from '../helpers/integration-tree.js';
import { showBusLogOnFailure, startPrivateBus, type PrivateBus } from '../helpers/private-bus.js';
import { startXvfb, type Display } from '../helpers/xvfb.js';

const VM_MS = 300_000;

describe('nofear-open starts the service by activation, and the next open is warm (private bus, Xvfb, real QEMU)', function () {
  this.timeout(900_000);
  let tree: Tree;
  let x: Display;
  let bus: PrivateBus | undefined;
  let runtime: string;
  let env: Record<string, string>;
  const busLog = () => path.join(tree.top, 'bus.log');
  const record = (id: string) => JSON.parse(readFileSync(path.join(runtime, 'nofear', id, 'sandbox.json'), 'utf8')) as SandboxRecord;
  const dbusSend = (...args: string[]) => execa('dbus-send', [`--bus=${bus!.address}`, '--print-reply=literal', ...args], { reject: false, timeout: 10_000 });
  const servicePid = async () => {
    const owner = await dbusSend('--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.nofear.NoFear');
    const pid = /uint32 (\d+)/.exec(owner.stdout)?.[1];
    return pid === undefined ? undefined : Number(pid);
  };
  /** The first line of the activated service's log (it writes to the bus's stderr) that matches; ends with the service. */
  const logLine = async (pattern: RegExp, pid: number, deadlineMs: number) => {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const hit = readFileSync(busLog(), 'utf8')
        .split('\n')
        .find((line) => pattern.test(line));
      if (hit !== undefined) return hit;
      assert.ok(existsSync(`/proc/${pid}`), `the service ended before a line matching ${pattern}:\n${bus?.logTail()}`);
      assert.ok(Date.now() < deadline, `no line matching ${pattern} within ${deadlineMs} ms:\n${bus?.logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, 250)); // polls the log file for the line, bounded by the deadline
    }
  };
  const open = (file: string) => execa(path.join(tree.bin, 'nofear-open'), [file], { env, extendEnv: false, reject: false, timeout: VM_MS });

  before(async () => {
    assert.ok(existsSync(bin('nofearctl')), 'dist/ is missing: run make build first');
    tree = makeTree();
    const install = await tree.nofearctl('integrate', 'install');
    assert.equal(install.exitCode, 0, install.stderr);
    mkdirSync(path.join(tree.configHome, 'nofear'), { recursive: true });
    // [pool] size is left to its default (auto): NoFear is a default handler now, so one GUI VM is kept.
    writeFileSync(path.join(tree.configHome, 'nofear', 'config.ini'), '[pool]\nmemory = 2G\n');
    runtime = path.join(tree.top, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    x = await startXvfb();
    // dbus-daemon reads the installed service file when it starts; the service inherits this environment.
    bus = await startPrivateBus(tree.top, { ...tree.env, XDG_RUNTIME_DIR: runtime, DISPLAY: x.display });
    env = { ...tree.env, DBUS_SESSION_BUS_ADDRESS: bus.address, XDG_RUNTIME_DIR: runtime, DISPLAY: x.display };
  });

  showBusLogOnFailure(() => bus);

  after(async () => {
    if (bus !== undefined) {
      await dbusSend('--dest=org.nofear.NoFear', '/org/nofear/NoFear', 'org.nofear.NoFear1.Manager.StopAll');
      const pid = await servicePid();
      if (pid !== undefined) process.kill(pid, 'SIGTERM');
      await bus.stop();
    }
    await x?.stop();
    tree?.cleanup();
  });

  it('the first nofear-open activates the service; the second is served by the ready GUI VM', async () => {
    assert.equal(await servicePid(), undefined, 'no service runs before the first open');
    const first = path.join(tree.top, 'first.pdf');
    const second = path.join(tree.top, 'second.pdf');
    writeFileSync(first, samplePdf());
    writeFileSync(second, samplePdf());

    const opened = await open(first);
    assert.equal(opened.exitCode, 0, opened.stderr);
    const pid = await servicePid();
    assert.ok(pid !== undefined, 'the open started the service');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes('--activated'), `started by the bus: ${cmdline.join(' ')}`);

    const ready = /warm VM ([0-9a-f]{8}) ready/.exec(await logLine(/nofear-service: warm VM [0-9a-f]{8} ready$/, pid, VM_MS))?.[1] ?? '';
    const before = record(ready);
    assert.equal(before.pooled, true);
    assert.deepEqual(before.files, []);

    const warm = await open(second);
    assert.equal(warm.exitCode, 0, warm.stderr);
    const after = record(ready);
    assert.equal(after.pooled, false, 'the ready VM was taken');
    assert.deepEqual(after.files, [second], 'by the second open');
    assert.deepEqual(after.qemu, before.qemu, 'the same QEMU that was waiting');
    assert.equal(await servicePid(), pid, 'the same service served both');
  });
});
