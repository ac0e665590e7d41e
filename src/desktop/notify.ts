// Desktop notifications (org.freedesktop.Notifications) for progress and failures, best effort:
// where no session bus or no notification server exists, nothing is shown and nothing fails.
import dbus from 'dbus-next';

const NOTIFY_TIMEOUT_MS = 2000;

/** Strips what a notification server could read as markup or control: guest-free, but file names are user data. */
function plain(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').replace(/[<>&]/g, (c) => ({ '<': '‹', '>': '›', '&': '+' })[c] ?? c).slice(0, 300);
}

export async function notify(summary: string, body: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (!address || address.startsWith('unix:abstract=') || address === 'disabled:') return false;
  let bus: ReturnType<typeof dbus.sessionBus> | undefined;
  try {
    bus = dbus.sessionBus({ busAddress: address });
    bus.on('error', () => {});
    const call = (async () => {
      const proxy = await bus.getProxyObject('org.freedesktop.Notifications', '/org/freedesktop/Notifications');
      const notifications = proxy.getInterface('org.freedesktop.Notifications');
      await notifications.Notify('NoFear', 0, 'org.nofear.NoFear', plain(summary), plain(body), [], {}, -1);
      return true;
    })();
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), NOTIFY_TIMEOUT_MS).unref());
    return await Promise.race([call.catch(() => false), timeout]);
  } catch {
    return false;
  } finally {
    bus?.disconnect();
  }
}

/** Notifies after `delayMs` unless cancelled first: "this is taking a moment" without noise for quick opens. */
export function notifyIfSlow(summary: string, body: string, delayMs = 1000, env: NodeJS.ProcessEnv = process.env): () => void {
  const timer = setTimeout(() => void notify(summary, body, env), delayMs);
  timer.unref();
  return () => clearTimeout(timer);
}
