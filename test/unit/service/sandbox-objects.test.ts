// The manager's events mirrored onto the bus (src/service/daemon/sandbox-objects.ts). The connection, the
// notices and the idle timer are recorders here: this module only decides which of them hears what and
// when (the adapter itself runs on a real bus in dbus-adapter.test.ts, the notices in wait-feedback).
import assert from 'node:assert/strict';
import type { ManagedSandbox } from '../../../src/sandbox/manager.js';
import type { RootObject, ServiceConnection } from '../../../src/service/bus/dbus-adapter.js';
import type { OpenNotices } from '../../../src/service/bus/open-notices.js';
import type { IdleExit } from '../../../src/service/daemon/lifetime.js';
import { sandboxObjects } from '../../../src/service/daemon/sandbox-objects.js';

function recorders() {
  const heard: string[] = [];
  let holds = 0;
  const connection = {
    exportSandbox: (view: { id: string }) => ({
      path: `/org/nofear/NoFear/sandbox/${view.id}`,
      stateChanged: () => heard.push(`object ${view.id} state`),
      stepChanged: () => heard.push(`object ${view.id} step`),
      remove: () => heard.push(`object ${view.id} removed`),
    }),
  } as unknown as ServiceConnection;
  const notices = {
    begin: (s: { id: string }) => heard.push(`notice ${s.id} begin`),
    stepped: (id: string, step: string) => heard.push(`notice ${id} ${step}`),
    failed: (id: string, reason: string) => heard.push(`notice ${id} failed: ${reason}`),
    ended: async (id: string) => void heard.push(`notice ${id} ended`),
  } as unknown as OpenNotices;
  const idle = {
    hold: () => {
      holds++;
      return () => holds--;
    },
  } as unknown as IdleExit;
  const root: RootObject = {
    sandboxStarted: (objectPath) => heard.push(`root started ${objectPath}`),
    sandboxExited: (objectPath, status) => heard.push(`root exited ${objectPath} ${status}`),
    sandboxesChanged: () => heard.push('root sandboxes'),
  };
  return { heard, holds: () => holds, connection, notices, idle, root };
}

const sandbox = (id: string, extra: Partial<ManagedSandbox> & { notifies?: boolean } = {}) =>
  ({ id, state: 'starting', steps: { window: 2500 }, notifies: false, ...extra }) as unknown as ManagedSandbox;

describe('service/daemon/sandbox-objects', () => {
  it('exports an object per sandbox and holds the service up from start to end; its exit goes to the root with its status', () => {
    const r = recorders();
    const log: string[] = [];
    const objects = sandboxObjects(r.connection, r.notices, r.idle, (line) => log.push(line));
    objects.setRoot(r.root);
    const a = sandbox('a1b2c3d4');
    objects.events.started(a);
    assert.equal(r.holds(), 1);
    objects.events.stepped(a, 'window');
    objects.events.changed({ ...a, state: 'running' } as ManagedSandbox);
    objects.events.ended({ ...a, state: 'exited' } as ManagedSandbox, 3);
    assert.equal(r.holds(), 0);
    objects.events.removed(a);
    assert.deepEqual(r.heard, [
      'root started /org/nofear/NoFear/sandbox/a1b2c3d4',
      'root sandboxes',
      'object a1b2c3d4 step',
      'notice a1b2c3d4 window',
      'object a1b2c3d4 state',
      'notice a1b2c3d4 ended',
      'root exited /org/nofear/NoFear/sandbox/a1b2c3d4 3',
      'object a1b2c3d4 removed',
      'root sandboxes',
    ]);
    assert.deepEqual(log, ['sandbox a1b2c3d4: window after 2.5 s', 'sandbox a1b2c3d4 running', 'sandbox a1b2c3d4 exited with status 3']);
  });

  it('shows a progress notice only for a sandbox that asked for one, and says a failure to start on the desktop', () => {
    const r = recorders();
    const objects = sandboxObjects(r.connection, r.notices, r.idle, () => undefined);
    objects.events.started(sandbox('b1b2c3d4', { notifies: true }));
    objects.events.started(sandbox('c1b2c3d4'));
    objects.events.failedToStart(sandbox('c1b2c3d4'), new Error('no viewer'));
    assert.deepEqual(
      r.heard.filter((line) => line.startsWith('notice')),
      ['notice b1b2c3d4 begin', 'notice c1b2c3d4 failed: no viewer'],
    );
  });

  it('sends no root signal before the root exists, and an event for a sandbox it never exported touches no object', () => {
    const r = recorders();
    const objects = sandboxObjects(r.connection, r.notices, r.idle, () => undefined);
    objects.events.started(sandbox('d1b2c3d4'));
    objects.events.ended(sandbox('e1b2c3d4'), 0);
    objects.events.removed(sandbox('e1b2c3d4'));
    assert.deepEqual(r.heard, ['notice e1b2c3d4 ended']);
    assert.equal(r.holds(), 1, 'the other sandbox still holds');
  });
});
