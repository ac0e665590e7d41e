// The one module that speaks dbus-next: NoFear's interfaces (configureMembers, no decorators), named errors,
// checked object paths, the connection's end watched. Nothing else in NoFear's service sees a dbus-next type.
import dbus from 'dbus-next';
import { isNoFearError, unavailable, type ErrorCode } from '../errors.js';
import { ID_PATTERN } from '../sandbox/registry.js';

const { Interface, ACCESS_READ } = dbus.interface;
type MessageBus = ReturnType<typeof dbus.sessionBus>;
type DBusMessage = InstanceType<typeof dbus.Message>;

export const BUS_NAME = 'org.nofear.NoFear';
export const OBJECT_PATH = '/org/nofear/NoFear';
export const SANDBOX_PATH_PREFIX = `${OBJECT_PATH}/sandbox/`;
export const MANAGER_INTERFACE = 'org.nofear.NoFear1.Manager';
export const SANDBOX_INTERFACE = 'org.nofear.NoFear1.Sandbox';
export const APPLICATION_INTERFACE = 'org.freedesktop.Application';
export const ERROR_PREFIX = 'org.nofear.NoFear1.Error.';

/** NoFear's failure classes as D-Bus error names; 'Failed' (NoFear could not do it) reads as Unavailable. */
const ERROR_NAMES: Record<ErrorCode, string> = {
  InvalidArgument: 'InvalidArgument',
  NotFound: 'NotFound',
  NoViewer: 'NoViewer',
  LimitReached: 'LimitReached',
  Unavailable: 'Unavailable',
  AccessDenied: 'AccessDenied',
  Failed: 'Unavailable',
};

export function dbusErrorName(code: ErrorCode): string {
  return ERROR_PREFIX + ERROR_NAMES[code];
}

/**
 * The one mapping at the boundary. A NoFearError keeps its class; anything else is a bug or a foreign
 * failure: the caller gets Unavailable with one line (dbus-next would otherwise send the stack trace).
 */
export function toDBusError(error: unknown, reportBug: (error: unknown) => void = () => {}): InstanceType<typeof dbus.DBusError> {
  if (error instanceof dbus.DBusError && error.type.startsWith(ERROR_PREFIX)) return error;
  if (isNoFearError(error)) return new dbus.DBusError(dbusErrorName(error.code), error.describe());
  reportBug(error);
  const text = error instanceof Error ? error.message : String(error);
  return new dbus.DBusError(`${ERROR_PREFIX}Unavailable`, `NoFear could not do it: ${text.split('\n')[0] ?? ''}`);
}

/** The D-Bus object path grammar: a reply or signal with a bad one makes the bus drop the connection. */
export function isObjectPath(value: unknown): value is string {
  return typeof value === 'string' && /^\/(?:[A-Za-z0-9_]+(?:\/[A-Za-z0-9_]+)*)?$/.test(value);
}

export function sandboxObjectPath(id: string): string {
  if (!ID_PATTERN.test(id)) throw new Error(`not a sandbox id: ${JSON.stringify(id)}`);
  return SANDBOX_PATH_PREFIX + id;
}

export function sandboxIdOf(objectPath: string): string | undefined {
  const id = objectPath.startsWith(SANDBOX_PATH_PREFIX) ? objectPath.slice(SANDBOX_PATH_PREFIX.length) : '';
  return ID_PATTERN.test(id) ? id : undefined;
}

function checkedPaths(paths: readonly string[]): string[] {
  const bad = paths.find((p) => !isObjectPath(p));
  if (bad !== undefined) throw new Error(`refusing to send an invalid object path ${JSON.stringify(bad)}`);
  return [...paths];
}

/** D-Bus strings cannot hold NUL (the bus would drop the connection); desktop files are user data. */
const dbusString = (text: string) => text.replace(/\0/g, '');

type Members = Parameters<typeof Interface.configureMembers>[0];

// The member tables, in the same words as org.nofear.NoFear1.xml (test/unit/service/contract.test.ts compares).
export const MANAGER_MEMBERS = {
  methods: {
    OpenFiles: { inSignature: 'asa{sv}', outSignature: 'ao' },
    OpenUris: { inSignature: 'asa{sv}', outSignature: 'ao' },
    Run: { inSignature: 'asa{sv}', outSignature: 'o' },
    ListViewers: { inSignature: 's', outSignature: 'a(sss)' },
    StopAll: { inSignature: '', outSignature: '' },
  },
  properties: { Sandboxes: { signature: 'ao', access: ACCESS_READ } },
  signals: { SandboxStarted: { signature: 'o' }, SandboxExited: { signature: 'oi' } },
} satisfies Members;
export const SANDBOX_MEMBERS = {
  methods: { Stop: { inSignature: '', outSignature: '' } },
  properties: {
    Id: { signature: 's', access: ACCESS_READ },
    State: { signature: 's', access: ACCESS_READ },
    Command: { signature: 'as', access: ACCESS_READ },
    Files: { signature: 'as', access: ACCESS_READ },
    Profile: { signature: 's', access: ACCESS_READ },
    StartedAt: { signature: 't', access: ACCESS_READ },
    ExitStatus: { signature: 'i', access: ACCESS_READ },
  },
  signals: {},
} satisfies Members;
export const APPLICATION_MEMBERS = {
  methods: {
    Activate: { inSignature: 'a{sv}', outSignature: '' },
    Open: { inSignature: 'asa{sv}', outSignature: '' },
    ActivateAction: { inSignature: 'sava{sv}', outSignature: '' },
  },
  properties: {},
  signals: {},
} satisfies Members;
const TABLES: Record<string, { methods: Record<string, { inSignature: string }> }> = {
  [MANAGER_INTERFACE]: MANAGER_MEMBERS,
  [SANDBOX_INTERFACE]: SANDBOX_MEMBERS,
  [APPLICATION_INTERFACE]: APPLICATION_MEMBERS,
};

