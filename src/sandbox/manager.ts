// The service's sandboxes: admitted within the limits, started only through launch(), followed from
// starting to their end, kept a short while after for late readers. No D-Bus here: the service mirrors
// the events onto the bus.
import { unavailable } from '../errors.js';
import { Admission, type Limits } from './admission.js';
import { FAILURE_STATUS, StoppedBeforeRunning, type ConversionOutcome, type LaunchedSandbox, type LaunchSpec, type LaunchStep, type SandboxEnd } from './launch.js';
import type { SandboxState } from './registry.js';

export interface ManagedSandbox {
  readonly id: string;
  readonly profile: string;
  readonly command: readonly string[];
  readonly files: readonly string[];
  /** Microseconds since the epoch. */
  readonly startedAtMicros: bigint;
  readonly state: SandboxState;
  /** The CLI's exit code once ended (125 for NoFear's own failure); -1 before. */
  readonly exitStatus: number;
  /** Whether the service shows this open's progress as a desktop notification. */
  readonly notifies: boolean;
  /** The last step towards the window, and each step's time in ms after the start. */
  readonly step: LaunchStep;
  readonly steps: Readonly<Partial<Record<LaunchStep, number>>>;
  /** The X id of its first window on the host display; 0 before. */
  readonly windowId: number;
  /** Why it failed to start, in NoFear's words; '' otherwise. */
  readonly failure: string;
  /** Settles with the exit status once everything of the VM is gone. */
  readonly ended: Promise<SandboxEnd>;
  /** A conversion's outcome (its launch's), complete once it has ended; absent for other sandboxes. */
  readonly converted?: ConversionOutcome;
  /** An open's VM runs `argv` beside its program (LaunchedSandbox.launchBeside); absent for a conversion. */
  readonly launchBeside?: (argv: readonly string[]) => Promise<boolean>;
  /** A link VM's shape and last link's time, to its record (LaunchedSandbox.noteLink). */
  readonly noteLink?: (shape: string, lastLinkAt: number) => Promise<void>;
  stop(): Promise<void>;
}

export interface ManagerEvents {
  /** A sandbox exists (state starting). */
  started(sandbox: ManagedSandbox): void;
  /** Its state changed (running, exited, failed). */
  changed(sandbox: ManagedSandbox): void;
  /** It reached a step towards its window. */
  stepped(sandbox: ManagedSandbox, step: LaunchStep): void;
  /** The VM is gone and cleaned up; `changed` came just before. */
  ended(sandbox: ManagedSandbox, status: number): void;
  /** The job never ran (the start failed); `ended` follows with 125. */
  failedToStart(sandbox: ManagedSandbox, error: unknown): void;
  /** Forgotten, `lingerMs` after its end. */
  removed(sandbox: ManagedSandbox): void;
}

/** A warm VM for a request, with the admission slot it already holds. */
export interface WarmTake {
  release: () => void;
  launch(): Promise<LaunchedSandbox>;
}

export interface ManagerOptions<S = LaunchSpec> {
  limits: Limits;
  /** Shared with the warm pool, whose VMs hold slots too; the manager's own otherwise. */
  admission?: Admission;
  /** A warm VM that can take this request, if the pool has one. */
  takeWarm?(spec: S): WarmTake | undefined;
  /** Frees a slot held by the pool or by background work (a thumbnail batch) for a user's request; true when one was freed. */
  evictWarm?(): Promise<boolean>;
  /** Starts one VM (the service passes launch() with its current config). */
  launch(spec: S): Promise<LaunchedSandbox>;
  /** How long an ended sandbox stays listed. */
  lingerMs: number;
  events: ManagerEvents;
}

/** What the manager adds to a launched sandbox: its state, its exit status, its start in D-Bus's unit. */
type Entry = ManagedSandbox & { handle: LaunchedSandbox; state: SandboxState; exitStatus: number; failure: string };

/** The handle's own fields and getters (id, files, steps, ended, stop…) show through: it is the prototype. */
function entryFor(handle: LaunchedSandbox): Entry {
  const entry = Object.create(handle) as Entry;
  return Object.assign(entry, { handle, state: 'starting' as SandboxState, exitStatus: -1, failure: '', startedAtMicros: BigInt(handle.startedAt.getTime()) * 1000n });
}

