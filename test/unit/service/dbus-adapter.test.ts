// Both ends of NoFear's bus on a private dbus-daemon: the service's side (src/service/bus/dbus-adapter.ts)
// with stand-in request handlers (the real ones start VMs; test/unit/service/requests.test.ts has them),
// and the client NoFear's commands use (src/service/bus/client.ts). Real dbus-next, real dbus-daemon.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { invalidArgument, isNoFearError } from '../../../src/errors.js';
import { NoFearClient, serviceMissing, type SandboxEvent } from '../../../src/service/bus/client.js';
import { connectSessionBus, type RootHandlers, type RootObject, type SandboxView, type ServiceConnection } from '../../../src/service/bus/dbus-adapter.js';
import { callMethod, openSessionBus } from '../../../src/service/bus/bus.js';
import { BUS_NAME, MANAGER_INTERFACE, OBJECT_PATH, sandboxObjectPath } from '../../../src/service/bus/names.js';
import { startPrivateBus, type PrivateBus } from '../../helpers/private-bus.js';

const ID = 'a1b2c3d4';

function standInHandlers(calls: unknown[][]): RootHandlers {
  const refuse = async () => {
    throw new Error('not in this test');
  };
  return {
    openFiles: refuse,
    openUris: async (uris, options) => {
      calls.push([uris, options]);
      if (Array.isArray(uris) && uris[0] === 'file:///refused') throw invalidArgument('refused for the test.', 'pick another file');
      if (Array.isArray(uris) && uris[0] === 'file:///bug') throw new Error('a bug\nwith a second line');
      return [sandboxObjectPath(ID)];
    },
    run: refuse,
    convert: refuse,
    cancel: refuse,
    listViewers: refuse,
    stopAll: async () => void calls.push(['stopAll']),
    sandboxes: () => [sandboxObjectPath(ID)],
    activate: async () => undefined,
    open: async () => undefined,
    activateAction: async () => undefined,
  };
}

describe('service/bus: the adapter and the client on a private dbus-daemon', function () {
  this.timeout(30_000);
  let dir: string;
  let bus: PrivateBus;
  let env: NodeJS.ProcessEnv;
  let service: ServiceConnection;
  let client: NoFearClient;
  const calls: unknown[][] = [];
  const logs: string[] = [];
  let stopped = 0;
  let view: SandboxView;
  let root: RootObject;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-adapter-'));
    bus = await startPrivateBus(dir, {}, { activation: false });
    env = { DBUS_SESSION_BUS_ADDRESS: bus.address };
    service = connectSessionBus(env, { onEnd: (reason) => logs.push(`end: ${reason}`), log: (line) => logs.push(line) });
    root = service.exportRoot(standInHandlers(calls));
    view = {
      id: ID,
      state: 'running',
      command: ['mupdf', '/staging/a.pdf'],
      files: ['/home/u/a.pdf'],
      profile: 'temporary',
      startedAtMicros: 1n,
      exitStatus: -1,
      step: 'booting',
      steps: {},
      windowId: 0,
      failure: 'the viewer ended\0 early',
      stop: async () => void stopped++,
    };
    service.exportSandbox(view);
    assert.equal(await service.ownName(), true);
    const connected = NoFearClient.connect(env);
    assert.ok(connected);
    client = connected;
  });
  after(async () => {
    client?.close();
    service?.disconnect();
    await bus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('owns the name once: a second instance on the same bus is told it is taken', async () => {
    const second = connectSessionBus(env, { onEnd: () => undefined, log: () => undefined });
    try {
      assert.equal(await second.ownName(), false);
    } finally {
      second.disconnect();
    }
    assert.equal(await client.nameHasOwner(), true);
  });

  it('OpenUris carries the options given and drops empty ones; returns the sandbox paths', async () => {
    calls.length = 0;
    const paths = await client.openUris(['file:///a.pdf'], { viewer: 'mupdf.desktop', wait: false, notify: true, display: ':7', xauthority: '' });
    assert.deepEqual(paths, [sandboxObjectPath(ID)]);
    const [uris, options] = calls[0] as [unknown, Record<string, { value: unknown }>];
    assert.deepEqual(uris, ['file:///a.pdf']);
    assert.deepEqual(Object.fromEntries(Object.entries(options).map(([key, variant]) => [key, variant.value])), { viewer: 'mupdf.desktop', display: ':7', wait: false, notify: true });
  });

  it("a handler's NoFearError comes back to the client as the same NoFearError; a bug as Unavailable, logged", async () => {
    await assert.rejects(client.openUris(['file:///refused'], {}), (error: unknown) => isNoFearError(error) && error.code === 'InvalidArgument' && /refused for the test/.test(error.message));
    await assert.rejects(client.openUris(['file:///bug'], {}), (error: unknown) => isNoFearError(error) && error.code === 'Unavailable' && /NoFear could not do it: a bug$/.test(error.message));
    assert.ok(logs.some((line) => /internal error \(answered as Unavailable\): Error: a bug/.test(line)));
  });

  it('answers a call with the wrong signature as InvalidArgument, naming both signatures', async () => {
    const raw = openSessionBus(env);
    try {
      await assert.rejects(
        callMethod(raw.bus, { destination: BUS_NAME, path: OBJECT_PATH, interface: MANAGER_INTERFACE, member: 'OpenUris', signature: 's', body: ['file:///a.pdf'] }, 5000),
        (error: unknown) => isNoFearError(error) && error.code === 'InvalidArgument' && /takes \(asa\{sv\}\), not \(s\)/.test(error.message),
      );
    } finally {
      raw.disconnect();
    }
  });

  it("the sandbox's Reason has no NUL; Stop reaches the sandbox; a sandbox that is not there is false", async () => {
    assert.equal(await client.sandboxReason(sandboxObjectPath(ID)), 'the viewer ended early');
    assert.equal(await client.stopSandbox(ID), true);
    assert.equal(stopped, 1);
    assert.equal(await client.stopSandbox('ffffffff'), false);
    assert.equal(await client.sandboxReason(sandboxObjectPath('ffffffff')), '');
  });

  it('follow() hears a step with its window, a state and an exit, until stopped', async () => {
    const events: Array<[string, SandboxEvent]> = [];
    let heardAll = () => {};
    const all = new Promise<void>((resolve) => (heardAll = resolve));
    const stop = await client.follow((objectPath, event) => {
      if (events.push([objectPath, event]) === 3) heardAll();
    });
    // The signals count from the name's owner only: they go out on the service's own connection.
    const sandbox = service.exportSandbox({ ...view, id: 'b1b2c3d4', step: 'window', windowId: 42, state: 'exited', exitStatus: 0 });
    sandbox.stepChanged();
    sandbox.stateChanged();
    root.sandboxExited(sandbox.path, 0);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
    await stop();
    assert.deepEqual(events, [
      [sandbox.path, { kind: 'step', step: 'window', window: 42 }],
      [sandbox.path, { kind: 'state', state: 'exited' }],
      [sandbox.path, { kind: 'exited', status: 0 }],
    ]);
  });

  it('serviceMissing: a name nobody owns means "do it without the service"; a refusal does not', async () => {
    const raw = openSessionBus(env);
    try {
      const error = await callMethod(raw.bus, { destination: 'org.nofear.Nobody', path: '/', interface: 'org.nofear.Nobody', member: 'X' }, 5000).catch((e: unknown) => e);
      assert.equal(serviceMissing(error), true);
    } finally {
      raw.disconnect();
    }
    assert.equal(serviceMissing(invalidArgument('x.', 'y')), false);
  });
});
