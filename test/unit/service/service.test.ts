// `nofearctl service` (src/service/daemon/service.ts) run in this process on a private dbus-daemon, with
// real config files, the real adapter, manager and request handlers, and [pool] size = 0 (a warm VM would
// boot QEMU: the VM suites cover the pool). What is decided here: a bus that cannot be reached is an error;
// a second service leaves the name to the first and exits 0; a stop signal ends the service with 0 and
// lets the name go; a bus-activated service exits 0 when idle; the bus's end is status 1.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isNoFearError } from '../../../src/errors.js';
import { NoFearClient } from '../../../src/service/bus/client.js';
import { runService } from '../../../src/service/daemon/service.js';
import { startPrivateBus, type PrivateBus } from '../../helpers/private-bus.js';
import { whileHearingStderr } from '../../helpers/stderr-capture.js';

const SERVING = /nofear-service: serving org\.nofear\.NoFear/;

/** The SIGTERM listeners runService adds (it keeps them, and its SIGINT ones, for the life of its process): handed to `run`, then removed. */
function termListenersAddedBy<T>(run: (added: () => Array<(signal: NodeJS.Signals) => void>) => Promise<T>): Promise<T> {
  const before = { SIGTERM: new Set(process.listeners('SIGTERM')), SIGINT: new Set(process.listeners('SIGINT')) };
  const addedTo = (signal: 'SIGTERM' | 'SIGINT') => process.listeners(signal).filter((listener) => !before[signal].has(listener)) as Array<(signal: NodeJS.Signals) => void>;
  return run(() => addedTo('SIGTERM')).finally(() => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) for (const listener of addedTo(signal)) process.off(signal, listener);
  });
}

describe('service/daemon/service: the service in this process, on a private dbus-daemon', function () {
  this.timeout(30_000);
  let dir: string;
  let bus: PrivateBus;
  let env: NodeJS.ProcessEnv;

  /** Its own XDG directories and config.ini: no warm VM, no watch of Downloads, `idle_exit` seconds. */
  function home(idleExitSeconds: number): NodeJS.ProcessEnv {
    const root = mkdtempSync(path.join(dir, 'home-'));
    const xdg = (name: string) => {
      const made = path.join(root, name);
      mkdirSync(made, { recursive: true, mode: 0o700 });
      return made;
    };
    const config = xdg('config');
    mkdirSync(path.join(config, 'nofear'));
    writeFileSync(path.join(config, 'nofear', 'config.ini'), `[pool]\nsize = 0\n\n[service]\nidle_exit = ${idleExitSeconds}\n\n[trust]\nwatch = off\n`);
    return { HOME: root, XDG_CONFIG_HOME: config, XDG_RUNTIME_DIR: xdg('run'), XDG_CACHE_HOME: xdg('cache'), XDG_DATA_HOME: xdg('data'), XDG_STATE_HOME: xdg('state'), PATH: '/usr/bin:/bin' };
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-service-'));
    bus = await startPrivateBus(dir, {}, { activation: false });
  });
  beforeEach(() => {
    env = { ...home(0), DBUS_SESSION_BUS_ADDRESS: bus.address };
  });
  after(async () => {
    await bus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start without a reachable session bus', async () => {
    const unreachable = { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(dir, 'no-bus-here')}` };
    await whileHearingStderr(/$^/, async () => {
      await assert.rejects(
        termListenersAddedBy(() => runService({ activated: false }, unreachable)),
        (error: unknown) => isNoFearError(error) && error.code === 'Unavailable' && /The session bus cannot be reached/.test(error.message),
      );
    });
  });

  it('serves on the bus; a second service leaves the name to it and exits 0; a stop signal ends it with 0 and lets the name go', async () => {
    const client = NoFearClient.connect(env);
    assert.ok(client);
    try {
      const { text } = await whileHearingStderr(SERVING, (heard) =>
        termListenersAddedBy(async (added) => {
          const first = runService({ activated: false }, env);
          await heard;
          assert.equal(await client.nameHasOwner(), true);
          await client.stopAll(); // answered by the real handlers (no sandbox to stop)
          assert.equal(await runService({ activated: false }, env), 0, 'the second service');
          const [stop] = added();
          assert.ok(stop, 'the service listens for SIGTERM');
          const gone = await client.serviceGone();
          stop('SIGTERM');
          assert.equal(await first, 0);
          await gone.promise; // the name lost, as the bus tells it (the test's timeout is the deadline)
          await gone.stop();
          assert.equal(await client.nameHasOwner(), false);
        }),
      );
      assert.match(text, /another NoFear service already owns org\.nofear\.NoFear; this one exits/);
      assert.match(text, /warm pool of 0/);
      assert.match(text, /SIGTERM: stopping every sandbox and exiting/);
      assert.match(text, /stopped \(status 0\)/);
    } finally {
      client.close();
    }
  });

  it('exits 0 after idle_exit seconds with nothing to do, when bus-activated (not when started by hand)', async () => {
    env = { ...home(1), DBUS_SESSION_BUS_ADDRESS: bus.address };
    const { result, text } = await whileHearingStderr(SERVING, () => termListenersAddedBy(() => runService({ activated: true }, env)));
    assert.equal(result, 0);
    assert.match(text, /bus-activated; idle exit after 1 s/);
    assert.match(text, /idle for 1 s with no sandbox: exiting/);
  });

  it('ends with status 1 when the bus goes away', async () => {
    const ownDir = mkdtempSync(path.join(dir, 'bus-'));
    const own = await startPrivateBus(ownDir, {}, { activation: false });
    const { result, text } = await whileHearingStderr(SERVING, (heard) =>
      termListenersAddedBy(async () => {
        const service = runService({ activated: false }, { ...env, DBUS_SESSION_BUS_ADDRESS: own.address });
        await heard;
        await own.stop();
        return service;
      }),
    );
    assert.equal(result, 1);
    assert.match(text, /session bus: .*; stopping every sandbox and exiting/);
  });
});
