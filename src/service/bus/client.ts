// The NoFear service as its clients see it (nofear-open, nofearctl stop, doctor, integrate): calls on
// org.nofear.NoFear with its errors mapped back to NoFearError, sandboxes followed through their
// signals, and the bus daemon's own questions. The one client of the bus; the service's side is
// dbus-adapter.ts.
import { callMethod, dbus, ForeignBusError, openSessionBus, subscribe, type DBusMessage, type OpenBus } from './bus.js';
import { BUS_NAME, MANAGER_INTERFACE, OBJECT_PATH, SANDBOX_INTERFACE, SANDBOX_PATH_PREFIX, sandboxObjectPath } from './names.js';

const DBUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' };
const PROPERTIES = 'org.freedesktop.DBus.Properties';
const CALL_TIMEOUT_MS = 30_000;

/** The service is not there and cannot be started: the caller may do the work itself. */
const NOT_THERE = new Set([
  'org.freedesktop.DBus.Error.ServiceUnknown',
  'org.freedesktop.DBus.Error.NameHasNoOwner',
  'org.freedesktop.DBus.Error.Spawn.ChildExited',
  'org.freedesktop.DBus.Error.Spawn.ExecFailed',
]);

/** No service to be had: its name cannot be activated, or there is no working bus at all (no error name). */
export function serviceMissing(error: unknown): boolean {
  return error instanceof ForeignBusError && (NOT_THERE.has(error.type) || error.type === '');
}

export interface OpenOptions {
  viewer?: string;
  wait?: boolean;
  /** Whether the service shows its own progress notification (false when the caller shows progress). */
  notify?: boolean;
  /** The caller's display, so the window appears where the caller is. */
  display?: string;
  xauthority?: string;
  waylandDisplay?: string;
  /** Edit a writable copy; once the VM is gone the service offers it back (save_back says how). */
  edit?: boolean;
  saveBack?: 'ask' | 'always' | 'never';
}

/** Convert's options as the bus takes them (a password never goes over the bus). */
export interface ConvertCallOptions {
  output: string;
  ocr: boolean;
  ocrLanguages?: string;
  dpi?: number;
  jpeg?: boolean;
  notify: boolean;
  /** The caller's id for the call, which cancel() takes back (even before the reply). */
  request?: string;
}

/** Convert's a{sv}: dpi as an unsigned integer, the rest strings and booleans. */
function convertVariants(options: ConvertCallOptions): Record<string, InstanceType<typeof dbus.Variant>> {
  return {
    output: new dbus.Variant('s', options.output),
    ocr: new dbus.Variant('b', options.ocr),
    notify: new dbus.Variant('b', options.notify),
    ...(options.ocrLanguages === undefined ? {} : { ocr_languages: new dbus.Variant('s', options.ocrLanguages) }),
    ...(options.dpi === undefined ? {} : { dpi: new dbus.Variant('u', options.dpi) }),
    ...(options.jpeg === true ? { jpeg: new dbus.Variant('b', true) } : {}),
    ...(options.request === undefined ? {} : { request: new dbus.Variant('s', options.request) }),
  };
}

/** What a sandbox's object tells as it goes. */
export type SandboxEvent = { kind: 'started' } | { kind: 'step'; step: string; window?: number } | { kind: 'state'; state: string } | { kind: 'exited'; status: number };

export class NoFearClient {
  private constructor(private readonly open: OpenBus) {}

  /** A client on the session bus, or undefined when there is no bus NoFear can reach. */
  static connect(env: NodeJS.ProcessEnv): NoFearClient | undefined {
    try {
      return new NoFearClient(openSessionBus(env));
    } catch {
      return undefined; // no session bus here: callers work without the service
    }
  }

  close(): void {
    this.open.disconnect();
  }

  /** OpenUris on the Manager: the sandboxes' object paths (at once; with `wait`, when they have ended). */
  async openUris(uris: readonly string[], options: OpenOptions): Promise<string[]> {
    const [paths] = await callMethod(
      this.open.bus,
      { destination: BUS_NAME, path: OBJECT_PATH, interface: MANAGER_INTERFACE, member: 'OpenUris', signature: 'asa{sv}', body: [[...uris], variants(options)] },
      options.wait === true ? 0 : CALL_TIMEOUT_MS,
    );
    return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string') : [];
  }

  /** Convert on the Manager: one sandbox per file (its exit, then its Output, Pages, Reason and Failure tell the outcome). */
  async convert(paths: readonly string[], options: ConvertCallOptions): Promise<string[]> {
    const [objects] = await callMethod(
      this.open.bus,
      { destination: BUS_NAME, path: OBJECT_PATH, interface: MANAGER_INTERFACE, member: 'Convert', signature: 'asa{sv}', body: [[...paths], convertVariants(options)] },
      CALL_TIMEOUT_MS,
    );
    return Array.isArray(objects) ? objects.filter((p): p is string => typeof p === 'string') : [];
  }

  /** Manager.Cancel: the Convert call sent with this request id is taken back; false when that failed (a service without Cancel, or gone). */
  async cancel(request: string): Promise<boolean> {
    try {
      await callMethod(this.open.bus, { destination: BUS_NAME, path: OBJECT_PATH, interface: MANAGER_INTERFACE, member: 'Cancel', signature: 's', body: [request] }, 6000);
      return true;
    } catch {
      return false; // the caller still stops what it knows by id once the reply comes
    }
  }

