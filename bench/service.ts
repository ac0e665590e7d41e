// The service: its idle memory (fresh, and after some sandboxes came and went), and the time from a Run
// call to its reply (the sandbox exists, state "starting") and to the end of `true` in the VM.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dbus from 'dbus-next';
import { rssKiB } from '../src/util/proc.js';
import { startPrivateBus } from '../test/helpers/private-bus.js';
import { startForegroundService } from '../test/helpers/service.js';
import { printFigures, recordFigures, summarise, timed } from './lib.js';

const RUNS = Number(process.env.NOFEAR_BENCH_RUNS ?? 5);

export async function benchService(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nofear-bench-svc-'));
  const runtime = path.join(dir, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  mkdirSync(path.join(dir, 'config', 'nofear'), { recursive: true });
  // No warm pool: every Run pays its own boot, the case the reply time must not depend on.
  writeFileSync(path.join(dir, 'config', 'nofear', 'config.ini'), '[pool]\nsize = 0\n');
  const bus = await startPrivateBus(dir, {}, { activation: false });
  const service = startForegroundService({ DBUS_SESSION_BUS_ADDRESS: bus.address, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: path.join(dir, 'config') });
  const client = dbus.sessionBus({ busAddress: bus.address });
  try {
    await service.waitForLine(/serving org\.nofear\.NoFear/, 30_000);
    const idle = (rssKiB(service.pid) ?? 0) / 1024;
    const manager = (await client.getProxyObject('org.nofear.NoFear', '/org/nofear/NoFear')).getInterface('org.nofear.NoFear1.Manager');
    const reply: number[] = [];
    const whole: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let objectPath = '';
      reply.push(1000 * (await timed(async () => (objectPath = (await manager.Run(['true'], {})) as string))));
      await service.waitForLine(new RegExp(`sandbox ${objectPath.split('/').at(-1) ?? ''} exited`), 120_000);
      whole.push(await timed(() => manager.Run(['true'], { wait: new dbus.Variant('b', true) })));
    }
    const after = (rssKiB(service.pid) ?? 0) / 1024;
    const figures = [
      summarise('service idle RSS, fresh', 'MiB', [idle]),
      summarise(`service idle RSS after ${2 * RUNS} sandboxes`, 'MiB', [after]),
      summarise('Run: call to reply (sandbox starting)', 'ms', reply),
      summarise('Run with wait: call to the end of `true` in a VM', 's', whole),
    ];
    printFigures('service', figures);
    recordFigures('service', figures);
  } finally {
    client.disconnect();
    await service.stop();
    await bus.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
