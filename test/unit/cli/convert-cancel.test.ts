// Ctrl-C on nofear-open --convert before the service's Convert has replied (issue 30): the real nofear-open
// on a private dbus-daemon, against the service's real Convert and Cancel (src/service/daemon/convert-requests.ts),
// the real adapter, the real SandboxManager and Admission. The one stand-in is the VM launch (booting one
// is not this test's question, and a launch here must never happen): the service's only slot is held, so
// the Convert waits in the queue, and its reply cannot come before the caller gives up.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { defaultConfig } from '../../../src/config/index.js';
import { samplePdf } from '../../../src/demo/sample-pdf.js';
import { Admission } from '../../../src/sandbox/admission.js';
import { SandboxManager } from '../../../src/sandbox/manager.js';
import { connectSessionBus, type ServiceConnection } from '../../../src/service/bus/dbus-adapter.js';
import { sandboxObjectPath } from '../../../src/service/bus/names.js';
import { requestHandlers } from '../../../src/service/daemon/requests.js';
import type { RequestContext, ServiceSpec } from '../../../src/service/daemon/request-parts.js';
import { signalStatus } from '../../../src/util/exit-status.js';
import { bin } from '../../helpers/cli.js';
import { startPrivateBus, type PrivateBus } from '../../helpers/private-bus.js';

/** Waits until `done` holds, looking every 20 ms, for at most `ms`; `gone` (the caller's end) ends it first. */
async function until(done: () => boolean, ms: number, what: string, gone?: Promise<unknown>): Promise<void> {
  let ended = false;
  void gone?.then(() => (ended = true));
  const deadline = Date.now() + ms;
  while (!done()) {
    if (ended) throw new Error(`the caller ended before ${what}`);
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('nofear-open --convert: Ctrl-C before the Convert reply reaches the service (private dbus-daemon)', function () {
  this.timeout(60_000);
  let dir: string;
  let bus: PrivateBus;
  let service: ServiceConnection | undefined;
  let env: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-convert-cancel-'));
    const data = path.join(dir, 'data');
    mkdirSync(data);
    symlinkSync('/usr/share/mime', path.join(data, 'mime'));
    bus = await startPrivateBus(dir, {}, { activation: false });
    env = { HOME: dir, XDG_DATA_HOME: path.join(dir, 'nodata'), XDG_DATA_DIRS: data, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_STATE_HOME: path.join(dir, 'state'), XDG_RUNTIME_DIR: dir };
  });
  after(async () => {
    service?.disconnect();
    await bus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the queued conversion back: its wait ends, no VM is ever launched, and nofear-open ends as interrupted', async () => {
    const config = defaultConfig();
    const admission = new Admission({ maxSandboxes: 1, maxGuestMemoryMiB: 4096, queueTimeoutMs: 50_000 });
    const running = admission.tryAcquire(512); // another sandbox holds the only slot
    assert.ok(running !== undefined);
    const launches: ServiceSpec[] = [];
    const lines: string[] = [];
    const manager = new SandboxManager<ServiceSpec>({
      limits: { maxSandboxes: 1, maxGuestMemoryMiB: 4096, queueTimeoutMs: 50_000 },
      admission,
      lingerMs: 10,
      launch: async (spec) => {
        launches.push(spec);
        throw new Error('no VM may be launched in this test');
      },
      events: { started: () => {}, changed: () => {}, ended: () => {}, failedToStart: () => {}, stepped: () => {}, removed: () => {} },
    });
    const connection = connectSessionBus({ DBUS_SESSION_BUS_ADDRESS: bus.address }, { onEnd: () => undefined, log: () => undefined });
    service = connection;
    const context = {
      manager,
      stopPool: async () => {},
      config: () => config,
      env,
      objectPath: (sandbox: { id: string }) => sandboxObjectPath(sandbox.id),
      notifications: connection.notifications,
      log: (line: string) => void lines.push(line),
    } as unknown as RequestContext; // the members Convert and Cancel reach
    connection.exportRoot(requestHandlers(context));
    assert.equal(await connection.ownName(), true);

    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, samplePdf());
    const cli = execa(process.execPath, [bin('nofear-open'), '--convert', file], {
      env: { ...env, DBUS_SESSION_BUS_ADDRESS: bus.address, PATH: process.env.PATH ?? '/usr/bin:/bin' },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
    await until(() => manager.waiting === 1, 30_000, 'the Convert waits for a slot', cli);
    cli.kill('SIGINT');
    const result = await cli;
    await until(() => lines.some((line) => /^request [0-9a-f]{32} cancelled by its caller$/.test(line)), 10_000, 'the service heard the Cancel');
    assert.equal(manager.waiting, 0, 'the queued conversion left the queue');
    running();
    // The slot is free now: a conversion still in the queue would be launched at once.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(launches, [], 'no conversion VM was launched for the cancelled call');
    assert.equal(result.exitCode, signalStatus('SIGINT'), result.stderr);
  });
});
