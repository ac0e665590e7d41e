// The session bus connection, the one place dbus-next is opened: its address (no abstract sockets: the
// library needs a native module for them), the connection's end watched (dbus-next does not report it),
// plain method calls with a deadline and no proxies (proxies add match rules dbus-next never removes),
// and signal subscriptions by match rule.
import dbus from 'dbus-next';
import { unavailable } from '../../errors.js';
import { errorFromBus } from './names.js';

export type MessageBus = ReturnType<typeof dbus.sessionBus>;
export type DBusMessage = InstanceType<typeof dbus.Message>;
export { dbus };

/**
 * The session bus address dbus-next can use: DBUS_SESSION_BUS_ADDRESS, else systemd's
 * $XDG_RUNTIME_DIR/bus. Abstract sockets need a native module dbus-next lacks here, so they are left out.
 */
export function sessionBusAddress(env: NodeJS.ProcessEnv): string {
  const given = env.DBUS_SESSION_BUS_ADDRESS ?? (env.XDG_RUNTIME_DIR ? `unix:path=${env.XDG_RUNTIME_DIR}/bus` : '');
  if (given === '' || given === 'disabled:') throw unavailable('No session bus: DBUS_SESSION_BUS_ADDRESS is not set.', 'run it inside a desktop session, or under dbus-run-session');
  const usable = given.split(';').filter((entry) => entry !== '' && !entry.startsWith('unix:abstract='));
  if (usable.length === 0) {
    throw unavailable(
      `The session bus ${given} is an abstract socket, which NoFear's D-Bus library cannot reach.`,
      'start the bus on a socket path, e.g. dbus-daemon --session --address=unix:path=$XDG_RUNTIME_DIR/bus',
    );
  }
  return usable.join(';');
}

// dbus-next does not report the stream's end on MessageBus: this is the private part it uses.
interface ConnectionInternals {
  _connection?: { on(event: 'end', listener: () => void): void; stream?: { on(event: 'close', listener: () => void): void } };
}

export interface OpenBus {
  bus: MessageBus;
  address: string;
  /** Closes it on purpose (onEnd is not called then). */
  disconnect(): void;
}

/** Connects to the session bus; `onEnd` hears once when the connection ends without disconnect(). */
export function openSessionBus(env: NodeJS.ProcessEnv, onEnd: (reason: string) => void = () => {}): OpenBus {
  const address = sessionBusAddress(env);
  const bus = dbus.sessionBus({ busAddress: address });
  let connected = false;
  let closing = false;
  let ended = false;
  const end = (reason: string) => {
    if (closing || ended) return;
    ended = true;
    onEnd(connected ? reason : `cannot connect to ${address}: ${reason}`);
  };
  bus.on('connect', () => {
    connected = true;
  });
  bus.on('error', (error: unknown) => end(error instanceof Error ? error.message : String(error)));
  const internals = (bus as unknown as ConnectionInternals)._connection;
  internals?.on('end', () => end('the bus closed the connection'));
  internals?.stream?.on('close', () => end('the connection closed'));
  return {
    bus,
    address,
    disconnect: () => {
      closing = true;
      bus.disconnect();
    },
  };
}

export interface CallSpec {
  destination: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: unknown[];
}

/** A D-Bus error that is not the service's own: its name kept, for callers that tell them apart. */
export class ForeignBusError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One method call, its reply's body; rejects with the service's NoFearError, a ForeignBusError, or an
 * Unavailable when no reply comes within the deadline (0: wait as long as it takes, e.g. `wait`).
 */
export async function callMethod(bus: MessageBus, spec: CallSpec, timeoutMs: number): Promise<unknown[]> {
  return (await callForReply(bus, spec, timeoutMs)).body;
}

/** The same call; the reply's body and its sender's unique name (who answered: the only one whose signals about it count). */
export async function callForReply(bus: MessageBus, spec: CallSpec, timeoutMs: number): Promise<{ body: unknown[]; sender: string | undefined }> {
  const message = new dbus.Message({ ...spec, ...(spec.signature === undefined ? {} : { signature: spec.signature }), body: spec.body ?? [] });
  const call = bus.call(message).then(
    (reply) => ({ body: (reply?.body ?? []) as unknown[], sender: reply?.sender ?? undefined }),
    (error: unknown) => {
      const type = (error as { type?: string }).type ?? '';
      const text = (error as { text?: string }).text ?? (error as Error).message ?? String(error);
      throw errorFromBus(type, text) ?? new ForeignBusError(type, text);
    },
  );
  if (timeoutMs <= 0) return call;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable(`${spec.destination} did not answer ${spec.member} within ${timeoutMs / 1000} s.`, 'nofearctl doctor')), timeoutMs);
  });
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Which signals a subscription wants; the bus filters by the whole rule, the listener by what it can see. */
export interface SignalMatch {
  /** A well-known name: the bus filters on it (messages carry the unique name, so it is not re-checked here). */
  sender?: string;
  interface: string;
  member: string;
  path?: string;
  /** Any path below this one (the bus's path_namespace). */
  pathNamespace?: string;
  arg0?: string;
}

function matchRule(match: SignalMatch): string {
  const parts = [`type='signal'`, `interface='${match.interface}'`, `member='${match.member}'`];
  if (match.sender !== undefined) parts.push(`sender='${match.sender}'`);
  if (match.path !== undefined) parts.push(`path='${match.path}'`);
  if (match.pathNamespace !== undefined) parts.push(`path_namespace='${match.pathNamespace}'`);
  if (match.arg0 !== undefined) parts.push(`arg0='${match.arg0}'`);
  return parts.join(',');
}

/** Whether a signal is one `match` asked for (every subscription on a connection sees every signal it receives). */
function matches(match: SignalMatch, message: { interface?: string; member?: string; path?: string; body?: unknown[] }): boolean {
  if (message.interface !== match.interface || message.member !== match.member) return false;
  if (match.path !== undefined && message.path !== match.path) return false;
  if (match.pathNamespace !== undefined && message.path !== match.pathNamespace && !(message.path ?? '').startsWith(`${match.pathNamespace}/`)) return false;
  return match.arg0 === undefined || message.body?.[0] === match.arg0;
}

/** Subscribes to the signals `match` names; the listener sees each such message. */
export async function subscribe(bus: MessageBus, match: SignalMatch, listener: (message: DBusMessage) => void): Promise<() => Promise<void>> {
  const rule = matchRule(match);
  const onMessage = (message: DBusMessage) => {
    if (message.type === dbus.MessageType.SIGNAL && matches(match, message)) listener(message);
  };
  bus.on('message', onMessage);
  await callMethod(bus, { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'AddMatch', signature: 's', body: [rule] }, 5000);
  return async () => {
    bus.removeListener('message', onMessage);
    await callMethod(bus, { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'RemoveMatch', signature: 's', body: [rule] }, 5000).catch(
      () => undefined,
    ); // the bus is going anyway
  };
}
