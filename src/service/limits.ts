// The service's admission control: at most N sandboxes and M MiB of guest memory at once; past that a
// request waits in line for a bounded time, then fails LimitReached. The host is never overloaded.
import { limitReached } from '../errors.js';

export interface Limits {
  maxSandboxes: number;
  maxGuestMemoryMiB: number;
  queueTimeoutMs: number;
}

interface Waiter {
  memoryMiB: number;
  grant: () => void;
}

export class Admission {
  private running = 0;
  private memory = 0;
  private readonly queue: Waiter[] = [];

  constructor(private limits: Limits) {}

  update(limits: Limits): void {
    this.limits = limits;
    this.drain();
  }

  get active(): number {
    return this.running;
  }

  private fits(memoryMiB: number): boolean {
    return this.running < this.limits.maxSandboxes && this.memory + memoryMiB <= this.limits.maxGuestMemoryMiB;
  }

  /** Resolves with a release function once the sandbox may start. */
  acquire(memoryMiB: number): Promise<() => void> {
    if (memoryMiB > this.limits.maxGuestMemoryMiB) {
      return Promise.reject(limitReached(`A ${memoryMiB} MiB guest is over the service's ${this.limits.maxGuestMemoryMiB} MiB total.`, 'raise [service] max_guest_memory'));
    }
    return new Promise((resolve, reject) => {
      const take = () => {
        this.running++;
        this.memory += memoryMiB;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.running--;
          this.memory -= memoryMiB;
          this.drain();
        });
      };
      if (this.queue.length === 0 && this.fits(memoryMiB)) return take();
      const waiter: Waiter = { memoryMiB, grant: take };
      this.queue.push(waiter);
      setTimeout(() => {
        const index = this.queue.indexOf(waiter);
        if (index < 0) return;
        this.queue.splice(index, 1);
        reject(limitReached(`${this.limits.maxSandboxes} sandboxes are running (the limit) and none ended within ${this.limits.queueTimeoutMs / 1000} s.`, 'close one (nofearctl ps, nofearctl stop ID), or raise [service] max_sandboxes'));
      }, this.limits.queueTimeoutMs).unref();
    });
  }

  private drain(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0]?.memoryMiB ?? 0)) this.queue.shift()?.grant();
  }
}
