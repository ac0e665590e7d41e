// One desktop notification per open, updated in place as the VM gets there (booting, starting the
// viewer, the seconds so far and the usual time here, as the terminal's status line says) with a Stop action that stops that sandbox; closed when the window appears, replaced by the
// reason when the open fails. Quick opens (a warm VM) show nothing: the first notice waits a moment.
import path from 'node:path';
import type { LaunchStep } from '../../sandbox/launch.js';
import { progressNotice, replacing, STOP_ACTION, type Notifications } from './notifications.js';

/** Opens slower than this get a notification (a file manager shows nothing meanwhile). */
const SLOW_OPEN_MS = 1000;
/** A shown notice is updated this often, so its seconds count on through a quiet TCG boot. */
const REFRESH_MS = 5000;

export interface NoticeSubject {
  readonly id: string;
  readonly files: readonly string[];
  readonly step: LaunchStep;
  stop(): Promise<void>;
}

const STEP_TEXT: Record<LaunchStep, string> = {
  booting: 'Starting a throwaway VM…',
  booted: 'Starting the viewer…',
  server: 'Starting the viewer…',
  attached: 'Starting the viewer…',
  window: 'Open.',
};

/** What the terminal's status line says too: the step, the seconds so far, this machine's usual time. */
export function noticeBody(step: LaunchStep, elapsedMs: number, usualMs: number | undefined): string {
  const usual = usualMs === undefined ? '' : `, usually ${Math.round(usualMs / 1000)} s here`;
  return `${STEP_TEXT[step]} ${Math.round(elapsedMs / 1000)} s${usual}`;
}

interface Notice {
  subject: NoticeSubject;
  timer: NodeJS.Timeout | undefined;
  beganAt: number;
  refresh: NodeJS.Timeout | undefined;
  /** The server's id once shown; a promise while the first Notify is in flight. */
  shown: Promise<number | undefined> | undefined;
  closed: boolean;
}

export class OpenNotices {
  private readonly notices = new Map<string, Notice>();

  constructor(
    private readonly notifications: Notifications,
    /** This machine's usual time to a window (measured; undefined until it is). */
    private readonly usualMs: () => number | undefined = () => undefined,
  ) {
    void notifications.onAction((id, action) => {
      if (action !== STOP_ACTION) return;
      for (const notice of this.notices.values()) void this.stopIfOwner(notice, id);
    });
  }

  /** A new open: its notice appears if the window has not come within SLOW_OPEN_MS. */
  begin(subject: NoticeSubject): void {
    if (subject.files[0] === undefined) return;
    const notice: Notice = { subject, timer: undefined, beganAt: Date.now(), refresh: undefined, shown: undefined, closed: false };
    notice.timer = setTimeout(() => {
      void this.update(notice);
      notice.refresh = setInterval(() => void this.update(notice), REFRESH_MS);
      notice.refresh.unref();
    }, SLOW_OPEN_MS);
    notice.timer.unref();
    this.notices.set(subject.id, notice);
  }

  /** The open reached a step: the notice says so, and goes once the window is there. */
  stepped(id: string, step: LaunchStep): void {
    const notice = this.notices.get(id);
    if (notice === undefined) return;
    if (step === 'window') return void this.finish(notice);
    if (notice.shown !== undefined) void this.update(notice);
  }

  /** The open failed: the notice (shown or not) becomes the reason. */
  failed(id: string, reason: string): void {
    const notice = this.notices.get(id);
    const file = notice?.subject.files[0];
    if (notice === undefined || file === undefined) return;
    clearTimeout(notice.timer);
    clearInterval(notice.refresh);
    notice.closed = true;
    this.notices.delete(id);
    void (async () => {
      const replacesId = await notice.shown;
      await this.notifications.show(replacing({ summary: `NoFear could not open ${path.basename(file)}`, body: reason }, replacesId));
    })();
  }

  /** The sandbox ended (whatever way): its progress notice, if any, goes. */
  ended(id: string): Promise<void> {
    const notice = this.notices.get(id);
    return notice === undefined ? Promise.resolve() : this.finish(notice);
  }

  private async update(notice: Notice): Promise<void> {
    if (notice.closed) return;
    const file = path.basename(notice.subject.files[0] ?? '');
    const previous = await notice.shown;
    notice.shown = this.notifications.show(progressNotice(`Opening ${file} safely`, noticeBody(notice.subject.step, Date.now() - notice.beganAt, this.usualMs()), previous));
    if (notice.closed) await this.notifications.close(await notice.shown);
  }

  private async finish(notice: Notice): Promise<void> {
    clearTimeout(notice.timer);
    clearInterval(notice.refresh);
    notice.closed = true;
    this.notices.delete(notice.subject.id);
    await this.notifications.close(await notice.shown);
  }

  private async stopIfOwner(notice: Notice, notificationId: number): Promise<void> {
    if ((await notice.shown) !== notificationId) return;
    await this.finish(notice);
    await notice.subject.stop();
  }
}
