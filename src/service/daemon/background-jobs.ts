// Work the user did not ask for (thumbnail batches of files from outside) runs in VMs that count in the
// service's limits like any other, but gives way: it takes a slot only when no user waits for one, and when a
// user's open needs the slot it holds, the job is stopped and its slot freed for the open (issues 29, 30).
// Like the warm pool, it leaves [pool] min_available_memory to everything else: a job starts only while the
// host would still have that much available with the job's VM running.
import type { Admission, Release } from '../../sandbox/admission.js';

/** The host's memory as the warm pool reads it: MemAvailable now, and what must stay available. */
export interface MemoryFloor {
  availableMiB: () => number;
  minAvailableMiB: () => number;
  /** How often a job short of memory looks again (nothing announces freed memory). */
  recheckMs?: number;
  log?: (line: string) => void;
}

const RECHECK_MS = 30_000;

/** How a background job ended: its value, or stopped to free its slot for a user. */
export type BackgroundRun<T> = { value: T } | { gaveWay: true };

interface Running {
  controller: AbortController;
  /** Settles once the job has ended and its slot is free. */
  freed: Promise<void>;
}

export class BackgroundJobs {
  private readonly running: Running[] = [];

  constructor(
    private readonly admission: Admission,
    private readonly memory: MemoryFloor,
  ) {}

  /** True when a job of `memoryMiB` leaves min_available_memory to the rest of the host. */
  private memoryAllows(memoryMiB: number): boolean {
    return this.memory.availableMiB() - memoryMiB >= this.memory.minAvailableMiB();
  }

  /** Resolves once the host has the memory for the job (looked at every recheckMs); rejects when `stop` aborts first. */
  private async waitForMemory(memoryMiB: number, stop: AbortSignal): Promise<void> {
    let told = false;
    while (!this.memoryAllows(memoryMiB)) {
      if (stop.aborted) throw stop.reason as Error;
      if (!told) {
        told = true;
        this.memory.log?.(
          `background work waits: ${Math.floor(this.memory.availableMiB())} MiB available, it needs ${memoryMiB} MiB and leaves [pool] min_available_memory (${this.memory.minAvailableMiB()} MiB) to the rest`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.memory.recheckMs ?? RECHECK_MS);
        function done() {
          clearTimeout(timer);
          stop.removeEventListener('abort', done);
          resolve();
        }
        stop.addEventListener('abort', done, { once: true });
      });
    }
    if (stop.aborted) throw stop.reason as Error;
  }

  /**
   * Waits for the host's memory and a background slot of `memoryMiB` (rejects when `stop` aborts first), then
   * runs `job` with a signal that aborts on `stop` or when a user's open needs the slot. The job must end promptly on it.
   */
  async run<T>(memoryMiB: number, stop: AbortSignal, job: (abort: AbortSignal) => Promise<T>): Promise<BackgroundRun<T>> {
    let release: Release;
    for (;;) {
      await this.waitForMemory(memoryMiB, stop);
      release = await this.admission.acquireBackground(memoryMiB, stop);
      // The slot may have come long after the memory was there: looked at again with the slot held.
      if (this.memoryAllows(memoryMiB)) break;
      release();
    }
    const controller = new AbortController();
    const onStop = () => controller.abort(stop.reason);
    stop.addEventListener('abort', onStop, { once: true });
    let freed: () => void = () => {};
    const entry: Running = { controller, freed: new Promise<void>((resolve) => (freed = resolve)) };
    this.running.push(entry);
    let gaveWay = false;
    controller.signal.addEventListener('abort', () => (gaveWay = !stop.aborted), { once: true });
    try {
      const value = await job(controller.signal);
      return gaveWay ? { gaveWay: true } : { value };
    } catch (error) {
      if (gaveWay) return { gaveWay: true };
      throw error;
    } finally {
      stop.removeEventListener('abort', onStop);
      this.running.splice(this.running.indexOf(entry), 1);
      release();
      freed();
    }
  }

  /** Stops the newest running job for a user's open; true once its slot is free, false when none runs. */
  async giveWay(): Promise<boolean> {
    // One already told to stop frees its slot for whoever asked first.
    const newest = this.running.filter((one) => !one.controller.signal.aborted).at(-1);
    if (newest === undefined) return false;
    newest.controller.abort(new Error('its slot is needed by an open'));
    await newest.freed;
    return true;
  }

  get active(): number {
    return this.running.length;
  }
}
