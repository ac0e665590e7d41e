// The service's side of the bus: its objects exported, calls with the wrong signature answered as
// InvalidArgument, the name owned, notifications on its own connection, the connection's end watched.
// Nothing else in NoFear's service sees a dbus-next type.
import { dbus, openSessionBus, type DBusMessage, type MessageBus } from './bus.js';
import { ApplicationInterface, guardWith, ManagerInterface, SandboxInterface, TABLES, type RootHandlers, type SandboxView } from './interfaces.js';
import { BUS_NAME, ERROR_PREFIX, isObjectPath, OBJECT_PATH, sandboxIdOf, sandboxObjectPath } from './names.js';
import { Notifications } from './notifications.js';
import { desktopHands, resultActions, type ResultActions } from './result-actions.js';

export type { RootHandlers, SandboxView } from './interfaces.js';

const { Interface } = dbus.interface;

/** The root object's outgoing side. */
export interface RootObject {
  sandboxStarted(objectPath: string): void;
  sandboxExited(objectPath: string, status: number): void;
  sandboxesChanged(): void;
}

export interface SandboxObject {
  readonly path: string;
  /** PropertiesChanged with State and ExitStatus. */
  stateChanged(): void;
  /** PropertiesChanged with Step and Steps. */
  stepChanged(): void;
  remove(): void;
}

export interface ServiceConnection {
  exportRoot(handlers: RootHandlers): RootObject;
  exportSandbox(view: SandboxView): SandboxObject;
  /** True when this process now owns org.nofear.NoFear; false when another instance does. */
  ownName(): Promise<boolean>;
  /** Desktop notifications on the service's own connection (their actions come back to it). */
  readonly notifications: Notifications;
  /** A safe PDF's Open and Show in folder, on this connection's desktop. */
  readonly resultActions: ResultActions;
  disconnect(): void;
}

export interface ConnectionHooks {
  /** The connection ended without disconnect() (bus gone, or dropped us): the service cannot serve. */
  onEnd(reason: string): void;
  log(line: string): void;
}

/** Calls on NoFear's objects with the wrong signature get InvalidArgument instead of UnknownMethod. */
function signatureGuard(bus: MessageBus) {
  return (msg: DBusMessage): boolean => {
    if (msg.path !== OBJECT_PATH && sandboxIdOf(msg.path ?? '') === undefined) return false;
    const wanted = TABLES[msg.interface ?? '']?.methods[msg.member ?? '']?.inSignature;
    const got = msg.signature ?? '';
    if (wanted === undefined || wanted === got) return false;
    // types.d.ts declares newError's first parameter as a string; the library takes the call's Message.
    bus.send(dbus.Message.newError(msg as unknown as string, `${ERROR_PREFIX}InvalidArgument`, `${msg.interface}.${msg.member} takes (${wanted}), not (${got}).`));
    return true;
  };
}

function exportSandboxOn(bus: MessageBus, view: SandboxView, guard: ReturnType<typeof guardWith>): SandboxObject {
  const objectPath = sandboxObjectPath(view.id);
  const iface = new SandboxInterface(view, guard);
  bus.export(objectPath, iface);
  let removed = false;
  return {
    path: objectPath,
    stateChanged: () => {
      if (!removed) Interface.emitPropertiesChanged(iface, { State: iface.State, ExitStatus: iface.ExitStatus }, []);
    },
    stepChanged: () => {
      if (!removed) Interface.emitPropertiesChanged(iface, { Step: iface.Step, Steps: iface.Steps, Window: iface.Window }, []);
    },
    remove: () => {
      if (removed) return;
      removed = true;
      bus.unexport(objectPath, iface);
    },
  };
}

export function connectSessionBus(env: NodeJS.ProcessEnv, hooks: ConnectionHooks): ServiceConnection {
  const open = openSessionBus(env, hooks.onEnd);
  const { bus } = open;
  bus.addMethodHandler(signatureGuard(bus));
  const guard = guardWith((error) => hooks.log(`internal error (answered as Unavailable): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
  return {
    exportRoot(handlers) {
      const manager = new ManagerInterface(handlers, guard);
      bus.export(OBJECT_PATH, manager);
      bus.export(OBJECT_PATH, new ApplicationInterface(handlers, guard));
      return {
        sandboxStarted: (objectPath) => {
          if (isObjectPath(objectPath)) manager.SandboxStarted(objectPath);
        },
        sandboxExited: (objectPath, status) => {
          if (isObjectPath(objectPath)) manager.SandboxExited(objectPath, status | 0);
        },
        sandboxesChanged: () => Interface.emitPropertiesChanged(manager, { Sandboxes: manager.Sandboxes }, []),
      };
    },
    exportSandbox: (view) => exportSandboxOn(bus, view, guard),
    async ownName() {
      const reply = await bus.requestName(BUS_NAME, dbus.NameFlag.DO_NOT_QUEUE);
      return reply === dbus.RequestNameReply.PRIMARY_OWNER || reply === dbus.RequestNameReply.ALREADY_OWNER;
    },
    notifications: new Notifications(bus),
    resultActions: resultActions(desktopHands(bus, env)),
    disconnect: () => open.disconnect(),
  };
}
