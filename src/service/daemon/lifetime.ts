// When a bus-activated service may leave: after idle_exit seconds holding nothing. Every live sandbox and
// every call in progress is a hold (GNOME Shell's dbusServices hold/release), so no work is cut short.
export class IdleExit {
  private holds = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  /** `seconds` is read each time the timer is armed, so a reloaded config applies. 0 = never. */
  constructor(
    private readonly enabled: boolean,
    private readonly seconds: () => number,
    private readonly onIdle: (seconds: number) => void,
  ) {}

  start(): void {
    this.running = true;
    this.rearm();
  }

  stop(): void {
    this.running = false;
    this.rearm();
  }

  /** Keeps the service up until the returned release is called (once; later calls do nothing). */
  hold(): () => void {
    this.holds++;
    this.rearm();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.rearm();
    };
  }

  /** Runs `work` under a hold. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    const release = this.hold();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Starts the idle delay over (a changed setting, or a change in holds). */
  rearm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const seconds = this.seconds();
    if (!this.enabled || !this.running || this.holds > 0 || seconds <= 0) return;
    this.timer = setTimeout(() => this.onIdle(seconds), seconds * 1000);
  }
}
