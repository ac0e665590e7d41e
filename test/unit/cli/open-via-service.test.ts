// nofear-open through the service (src/cli/open-via-service.ts) on a private dbus-daemon: the real client
// and the real adapter (src/service/bus/dbus-adapter.ts), with stand-in request handlers on the service's
// side (the real ones boot VMs; test/unit/service/requests.test.ts has them). What is decided here: no bus
// or no service means "open in this process", "opened" only for a window that showed, a sandbox that ended
// first is failed with its reason, a refusal fails every file, the service's end fails what has no window,
// and a stop signal stops the service's sandboxes and is the batch's status.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openThroughService, type ServiceBatch } from '../../../src/cli/open-via-service.js';
import { parseOpenArgs, type OpenArgs } from '../../../src/cli/nofear-open-args.js';
import { invalidArgument } from '../../../src/errors.js';
import type { OpenPlan } from '../../../src/open/open-plan.js';
import { connectSessionBus, type RootHandlers, type RootObject, type SandboxView, type ServiceConnection } from '../../../src/service/bus/dbus-adapter.js';
import { sandboxObjectPath } from '../../../src/service/bus/names.js';
import { signalStatus, STOPPED_STATUS } from '../../../src/util/exit-status.js';
import { startPrivateBus, type PrivateBus } from '../../helpers/private-bus.js';
import { whileHearingStderr } from '../../helpers/stderr-capture.js';

const A = 'a0000001';
const B = 'b0000002';

/** Only `file` and `viewerName` of a plan reach the service path (the rest is the in-process open's). */
const planFor = (file: string) => ({ file, viewerName: 'Test Viewer' }) as OpenPlan;

function argsOf(argv: string[]): OpenArgs {
  const parsed = parseOpenArgs(argv);
  assert.equal(parsed.kind, 'open');
  return parsed.args;
}

function viewOf(id: string, stop: () => Promise<void> = async () => {}): SandboxView {
  return { id, state: 'running', command: ['viewer'], files: [], profile: 'temporary', startedAtMicros: 1n, exitStatus: -1, step: 'window', steps: {}, windowId: 7, failure: '', stop };
}

/** The service's answer to OpenUris, given the root object (for its signals) and the connection. */
type Answer = (root: RootObject, service: ServiceConnection, uris: unknown) => Promise<string[]>;

function handlersFor(answer: RootHandlers['openUris']): RootHandlers {
  const refuse = async () => {
    throw new Error('not in this test');
  };
  return {
    openFiles: refuse,
    openUris: answer,
    run: refuse,
    convert: refuse,
    cancel: refuse,
    listViewers: refuse,
    stopAll: refuse,
    sandboxes: () => [],
    activate: async () => undefined,
    open: async () => undefined,
    activateAction: async () => undefined,
  };
}

