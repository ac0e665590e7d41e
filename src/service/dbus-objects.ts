// The one module that speaks dbus-next: the service's three interfaces, configured without
// decorators, every failure turned into a named org.nofear.NoFear1.Error.* (never a stack trace).
import dbus from 'dbus-next';
import { isNoFearError, type ErrorCode } from '../errors.js';

const { Interface, ACCESS_READ } = dbus.interface;

export const BUS_NAME = 'org.nofear.NoFear';
export const OBJECT_PATH = '/org/nofear/NoFear';
export const SANDBOX_PATH_PREFIX = '/org/nofear/NoFear/sandbox/';
const ERROR_PREFIX = 'org.nofear.NoFear1.Error.';

const DBUS_NAMES: Record<ErrorCode, string> = {
  InvalidArgument: 'InvalidArgument',
  NotFound: 'NotFound',
  NoViewer: 'NoViewer',
  LimitReached: 'LimitReached',
  Unavailable: 'Unavailable',
  AccessDenied: 'AccessDenied',
  Failed: 'Unavailable',
};

export function toDBusError(error: unknown): Error {
  if (error instanceof dbus.DBusError) return error;
  if (isNoFearError(error)) return new dbus.DBusError(ERROR_PREFIX + DBUS_NAMES[error.code], error.describe());
  return new dbus.DBusError(`${ERROR_PREFIX}Unavailable`, `NoFear could not do it: ${error instanceof Error ? error.message : String(error)}`);
}

async function guarded<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toDBusError(error);
  }
}

export type Options = Record<string, { signature: string; value: unknown }>;

export interface ManagerHandlers {
  openFiles(paths: unknown, options: unknown): Promise<string[]>;
  openUris(uris: unknown, options: unknown): Promise<string[]>;
  run(argv: unknown, options: unknown): Promise<string>;
  listViewers(path: unknown): Promise<[string, string, string][]>;
  stopAll(): Promise<void>;
  sandboxes(): string[];
  activate(): Promise<void>;
}

export class ManagerInterface extends Interface {
  constructor(private readonly handlers: ManagerHandlers) {
    super('org.nofear.NoFear1.Manager');
  }
  OpenFiles(paths: unknown, options: unknown) {
    return guarded(() => this.handlers.openFiles(paths, options));
  }
  OpenUris(uris: unknown, options: unknown) {
    return guarded(() => this.handlers.openUris(uris, options));
  }
  Run(argv: unknown, options: unknown) {
    return guarded(() => this.handlers.run(argv, options));
  }
  ListViewers(path: unknown) {
    return guarded(() => this.handlers.listViewers(path));
  }
  StopAll() {
    return guarded(() => this.handlers.stopAll());
  }
  get Sandboxes(): string[] {
    return this.handlers.sandboxes();
  }
  SandboxStarted(path: string) {
    return path;
  }
  SandboxExited(path: string, status: number) {
    return [path, status];
  }
  sandboxesChanged(): void {
    Interface.emitPropertiesChanged(this, { Sandboxes: this.handlers.sandboxes() }, []);
  }
}
ManagerInterface.configureMembers({
  methods: {
    OpenFiles: { inSignature: 'asa{sv}', outSignature: 'ao' },
    OpenUris: { inSignature: 'asa{sv}', outSignature: 'ao' },
    Run: { inSignature: 'asa{sv}', outSignature: 'o' },
    ListViewers: { inSignature: 's', outSignature: 'a(sss)' },
    StopAll: { inSignature: '', outSignature: '' },
  },
  properties: { Sandboxes: { signature: 'ao', access: ACCESS_READ } },
  signals: { SandboxStarted: { signature: 'o' }, SandboxExited: { signature: 'oi' } },
});

export interface SandboxView {
  id: string;
  state: string;
  command: string[];
  files: string[];
  profile: string;
  startedAtMicros: bigint;
  exitStatus: number;
  stop(): Promise<void>;
}

export class SandboxInterface extends Interface {
  constructor(private readonly view: SandboxView) {
    super('org.nofear.NoFear1.Sandbox');
  }
  get Id() {
    return this.view.id;
  }
  get State() {
    return this.view.state;
  }
  get Command() {
    return this.view.command;
  }
  get Files() {
    return this.view.files;
  }
  get Profile() {
    return this.view.profile;
  }
  get StartedAt() {
    return this.view.startedAtMicros;
  }
  get ExitStatus() {
    return this.view.exitStatus;
  }
  Stop() {
    return guarded(() => this.view.stop());
  }
  changed(): void {
    Interface.emitPropertiesChanged(this, { State: this.view.state, ExitStatus: this.view.exitStatus }, []);
  }
}
SandboxInterface.configureMembers({
  properties: {
    Id: { signature: 's', access: ACCESS_READ },
    State: { signature: 's', access: ACCESS_READ },
    Command: { signature: 'as', access: ACCESS_READ },
    Files: { signature: 'as', access: ACCESS_READ },
    Profile: { signature: 's', access: ACCESS_READ },
    StartedAt: { signature: 't', access: ACCESS_READ },
    ExitStatus: { signature: 'i', access: ACCESS_READ },
  },
  methods: { Stop: { inSignature: '', outSignature: '' } },
});

/** org.freedesktop.Application, so the desktop entry can be DBusActivatable. */
export class ApplicationInterface extends Interface {
  constructor(private readonly handlers: ManagerHandlers) {
    super('org.freedesktop.Application');
  }
  Activate(_platformData: unknown) {
    return guarded(() => this.handlers.activate());
  }
  Open(uris: unknown, _platformData: unknown) {
    return guarded(async () => {
      await this.handlers.openUris(uris, {});
    });
  }
  ActivateAction(name: unknown, _parameter: unknown, _platformData: unknown) {
    return guarded(async () => {
      if (name === 'stop-all') await this.handlers.stopAll();
      else await this.handlers.activate();
    });
  }
}
ApplicationInterface.configureMembers({
  methods: {
    Activate: { inSignature: 'a{sv}', outSignature: '' },
    Open: { inSignature: 'asa{sv}', outSignature: '' },
    ActivateAction: { inSignature: 'sava{sv}', outSignature: '' },
  },
});

export type Bus = ReturnType<typeof dbus.sessionBus>;

export function connectSessionBus(): Bus {
  return dbus.sessionBus();
}

/** True when this process now owns the name; false when another instance has it. */
export async function ownName(bus: Bus): Promise<boolean> {
  const reply = await bus.requestName(BUS_NAME, dbus.NameFlag.DO_NOT_QUEUE);
  return reply === dbus.RequestNameReply.PRIMARY_OWNER || reply === dbus.RequestNameReply.ALREADY_OWNER;
}