/** What the service does; arguments arrive as the bus delivered them and are validated there. */
export interface RootHandlers {
  openFiles(paths: unknown, options: unknown): Promise<string[]>;
  openUris(uris: unknown, options: unknown): Promise<string[]>;
  run(argv: unknown, options: unknown): Promise<string>;
  listViewers(path: unknown): Promise<Array<[string, string, string]>>;
  stopAll(): Promise<void>;
  sandboxes(): string[];
  activate(platformData: unknown): Promise<void>;
  open(uris: unknown, platformData: unknown): Promise<void>;
  activateAction(name: unknown, parameter: unknown, platformData: unknown): Promise<void>;
}

type Guard = <T>(work: () => Promise<T>) => Promise<T>;
const guardWith =
  (reportBug: (error: unknown) => void): Guard =>
  async (work) => {
    try {
      return await work();
    } catch (error) {
      throw toDBusError(error, reportBug);
    }
  };

class ManagerInterface extends Interface {
  constructor(
    private readonly handlers: RootHandlers,
    private readonly guard: Guard,
  ) {
    super(MANAGER_INTERFACE);
  }
  OpenFiles(paths: unknown, options: unknown) {
    return this.guard(async () => checkedPaths(await this.handlers.openFiles(paths, options)));
  }
  OpenUris(uris: unknown, options: unknown) {
    return this.guard(async () => checkedPaths(await this.handlers.openUris(uris, options)));
  }
  Run(argv: unknown, options: unknown) {
    return this.guard(async () => checkedPaths([await this.handlers.run(argv, options)])[0]);
  }
  ListViewers(path: unknown) {
    return this.guard(async () => (await this.handlers.listViewers(path)).map(([id, name, icon]) => [dbusString(id), dbusString(name), dbusString(icon)]));
  }
  StopAll() {
    return this.guard(() => this.handlers.stopAll());
  }
  get Sandboxes(): string[] {
    return this.handlers.sandboxes().filter(isObjectPath);
  }
  // Signals: dbus-next sends what these return.
  SandboxStarted(objectPath: string) {
    return objectPath;
  }
  SandboxExited(objectPath: string, status: number) {
    return [objectPath, status];
  }
}
ManagerInterface.configureMembers(MANAGER_MEMBERS);

class ApplicationInterface extends Interface {
  constructor(
    private readonly handlers: RootHandlers,
    private readonly guard: Guard,
  ) {
    super(APPLICATION_INTERFACE);
  }
  Activate(platformData: unknown) {
    return this.guard(() => this.handlers.activate(platformData));
  }
  Open(uris: unknown, platformData: unknown) {
    return this.guard(() => this.handlers.open(uris, platformData));
  }
  ActivateAction(name: unknown, parameter: unknown, platformData: unknown) {
    return this.guard(() => this.handlers.activateAction(name, parameter, platformData));
  }
}
ApplicationInterface.configureMembers(APPLICATION_MEMBERS);

/** A sandbox as its object shows it; read at every Get, so it is always current. */
export interface SandboxView {
  readonly id: string;
  readonly state: string;
  readonly command: readonly string[];
  readonly files: readonly string[];
  readonly profile: string;
  readonly startedAtMicros: bigint;
  readonly exitStatus: number;
  stop(): Promise<void>;
}

class SandboxInterface extends Interface {
  constructor(
    private readonly view: SandboxView,
    private readonly guard: Guard,
  ) {
    super(SANDBOX_INTERFACE);
  }
  get Id() {
    return this.view.id;
  }
  get State() {
    return this.view.state;
  }
  get Command() {
    return this.view.command.map(dbusString);
  }
  get Files() {
    return this.view.files.map(dbusString);
  }
  get Profile() {
    return dbusString(this.view.profile);
  }
  get StartedAt() {
    return this.view.startedAtMicros;
  }
  get ExitStatus() {
    return this.view.exitStatus;
  }
  Stop() {
    return this.guard(() => this.view.stop());
  }
}
SandboxInterface.configureMembers(SANDBOX_MEMBERS);

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
  remove(): void;
}

export interface ServiceConnection {
  exportRoot(handlers: RootHandlers): RootObject;
  exportSandbox(view: SandboxView): SandboxObject;
  /** True when this process now owns org.nofear.NoFear; false when another instance does. */
  ownName(): Promise<boolean>;
  /** A desktop notification, best effort: false when no notification server answered in time. */
  notify(summary: string, body: string): Promise<boolean>;
  disconnect(): void;
}

