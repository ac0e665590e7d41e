// Desktop notifications (org.freedesktop.Notifications) on a bus connection: shown, updated in place
// (replaces_id), closed, and their actions heard. Best effort: where no notification server answers,
// nothing is shown and nothing fails.
import { plainText } from '../../util/text.js';
import { callForReply, callMethod, dbus, openSessionBus, subscribe, type DBusMessage, type MessageBus } from './bus.js';

const SERVER = { destination: 'org.freedesktop.Notifications', path: '/org/freedesktop/Notifications', interface: 'org.freedesktop.Notifications' };
const NOTIFY_TIMEOUT_MS = 2000;
const APP_NAME = 'NoFear';
const APP_ICON = 'org.nofear.NoFear';
/** Notifications whose server is remembered: far more than a session shows at once. */
const MAX_REMEMBERED = 1000;
/** Signals held while a Notify reply is read: a button press or two, never a flood. */
const MAX_HELD = 16;
/** A batch's failures, each with its fix, fit; a page of text does not. */
const BODY_MAX_CHARS = 1500;

export interface Notice {
  summary: string;
  body: string;
  /** The notification this one updates in place (0 or absent: a new one). */
  replacesId?: number;
  /** [action key, label] pairs, e.g. [['stop', 'Stop']]. */
  actions?: ReadonlyArray<readonly [string, string]>;
  /** Stays until closed (progress), or the server's default timeout. */
  persistent?: boolean;
}

/** The Stop button of a progress notification (an open's, a conversion's): its key, heard by the one it belongs to. */
export const STOP_ACTION = 'stop';

/** `notice` in place of the notification `previous` (the one shown before it), or a new one. */
export function replacing(notice: Notice, previous: number | undefined): Notice {
  return previous === undefined ? notice : { ...notice, replacesId: previous };
}

/** A progress notification (an open's, a conversion's): kept until closed, with Stop, in place of `previous`. */
export function progressNotice(summary: string, body: string, previous: number | undefined): Notice {
  return replacing({ summary, body, actions: [[STOP_ACTION, 'Stop']], persistent: true }, previous);
}

export type ActionListener = (id: number, action: string) => void;
export type ClosedListener = (id: number) => void;

export class Notifications {
  private readonly listeners = new Set<ActionListener>();
  private subscribed: Promise<unknown> | undefined;
  private readonly closedListeners = new Set<ClosedListener>();
  private closedSubscribed: Promise<unknown> | undefined;

  /**
   * Who showed each notification (the server's unique name, from its Notify reply): any connection on the
   * bus can send an ActionInvoked or NotificationClosed, even straight to NoFear past every match rule, so
   * only the server's own count ("Save back", "Stop").
   */
  private readonly shownBy = new Map<number, string>();

  constructor(private readonly bus: MessageBus) {}

  /** Whether a signal about notification `id` comes from the server that showed it. */
  private fromServer(message: DBusMessage, id: number): boolean {
    const server = this.shownBy.get(id);
    return server !== undefined && message.sender === server;
  }

  /** Notify calls whose reply has not been read yet. */
  private showing = 0;
  /**
   * Signals about an id not (yet) known while a Notify is in flight: the server can send a button's
   * ActionInvoked right behind its reply, and both can arrive in one read, before `show` has learnt the id.
   * Judged again once the reply is read and the caller has the id (bounded: any connection can send these).
   */
  private held: Array<{ message: DBusMessage; id: number; deliver: () => void }> = [];

  /** Delivers a signal from the server that showed `id`; holds one that may be from it, drops the rest. */
  private judge(message: DBusMessage, id: number, deliver: () => void): void {
    if (this.fromServer(message, id)) deliver();
    else if (this.showing > 0 && this.held.length < MAX_HELD) this.held.push({ message, id, deliver });
  }

  private release(): void {
    for (const signal of this.held.splice(0)) this.judge(signal.message, signal.id, signal.deliver);
  }