  /** Why a sandbox failed to start (its Reason property), or '' when it did not fail or is gone. */
  async sandboxReason(objectPath: string): Promise<string> {
    const reason = await this.sandboxProperty(objectPath, 'Reason');
    return typeof reason === 'string' ? reason : ''; // gone, or a service from before Reason: the caller says what it knows
  }

  /** One property of a sandbox's object; undefined when it is gone (or the service does not have that property). */
  async sandboxProperty(objectPath: string, name: string): Promise<unknown> {
    try {
      const [variant] = await callMethod(this.open.bus, { destination: BUS_NAME, path: objectPath, interface: PROPERTIES, member: 'Get', signature: 'ss', body: [SANDBOX_INTERFACE, name] }, 6000);
      return (variant as { value?: unknown } | undefined)?.value;
    } catch {
      return undefined;
    }
  }

  /** Sandbox.Stop on one sandbox; false when it is not the service's (or the service is not running). */
  async stopSandbox(id: string): Promise<boolean> {
    try {
      await callMethod(this.open.bus, { destination: BUS_NAME, path: sandboxObjectPath(id), interface: SANDBOX_INTERFACE, member: 'Stop' }, 6000);
      return true;
    } catch {
      return false; // not the service's, or already gone: the caller goes on without it
    }
  }

  /** StopAll on the Manager: every sandbox and every warm VM stopped; resolves once they have ended. */
  async stopAll(): Promise<void> {
    await callMethod(this.open.bus, { destination: BUS_NAME, path: OBJECT_PATH, interface: MANAGER_INTERFACE, member: 'StopAll' }, 0);
  }

  /** Follows every sandbox of the service (its steps, states and exits) until the returned stop is called. */
  async follow(listener: (objectPath: string, event: SandboxEvent) => void): Promise<() => Promise<void>> {
    const onExited = (message: DBusMessage) => {
      const [objectPath, status] = message.body as [unknown, unknown];
      if (typeof objectPath === 'string' && typeof status === 'number') listener(objectPath, { kind: 'exited', status });
    };
    const onChanged = (message: DBusMessage) => {
      const [iface, changed] = message.body as [unknown, Record<string, { value: unknown }> | undefined];
      if (iface !== SANDBOX_INTERFACE || changed === undefined || message.path === undefined) return;
      const window = typeof changed.Window?.value === 'number' && changed.Window.value > 0 ? { window: changed.Window.value } : {};
      if (typeof changed.Step?.value === 'string') listener(message.path, { kind: 'step', step: changed.Step.value, ...window });
      if (typeof changed.State?.value === 'string') listener(message.path, { kind: 'state', state: changed.State.value });
    };
    const onStarted = (message: DBusMessage) => {
      const [objectPath] = message.body as [unknown];
      if (typeof objectPath === 'string') listener(objectPath, { kind: 'started' });
    };
    const stops = await Promise.all([
      subscribe(this.open.bus, { sender: BUS_NAME, path: OBJECT_PATH, interface: MANAGER_INTERFACE, member: 'SandboxStarted' }, onStarted),
      subscribe(this.open.bus, { sender: BUS_NAME, path: OBJECT_PATH, interface: MANAGER_INTERFACE, member: 'SandboxExited' }, onExited),
      subscribe(this.open.bus, { sender: BUS_NAME, interface: PROPERTIES, member: 'PropertiesChanged', pathNamespace: SANDBOX_PATH_PREFIX.slice(0, -1) }, onChanged),
    ]);
    return async () => {
      await Promise.all(stops.map((stop) => stop()));
    };
  }

  /** Resolves when the service loses its name (it ended or crashed). */
  async serviceGone(): Promise<{ promise: Promise<void>; stop: () => Promise<void> }> {
    let gone = () => {};
    const promise = new Promise<void>((resolve) => (gone = resolve));
    const stop = await subscribe(this.open.bus, { sender: 'org.freedesktop.DBus', interface: 'org.freedesktop.DBus', member: 'NameOwnerChanged', arg0: BUS_NAME }, (message) => {
      const [, , owner] = message.body as [unknown, unknown, unknown];
      if (owner === '') gone();
    });
    return { promise, stop };
  }

  async nameHasOwner(name = BUS_NAME): Promise<boolean> {
    const [owned] = await callMethod(this.open.bus, { ...DBUS, member: 'NameHasOwner', signature: 's', body: [name] }, 3000);
    return owned === true;
  }

  async activatableNames(): Promise<string[]> {
    const [names] = await callMethod(this.open.bus, { ...DBUS, member: 'ListActivatableNames' }, 3000);
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
  }

  /** Makes a running dbus-daemon re-read its service directories (after integrate installs a service file). */
  async reloadBusConfig(): Promise<void> {
    await callMethod(this.open.bus, { ...DBUS, member: 'ReloadConfig' }, 15_000);
  }
}

function variants(options: OpenOptions): Record<string, InstanceType<typeof dbus.Variant>> {
  const result: Record<string, InstanceType<typeof dbus.Variant>> = {};
  const strings: Array<[string, string | undefined]> = [
    ['viewer', options.viewer],
    ['display', options.display],
    ['xauthority', options.xauthority],
    ['wayland_display', options.waylandDisplay],
    ['save_back', options.saveBack],
  ];
  for (const [key, value] of strings) if (value !== undefined && value !== '') result[key] = new dbus.Variant('s', value);
  if (options.wait !== undefined) result.wait = new dbus.Variant('b', options.wait);
  if (options.notify !== undefined) result.notify = new dbus.Variant('b', options.notify);
  if (options.edit === true) result.edit = new dbus.Variant('b', true);
  return result;
}
