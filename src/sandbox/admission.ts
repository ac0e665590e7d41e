// Admission control for the service: at most N sandboxes and M MiB of guest memory at once. Past that a
// request waits in line (first come, first served) for a bounded time, then fails LimitReached. Background
// work (thumbnail batches) waits in a line of its own, served only when no user's request waits or is
// being admitted: it counts in the limits but never goes before a user.
import { limitReached, type NoFearError } from '../errors.js';

export interface Limits {
  maxSandboxes: number;
  maxGuestMemoryMiB: number;
  queueTimeoutMs: number;
  /** The config.ini these limits come from, named in the LimitReached fixes. */
  configFile?: string;
}

interface Waiter {
  memoryMiB: number;
  grant(): void;
  refuse(error: NoFearError): void;
}

interface BackgroundWaiter {
  memoryMiB: number;
  grant(): void;
}

/** Frees the slot; calling it again does nothing. */
export type Release = () => void;

export class Admission {
  private running = 0;
  private memory = 0;
  private readonly queue: Waiter[] = [];
  private readonly background: BackgroundWaiter[] = [];
  /** Users' requests between their first try and their slot (freeing one from the pool or a thumbnail batch). */
  private userClaims = 0;

  constructor(private limits: Limits) {}

  /** New limits apply to the next grant; a raised limit lets waiting requests in at once. */
  update(limits: Limits): void {
    this.limits = limits;
    this.drain();
  }

  get active(): number {
    return this.running;
  }

  get waiting(): number {
    return this.queue.length;
  }

  private fits(memoryMiB: number): boolean {
    return this.running < this.limits.maxSandboxes && this.memory + memoryMiB <= this.limits.maxGuestMemoryMiB;
  }

  /** A slot now, or undefined when there is none free (or others wait for one): the pool never queues. */
  tryAcquire(memoryMiB: number): Release | undefined {
    return this.queue.length === 0 && this.fits(memoryMiB) ? this.grant(memoryMiB) : undefined;
  }

  private grant(memoryMiB: number): Release {
    this.running++;
    this.memory += memoryMiB;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.memory -= memoryMiB;
      this.drain();
    };
  }

  private overMemory(memoryMiB: number): NoFearError {
    return limitReached(
      `A ${memoryMiB} MiB guest is over the service's ${this.limits.maxGuestMemoryMiB} MiB total for guests.`,
      `raise [service] max_guest_memory, or lower [vm] memory, in ${this.limits.configFile ?? 'config.ini'}`,
    );
  }

  /** Resolves with the release once the sandbox may start; rejects LimitReached after the queue timeout, or the signal's reason when it aborts first. */
  acquire(memoryMiB: number, signal?: AbortSignal): Promise<Release> {
    if (memoryMiB > this.limits.maxGuestMemoryMiB) return Promise.reject(this.overMemory(memoryMiB));
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      // Assigned once, below: the closures that clear it are made first, and take() may run before it exists.
      // eslint-disable-next-line prefer-const
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        if (!this.remove(waiter)) return;
        if (timer !== undefined) clearTimeout(timer);
        reject(signal?.reason as Error);
        this.drain(); // a large request leaving may let smaller ones behind it in
      };
      const take = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(this.grant(memoryMiB));
      };
      if (this.queue.length === 0 && this.fits(memoryMiB)) return take();
      const waiter: Waiter = {
        memoryMiB,
        grant: take,
        refuse: (error) => {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      const { maxSandboxes, queueTimeoutMs, configFile = 'config.ini' } = this.limits;
      timer = setTimeout(() => {
        if (!this.remove(waiter)) return;
        signal?.removeEventListener('abort', onAbort);
        reject(
          limitReached(
            `${maxSandboxes} sandbox(es) are running (the limit) and none ended within ${queueTimeoutMs / 1000} s.`,
            `close one (nofearctl ps, nofearctl stop ID), or raise [service] max_sandboxes in ${configFile}`,
          ),
        );
        this.drain(); // a large request timing out may let smaller ones behind it in
      }, queueTimeoutMs);
      timer.unref();
    });
  }

  /** Refuses every waiting request with `error` (StopAll, shutdown). */
  cancelWaiting(error: NoFearError): void {
    for (const waiter of this.queue.splice(0)) waiter.refuse(error);
  }

  private remove(waiter: Waiter): boolean {
    const index = this.queue.indexOf(waiter);
    if (index < 0) return false;
    this.queue.splice(index, 1);
    return true;
  }

  /**
   * A slot for background work once no user's request waits or is being admitted; never times out, and
   * rejects with the signal's reason when `signal` aborts first. Background work holding a slot must give it
   * back when a user needs it (BackgroundJobs.giveWay).
   */
  acquireBackground(memoryMiB: number, signal: AbortSignal): Promise<Release> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      if (memoryMiB > this.limits.maxGuestMemoryMiB) return reject(this.overMemory(memoryMiB));
      const waiter: BackgroundWaiter = {
        memoryMiB,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.grant(memoryMiB));
        },
      };
      const onAbort = () => {
        const index = this.background.indexOf(waiter);
        if (index >= 0) this.background.splice(index, 1);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.background.push(waiter);
      this.drain();
    });
  }

  /**
   * Runs `claim` (a user's way to a slot) with background work held off: a slot freed for the user while it
   * runs is not handed to a waiting thumbnail batch first.
   */
  async forUser<T>(claim: () => Promise<T>): Promise<T> {
    this.userClaims++;
    try {
      return await claim();
    } finally {
      this.userClaims--;
      this.drain();
    }
  }

  private drain(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0]?.memoryMiB ?? 0)) this.queue.shift()?.grant();
    while (this.queue.length === 0 && this.userClaims === 0 && this.background.length > 0 && this.fits(this.background[0]?.memoryMiB ?? 0)) this.background.shift()?.grant();
  }
}