/** S: the requests it starts (the service adds conversions to the sandbox layer's own). */
export class SandboxManager<S = LaunchSpec> {
  private readonly admission: Admission;
  private readonly entries = new Map<string, Entry>();
  /** Starts admitted but not yet known by id: shutdown waits for them too. */
  private readonly launching = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly options: ManagerOptions<S>) {
    this.admission = options.admission ?? new Admission(options.limits);
  }

  updateLimits(limits: Limits): void {
    this.admission.update(limits);
  }

  /** A warm VM, or a free slot (the pool's given up first), then launches; resolves once the sandbox exists. `signal`: the caller took the request back (its wait in the queue ends). */
  async start(spec: S, memoryMiB: number, signal?: AbortSignal): Promise<ManagedSandbox> {
    if (this.closed) throw unavailable('The NoFear service is stopping.', 'try again in a moment');
    if (signal?.aborted === true) throw signal.reason as Error;
    const warm = this.options.takeWarm?.(spec);
    const release = warm?.release ?? (await this.slot(memoryMiB, signal));
    if (this.closed) {
      release();
      throw unavailable('The NoFear service is stopping.', 'try again in a moment');
    }
    const launching = warm?.launch() ?? this.options.launch(spec);
    this.launching.add(launching);
    let handle: LaunchedSandbox;
    try {
      handle = await launching;
    } catch (error) {
      release();
      throw error;
    } finally {
      this.launching.delete(launching);
    }
    const entry = entryFor(handle);
    this.entries.set(handle.id, entry);
    this.follow(entry, release);
    this.options.events.started(entry);
    if (this.closed) void entry.stop();
    return entry;
  }

  /** A slot at once, else one the pool gives up, else a place in the queue: a warm VM never makes a user wait. */
  private slot(memoryMiB: number, signal?: AbortSignal): Promise<() => void> {
    return this.admission.forUser(async () => {
      const now = this.admission.tryAcquire(memoryMiB);
      if (now !== undefined) return now;
      while (this.admission.waiting === 0 && (await this.options.evictWarm?.())) {
        const freed = this.admission.tryAcquire(memoryMiB);
        if (freed !== undefined) return freed;
      }
      return this.admission.acquire(memoryMiB, signal);
    });
  }

  private follow(entry: Entry, release: () => void): void {
    const { events, lingerMs } = this.options;
    entry.handle.onStep((step) => events.stepped(entry, step));
    entry.handle.running.then(
      () => {
        if (entry.state !== 'starting') return;
        entry.state = 'running';
        events.changed(entry);
      },
      (error: unknown) => {
        // Stopped on request before its job ran: it ends as stopped (143, exited), with no failure to tell.
        if (error instanceof StoppedBeforeRunning) return;
        entry.failure = error instanceof Error ? error.message : String(error);
        events.failedToStart(entry, error);
      },
    );
    void entry.handle.ended
      .catch((): SandboxEnd => ({ status: FAILURE_STATUS, failed: true })) // ended never rejects by contract; a bug must still free the slot
      .then(({ status, failed }) => {
        release();
        // A guest program may exit 125 itself: only NoFear's own failure makes the state "failed".
        entry.state = failed ? 'failed' : 'exited';
        entry.exitStatus = status;
        events.changed(entry);
        events.ended(entry, status);
        setTimeout(() => {
          this.entries.delete(entry.id);
          events.removed(entry);
        }, lingerMs).unref();
      });
  }

  get(id: string): ManagedSandbox | undefined {
    return this.entries.get(id);
  }

  /** Every sandbox still listed, ended ones included until removed. */
  list(): ManagedSandbox[] {
    return [...this.entries.values()];
  }

  /** Sandboxes whose VM has not ended. */
  live(): ManagedSandbox[] {
    return this.list().filter((s) => s.state === 'starting' || s.state === 'running');
  }

  get waiting(): number {
    return this.admission.waiting;
  }

  /** Cancels the waiting requests (they fail Unavailable) and stops every sandbox; resolves when all ended. */
  async stopAll(reason = 'StopAll was called'): Promise<void> {
    this.admission.cancelWaiting(unavailable(`Cancelled before it started: ${reason}.`, 'call again'));
    await Promise.allSettled([...this.launching]);
    // A stop that fails found its VM gone already; `ended` below settles either way.
    await Promise.all(this.live().map((s) => s.stop().catch(() => undefined)));
    await Promise.all(this.list().map((s) => s.ended));
  }

  /** Refuses new requests from now on, then stops everything. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stopAll('the NoFear service is stopping');
  }
}
