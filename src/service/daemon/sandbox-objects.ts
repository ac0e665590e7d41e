// Mirrors the sandbox manager's events onto the bus: one object per sandbox (its state and steps as
// PropertiesChanged), the Manager's signals, the open's progress notice, and an idle hold while it lives.
import type { ManagedSandbox, ManagerEvents } from '../../sandbox/manager.js';
import type { RootObject, SandboxObject, ServiceConnection } from '../bus/dbus-adapter.js';
import type { IdleExit } from './lifetime.js';
import type { OpenNotices } from '../bus/open-notices.js';

export interface SandboxObjects {
  readonly events: ManagerEvents;
  /** The root object, once exported (signals before it exists are not sent: nothing can be listening). */
  setRoot(root: RootObject): void;
}

export function sandboxObjects(connection: ServiceConnection, notices: OpenNotices, idle: IdleExit, log: (line: string) => void): SandboxObjects {
  const objects = new Map<string, { object: SandboxObject; release: () => void }>();
  let root: RootObject | undefined;
  const events: ManagerEvents = {
    started(sandbox) {
      const object = connection.exportSandbox(sandbox);
      objects.set(sandbox.id, { object, release: idle.hold() });
      if (sandbox.notifies) notices.begin(sandbox);
      root?.sandboxStarted(object.path);
      root?.sandboxesChanged();
    },
    changed(sandbox) {
      objects.get(sandbox.id)?.object.stateChanged();
      if (sandbox.state === 'running') log(`sandbox ${sandbox.id} running`);
    },
    stepped(sandbox, step) {
      objects.get(sandbox.id)?.object.stepChanged();
      notices.stepped(sandbox.id, step);
      log(`sandbox ${sandbox.id}: ${step} after ${((sandbox.steps[step] ?? 0) / 1000).toFixed(1)} s`);
    },
    failedToStart(sandbox, error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`sandbox ${sandbox.id} failed to start: ${message}`);
      // Nobody may be watching an open from a file manager: say it on the desktop.
      notices.failed(sandbox.id, message);
    },
    ended(sandbox: ManagedSandbox, status) {
      const entry = objects.get(sandbox.id);
      void notices.ended(sandbox.id);
      if (entry !== undefined) root?.sandboxExited(entry.object.path, status);
      log(`sandbox ${sandbox.id} ${sandbox.state} with status ${status}`);
      entry?.release();
    },
    removed(sandbox) {
      objects.get(sandbox.id)?.object.remove();
      objects.delete(sandbox.id);
      root?.sandboxesChanged();
    },
  };
  return {
    events,
    setRoot: (value) => {
      root = value;
    },
  };
}