export interface ConnectionHooks {
  /** The connection ended without disconnect() (bus gone, or dropped us): the service cannot serve. */
  onEnd(reason: string): void;
  log(line: string): void;
}

const NOTIFY_TIMEOUT_MS = 2000;

/** Notification text is plain: no markup, no control characters, bounded. */
function plainText(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').replace(/[<>&]/g, (c) => ({ '<': '‹', '>': '›', '&': '+' })[c] ?? c).slice(0, 300);
}

/**
 * The session bus address dbus-next can use: DBUS_SESSION_BUS_ADDRESS, else systemd's
 * $XDG_RUNTIME_DIR/bus. Abstract sockets need a native module dbus-next lacks here, so they are left out.
 */
export function sessionBusAddress(env: NodeJS.ProcessEnv): string {
  const given = env.DBUS_SESSION_BUS_ADDRESS ?? (env.XDG_RUNTIME_DIR ? `unix:path=${env.XDG_RUNTIME_DIR}/bus` : '');
  if (given === '' || given === 'disabled:') throw unavailable('No session bus: DBUS_SESSION_BUS_ADDRESS is not set.', 'run it inside a desktop session, or under dbus-run-session');
  const usable = given.split(';').filter((entry) => entry !== '' && !entry.startsWith('unix:abstract='));
  if (usable.length === 0) {
    throw unavailable(`The session bus ${given} is an abstract socket, which NoFear's D-Bus library cannot reach.`, 'start the bus on a socket path, e.g. dbus-daemon --session --address=unix:path=$XDG_RUNTIME_DIR/bus');
  }
  return usable.join(';');
}

// dbus-next does not report the stream's end on MessageBus: this is the private part it uses.
interface ConnectionInternals {
  _connection?: { on(event: 'end', listener: () => void): void; stream?: { on(event: 'close', listener: () => void): void } };
}

/** Calls on NoFear's objects with the wrong signature get InvalidArgument instead of UnknownMethod. */
function signatureGuard(bus: MessageBus) {
  return (msg: DBusMessage): boolean => {
    if (msg.path !== OBJECT_PATH && sandboxIdOf(msg.path) === undefined) return false;
    const wanted = TABLES[msg.interface]?.methods[msg.member]?.inSignature;
    const got = msg.signature ?? '';
    if (wanted === undefined || wanted === got) return false;
    // types.d.ts declares newError's first parameter as a string; the library takes the call's Message.
    bus.send(dbus.Message.newError(msg as unknown as string, `${ERROR_PREFIX}InvalidArgument`, `${msg.interface}.${msg.member} takes (${wanted}), not (${got}).`));
    return true;
  };
}

export function connectSessionBus(env: NodeJS.ProcessEnv, hooks: ConnectionHooks): ServiceConnection {
  const address = sessionBusAddress(env);
  const bus = dbus.sessionBus({ busAddress: address });
  let connected = false;
  let closing = false;
  let ended = false;
  const end = (reason: string) => {
    if (closing || ended) return;
    ended = true;
    hooks.onEnd(connected ? reason : `cannot connect to ${address}: ${reason}`);
  };
  bus.on('connect', () => {
    connected = true;
  });
  bus.on('error', (error: unknown) => end(error instanceof Error ? error.message : String(error)));
  const internals = (bus as unknown as ConnectionInternals)._connection;
  internals?.on('end', () => end('the bus closed the connection'));
  internals?.stream?.on('close', () => end('the connection closed'));
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
    exportSandbox(view) {
      const objectPath = sandboxObjectPath(view.id);
      const iface = new SandboxInterface(view, guard);
      bus.export(objectPath, iface);
      let removed = false;
      return {
        path: objectPath,
        stateChanged: () => {
          if (!removed) Interface.emitPropertiesChanged(iface, { State: iface.State, ExitStatus: iface.ExitStatus }, []);
        },
        remove: () => {
          if (removed) return;
          removed = true;
          bus.unexport(objectPath, iface);
        },
      };
    },
    async ownName() {
      const reply = await bus.requestName(BUS_NAME, dbus.NameFlag.DO_NOT_QUEUE);
      return reply === dbus.RequestNameReply.PRIMARY_OWNER || reply === dbus.RequestNameReply.ALREADY_OWNER;
    },
    async notify(summary, body) {
      // A plain call, no proxy: proxies introspect and add match rules that dbus-next never removes.
      const call = bus
        .call(
          new dbus.Message({
            destination: 'org.freedesktop.Notifications',
            path: '/org/freedesktop/Notifications',
            interface: 'org.freedesktop.Notifications',
            member: 'Notify',
            signature: 'susssasa{sv}i',
            body: ['NoFear', 0, 'org.nofear.NoFear', plainText(summary), plainText(body), [], {}, -1],
          }),
        )
        .then(
          () => true,
          () => false,
        );
      const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), NOTIFY_TIMEOUT_MS).unref());
      return Promise.race([call, timeout]);
    },
    disconnect() {
      closing = true;
      bus.disconnect();
    },
  };
}