  private remember(id: number, sender: string | undefined): void {
    if (sender === undefined) return;
    this.shownBy.delete(id);
    this.shownBy.set(id, sender);
    if (this.shownBy.size > MAX_REMEMBERED) this.shownBy.delete(this.shownBy.keys().next().value as number);
  }

  /** The notification's id, or undefined when no server answered in time. */
  async show(notice: Notice): Promise<number | undefined> {
    const actions = (notice.actions ?? []).flatMap(([key, label]) => [key, plainText(label, 40)]);
    const hints = { 'desktop-entry': new dbus.Variant('s', 'org.nofear.NoFear') };
    this.showing++;
    try {
      const { body, sender } = await callForReply(
        this.bus,
        {
          ...SERVER,
          member: 'Notify',
          signature: 'susssasa{sv}i',
          body: [APP_NAME, notice.replacesId ?? 0, APP_ICON, plainText(notice.summary), plainText(notice.body, BODY_MAX_CHARS), actions, hints, notice.persistent ? 0 : -1],
        },
        NOTIFY_TIMEOUT_MS,
      );
      const [id] = body;
      if (typeof id !== 'number' || id <= 0) return undefined;
      this.remember(id, sender);
      return id;
    } catch {
      return undefined; // no notification server on this session: the desktop simply shows nothing
    } finally {
      this.showing--;
      // After the caller's own continuation (it learns the id first), not within this one.
      if (this.held.length > 0) setImmediate(() => this.release());
    }
  }

  async close(id: number | undefined): Promise<void> {
    if (id === undefined) return;
    await callMethod(this.bus, { ...SERVER, member: 'CloseNotification', signature: 'u', body: [id] }, NOTIFY_TIMEOUT_MS).catch(() => undefined); // already gone
  }

  /** Hears ActionInvoked for every notification this connection shows. */
  async onAction(listener: ActionListener): Promise<void> {
    this.listeners.add(listener);
    this.subscribed ??= subscribe(this.bus, { sender: SERVER.destination, interface: SERVER.interface, member: 'ActionInvoked', path: SERVER.path }, (message) => {
      const [id, action] = message.body as [unknown, unknown];
      if (typeof id !== 'number' || typeof action !== 'string') return;
      this.judge(message, id, () => {
        for (const heard of this.listeners) heard(id, action);
      });
    }).catch(() => undefined); // no bus to listen on: no action will come
    await this.subscribed;
  }

  /** Hears NotificationClosed (expired, dismissed, closed) for every notification; returns how to stop. */
  async onClosed(listener: ClosedListener): Promise<() => void> {
    this.closedListeners.add(listener);
    this.closedSubscribed ??= subscribe(this.bus, { sender: SERVER.destination, interface: SERVER.interface, member: 'NotificationClosed', path: SERVER.path }, (message) => {
      const [id] = message.body as [unknown];
      if (typeof id !== 'number') return;
      this.judge(message, id, () => {
        for (const heard of this.closedListeners) heard(id);
      });
    }).catch(() => undefined); // no bus to listen on: no close will come
    await this.closedSubscribed;
    return () => this.closedListeners.delete(listener);
  }

  /** Stops hearing actions (a short-lived question). */
  offAction(listener: ActionListener): void {
    this.listeners.delete(listener);
  }
}

/**
 * One notification on a short-lived connection (a CLI launched from the desktop). A bus that cannot be
 * reached (no socket at the address) ends the connection, and then no reply can come: the call is not
 * waited for to its deadline (dbus-next leaves it pending; a refused open from a pipe took 2 s more).
 */
export async function notifyOnce(env: NodeJS.ProcessEnv, summary: string, body: string): Promise<boolean> {
  let open;
  let connectionEnded = () => {};
  const ended = new Promise<undefined>((resolve) => (connectionEnded = () => resolve(undefined)));
  try {
    open = openSessionBus(env, () => connectionEnded());
  } catch {
    return false; // no session bus: nobody to tell
  }
  try {
    return (await Promise.race([new Notifications(open.bus).show({ summary, body }), ended])) !== undefined;
  } finally {
    open.disconnect();
  }
}
