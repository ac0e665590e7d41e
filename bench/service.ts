// The service: its idle memory, and the time from a Run call to its reply (the sandbox exists,
// state "starting") and to its end, on a private dbus-daemon.
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dbus from 'dbus-next';
import { fileURLToPath } from 'node:url';
import { rssKiB } from '../src/sandbox/proc.js';
import { startPrivateBus } from '../test/helpers/private-bus.js';
import { printFigures, recordFigures, summarise, timed } from './lib.js';

const RUNS = Number(process.env.NOFEAR_BENCH_RUNS ?? 5);
const CTL = fileURLToPath(new URL('../dist/cli/nofearctl.js', import.meta.url));

export async function benchService(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nofear-bench-svc-'));
  const runtime = path.join(dir, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  const bus = await startPrivateBus(dir);
  const service = execa(process.execPath, [CTL, 'service'], { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus.address, XDG_RUNTIME_DIR: runtime }, reject: false });
  const client = dbus.sessionBus({ busAddress: bus.address });
  try {
    let manager: ReturnType<Awaited<ReturnType<typeof client.getProxyObject>>['getInterface']> | undefined;
    for (let tries = 0; manager === undefined && tries < 100; tries++) {
      manager = await client
        .getProxyObject('org.nofear.NoFear', '/org/nofear/NoFear')
        .then((proxy) => proxy.getInterface('org.nofear.NoFear1.Manager'))
        .catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return undefined;
        });
    }
    if (manager === undefined) throw new Error('the service did not come up');
    const idle = (rssKiB(service.pid ?? 0) ?? 0) / 1024;
    const reply: number[] = [];
    const whole: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      reply.push(await timed(() => manager.Run(['true'], {})));
      whole.push(await timed(() => manager.Run(['true'], { wait: new dbus.Variant('b', true) })));
    }
    const figures = [
      summarise('service idle RSS', 'MiB', [idle]),
      summarise('Run: call to reply (sandbox starting)', 's', reply),
      summarise('Run with wait: call to the end of `true` in a VM', 's', whole),
    ];
    printFigures('service', figures);
    recordFigures('service', figures);
  } finally {
    client.disconnect();
    service.kill('SIGTERM');
    await service;
    await bus.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