describe('cli/open-via-service: nofear-open through the service, on a private dbus-daemon', function () {
  this.timeout(30_000);
  let dir: string;
  let bus: PrivateBus;
  let env: NodeJS.ProcessEnv;
  let service: ServiceConnection | undefined;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nofear-via-service-'));
    // No activation: a name nobody owns is "no service to be had", as on a desktop without NoFear installed.
    bus = await startPrivateBus(dir, {}, { activation: false });
    env = { DBUS_SESSION_BUS_ADDRESS: bus.address, DISPLAY: ':42' };
  });
  after(async () => {
    await bus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    service?.disconnect();
    service = undefined;
  });

  /** A stand-in service owning org.nofear.NoFear; `answer` is its OpenUris. */
  async function serve(answer: Answer): Promise<void> {
    const connection = connectSessionBus(env, { onEnd: () => undefined, log: () => undefined });
    service = connection;
    const root: RootObject = connection.exportRoot(handlersFor(async (uris) => answer(root, connection, uris)));
    assert.equal(await connection.ownName(), true);
  }

  it('without a session bus, or with no service on it, leaves the open to this process (undefined)', async () => {
    assert.equal(await openThroughService(argsOf(['a.pdf']), [planFor('a.pdf')], {}), undefined);
    assert.equal(await openThroughService(argsOf(['a.pdf']), [planFor('a.pdf')], env), undefined);
  });

  it('says "opened" only of the file whose window showed; one whose sandbox ended first fails with the reason the service gives', async () => {
    let asked: unknown;
    await serve(async (root, connection, uris) => {
      asked = uris;
      // Signals sent before the reply: the client follows before it asks, so it hears them all.
      connection.exportSandbox(viewOf(A)).stepChanged();
      const b = connection.exportSandbox({ ...viewOf(B), step: 'booted', windowId: 0, failure: 'the viewer could not read it' });
      root.sandboxExited(b.path, 1);
      return [sandboxObjectPath(A), sandboxObjectPath(B)];
    });
    const batch = await openThroughService(argsOf(['a.pdf', 'b.pdf']), [planFor('/x/a.pdf'), planFor('/x/b.pdf')], env);
    assert.deepEqual(asked, ['file:///x/a.pdf', 'file:///x/b.pdf']);
    assert.equal(batch?.outcomes[0]?.kind, 'handled');
    const second = batch?.outcomes[1];
    assert.equal(second?.kind, 'failed');
    assert.match(second.kind === 'failed' ? second.reason : '', /^\/x\/b\.pdf was not opened: the sandbox ended before a window appeared \(the viewer could not read it\)\.$/);
    assert.equal(batch?.signalled, undefined);
  });

  it("names the viewer's status when the service gives no reason, and a URI goes as it is", async () => {
    let asked: unknown;
    await serve(async (root, connection, uris) => {
      asked = uris;
      root.sandboxExited(connection.exportSandbox({ ...viewOf(A), step: 'booted', windowId: 0 }).path, 4);
      return [sandboxObjectPath(A)];
    });
    const batch = await openThroughService(argsOf(['https://example.org/']), [planFor('https://example.org/')], env);
    assert.deepEqual(asked, ['https://example.org/']);
    const only = batch?.outcomes[0];
    assert.match(only?.kind === 'failed' ? only.reason : '', /\(Test Viewer ended with status 4\)/);
  });

  it('says "opened" of a link the service gave to a running link VM, whose window came before the call ([links] reuse_seconds)', async () => {
    await serve(async (_root, connection) => {
      connection.exportSandbox(viewOf(A)); // at its window step already: no step signal comes for this link
      return [sandboxObjectPath(A)];
    });
    const link = { ...planFor('https://example.org/second'), kind: 'url' } as OpenPlan;
    const batch = await openThroughService(argsOf(['https://example.org/second']), [link], env);
    assert.equal(batch?.outcomes[0]?.kind, 'handled');
  });

  it("fails every file with the service's refusal", async () => {
    await serve(async () => {
      throw invalidArgument('That file is refused for the test.', 'pick another');
    });
    const batch = await openThroughService(argsOf(['a.pdf', 'b.pdf']), [planFor('/x/a.pdf'), planFor('/x/b.pdf')], env);
    assert.deepEqual(
      batch?.outcomes.map((outcome) => (outcome.kind === 'failed' ? [outcome.target, outcome.reason, outcome.fix] : outcome.kind)),
      [
        ['/x/a.pdf', 'That file is refused for the test.', 'pick another'],
        ['/x/b.pdf', 'That file is refused for the test.', 'pick another'],
      ],
    );
  });

  it('fails a file with no window yet when the service leaves the bus', async () => {
    await serve(async (_root, connection) => {
      connection.exportSandbox({ ...viewOf(A), step: 'booting', windowId: 0 });
      return [sandboxObjectPath(A)];
    });
    const { result } = await whileHearingStderr(/the service opened/, async (heard) => {
      const batch = openThroughService(argsOf(['--verbose', 'a.pdf']), [planFor('/x/a.pdf')], env);
      await heard; // the reply has come: the service now leaves
      service?.disconnect();
      return batch;
    });
    const only = (result as ServiceBatch).outcomes[0];
    assert.match(only?.kind === 'failed' ? only.reason : '', /the NoFear service ended before its window appeared/);
  });

  it("a stop signal stops the service's sandboxes, and is the batch's status", async () => {
    const stopped: string[] = [];
    await serve(async (root, connection) => {
      const a = connection.exportSandbox({
        ...viewOf(A, async () => {
          stopped.push(A);
          root.sandboxExited(a.path, STOPPED_STATUS);
        }),
        step: 'booting',
        windowId: 0,
      });
      return [sandboxObjectPath(A)];
    });
    const exitCode = process.exitCode;
    const listeners = process.listenerCount('SIGHUP');
    try {
      const { result } = await whileHearingStderr(/the service opened/, async (heard) => {
        const batch = openThroughService(argsOf(['--verbose', 'a.pdf']), [planFor('/x/a.pdf')], env);
        await heard; // listening for stop signals from here on
        process.emit('SIGHUP', 'SIGHUP'); // as the terminal closing would, without a real signal to this test process
        return batch;
      });
      const batch = result as ServiceBatch;
      assert.deepEqual(stopped, [A]);
      assert.equal(batch.signalled, signalStatus('SIGHUP'));
      const only = batch.outcomes[0];
      assert.match(only?.kind === 'failed' ? only.reason : '', /\(it was stopped\)/);
      assert.equal(process.listenerCount('SIGHUP'), listeners, 'the stop signals are let go on the way out');
    } finally {
      process.exitCode = exitCode;
    }
  });
});
