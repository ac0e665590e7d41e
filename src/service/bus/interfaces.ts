// NoFear's three D-Bus interfaces as dbus-next objects (configureMembers, no decorators): the member
// tables in the same words as org.nofear.NoFear1.xml (test/unit/service/contract.test.ts compares), every
// failure answered as a named error, every object path checked before it is sent.
import { isNoFearError } from '../../errors.js';
import type { ManagedSandbox } from '../../sandbox/manager.js';
import { dbus } from './bus.js';
import { APPLICATION_INTERFACE, dbusErrorName, ERROR_PREFIX, isObjectPath, MANAGER_INTERFACE, SANDBOX_INTERFACE } from './names.js';

const { Interface, ACCESS_READ } = dbus.interface;

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
    Convert: { inSignature: 'asa{sv}', outSignature: 'ao' },
    Cancel: { inSignature: 's', outSignature: '' },
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
    Step: { signature: 's', access: ACCESS_READ },
    Steps: { signature: 'a{su}', access: ACCESS_READ },
    Window: { signature: 'u', access: ACCESS_READ },
    Reason: { signature: 's', access: ACCESS_READ },
    Output: { signature: 's', access: ACCESS_READ },
    Pages: { signature: 'u', access: ACCESS_READ },
    Failure: { signature: 's', access: ACCESS_READ },
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
export const TABLES: Record<string, { methods: Record<string, { inSignature: string }> }> = {
  [MANAGER_INTERFACE]: MANAGER_MEMBERS,
  [SANDBOX_INTERFACE]: SANDBOX_MEMBERS,
  [APPLICATION_INTERFACE]: APPLICATION_MEMBERS,
};

/** What the service does; arguments arrive as the bus delivered them and are validated there. */
export interface RootHandlers {
  openFiles(paths: unknown, options: unknown): Promise<string[]>;
  openUris(uris: unknown, options: unknown): Promise<string[]>;
  run(argv: unknown, options: unknown): Promise<string>;
  convert(paths: unknown, options: unknown): Promise<string[]>;
  cancel(request: unknown): Promise<void>;
  listViewers(path: unknown): Promise<Array<[string, string, string]>>;
  stopAll(): Promise<void>;
  sandboxes(): string[];
  activate(platformData: unknown): Promise<void>;
  open(uris: unknown, platformData: unknown): Promise<void>;
  activateAction(name: unknown, parameter: unknown, platformData: unknown): Promise<void>;
}

export type Guard = <T>(work: () => Promise<T>) => Promise<T>;
export const guardWith =
  (reportBug: (error: unknown) => void): Guard =>
  async (work) => {
    try {
      return await work();
    } catch (error) {
      throw toDBusError(error, reportBug);
    }
  };

export class ManagerInterface extends Interface {
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
  Convert(paths: unknown, options: unknown) {
    return this.guard(async () => checkedPaths(await this.handlers.convert(paths, options)));
  }
  Cancel(request: unknown) {
    return this.guard(() => this.handlers.cancel(request));
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

export class ApplicationInterface extends Interface {
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
export type SandboxView = Pick<ManagedSandbox, 'id' | 'state' | 'command' | 'files' | 'profile' | 'startedAtMicros' | 'exitStatus' | 'step' | 'steps' | 'windowId' | 'failure' | 'stop' | 'converted'>;

export class SandboxInterface extends Interface {
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
  get Step() {
    return this.view.step;
  }
  get Window() {
    return this.view.windowId >>> 0;
  }
  get Reason() {
    // A conversion that failed after its start has its reason in its outcome.
    return dbusString(this.view.failure !== '' ? this.view.failure : (this.view.converted?.reason ?? ''));
  }
  get Output() {
    return dbusString(this.view.converted?.output ?? '');
  }
  get Pages() {
    return (this.view.converted?.pages ?? 0) >>> 0;
  }
  get Failure() {
    return this.view.converted?.failure ?? '';
  }
  get Steps() {
    return Object.fromEntries(Object.entries(this.view.steps).map(([step, ms]) => [step, Math.max(0, Math.round(ms)) >>> 0]));
  }
  Stop() {
    return this.guard(() => this.view.stop());
  }
}
SandboxInterface.configureMembers(SANDBOX_MEMBERS);
