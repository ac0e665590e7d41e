// nofear-open started from the desktop with no service between (no session service, --no-service, --edit):
// the progress notification the service shows (the step, the seconds so far, this machine's usual time, and
// Stop), on this process's own bus connection, closed at the window or at the open's end.
import type { LaunchStep } from '../sandbox/launch.js';
import { openSessionBus } from '../service/bus/bus.js';
import { Notifications } from '../service/bus/notifications.js';
import { OpenNotices } from '../service/bus/open-notices.js';

export interface FollowedOpen {
  stepped(step: LaunchStep): void;
  /** The open is over (window, failure or stop): its notice goes. */
  ended(): Promise<void>;
}

export interface OpenProgress {
  /** Follows one open; `stop` is what the notification's Stop does. */
  follow(file: string, stop: () => Promise<void>): FollowedOpen;
  /** Every notice closed, then the connection (the batch is over). */
  close(): Promise<void>;
}

const UNFOLLOWED: FollowedOpen = { stepped: () => undefined, ended: async () => undefined };
export const NO_PROGRESS: OpenProgress = { follow: () => UNFOLLOWED, close: async () => undefined };

export function desktopProgress(env: NodeJS.ProcessEnv, usualMs: number | undefined): OpenProgress {
  let open: ReturnType<typeof openSessionBus>;
  try {
    open = openSessionBus(env);
  } catch {
    return NO_PROGRESS; // no session bus: nobody to show it to
  }
  const notices = new OpenNotices(new Notifications(open.bus), () => usualMs);
  const closing: Promise<void>[] = [];
  let opens = 0;
  return {
    follow(file, stop) {
      const subject = { id: `open-${opens++}`, files: [file], step: 'booting' as LaunchStep, stop };
      notices.begin(subject);
      const ended = () => {
        const done = notices.ended(subject.id);
        closing.push(done);
        return done;
      };
      return {
        stepped(step) {
          subject.step = step;
          if (step === 'window') void ended();
          else notices.stepped(subject.id, step);
        },
        ended,
      };
    },
    async close() {
      await Promise.all(closing);
      open.disconnect();
    },
  };
}
