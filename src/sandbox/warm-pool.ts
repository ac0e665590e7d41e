// The service's warm VMs: booted, GUI server up, host client attached, waiting for a job. An open that
// fits their shape takes one (used once, never reused), and its replacement boots as soon as the taken
// VM's window is up: a boot never competes with the viewer's start. (Booting it at once under nice(1)
// would not do: a process cannot lower its niceness again without privilege, so the warm VM would
// later run its own viewer below everything else.) The pool is a good citizen: its VMs hold admission slots but give them up to a user's open,
// it empties when the host runs short of memory or nobody has opened anything for a while, and it
// never queues for a slot.
import type { Release } from './admission.js';
import type { GuiSession } from './gui-session.js';
import type { PoolDeps, PoolSession, WarmVm } from './warm-pool-types.js';

export type { PoolDeps, PoolSession, PoolSettings, WarmVm } from './warm-pool-types.js';

/** How long a replacement waits at most for the taken VM's window. */
const REPLACE_AFTER_MS = 10_000;

/** 1 s after a VM ended in the pool; then 2, 4 … 64 s after boots that keep failing. */
export function retryDelayMs(failures: number, baseMs = 1000): number {
  return baseMs * 2 ** Math.min(6, failures);
}

interface Member<S extends PoolSession> {
  state: 'booting' | 'ready';
  session: S | undefined;
  /** The guest memory it was admitted with, MiB. */
  memoryMiB: number;
  release: Release;
  display: string;
  /** Set when the pool itself stops it (drained, evicted): its end needs no replacement. */
  dropped: boolean;
  /** Resolves when an open takes it: the pool stops following it then. */
  taken: Promise<'taken'>;
  markTaken(): void;
  /** Resolves when the pool is done with it (disposed and its slot released, or taken). */
  gone: Promise<void>;
  /** Stops a boot in progress (the pool is emptied while it boots). */
  abort: AbortController;
  /** deps.shapeKey() when it began booting. */
  shape: string;
}

const WATCH_MS = 5000;
/** How far back the pool remembers its uses (the longest window a plan asks about). */
const USE_MEMORY_MS = 3_600_000;

export class WarmPool<S extends PoolSession = GuiSession> {
  private readonly members = new Set<Member<S>>();
  /** When take() was asked (served or not): the pool's recent use. */
  private uses: number[] = [];
  private display: string | undefined;
  private lastUse = Date.now();
  private paused = false;
  /** A taken VM's viewer is starting: no boot until its window is up. */
  private deferred: Promise<unknown> | undefined;
  /** Boots that failed in a row: each waits longer before the next (a display gone, a broken host). */
  private failures = 0;
  private closed = false;
  private readonly watcher: NodeJS.Timeout;

  private readonly listeners: Array<() => void> = [];
  private started = false;

  constructor(private readonly deps: PoolDeps<S>) {
    this.watcher = setInterval(() => this.watch(), deps.timings?.watchMs ?? WATCH_MS);
    this.watcher.unref();
  }

  /** Begins filling (the service owns its name: a second instance never boots a pool). */
  start(graceMs = 0): void {
    this.started = true;
    if (graceMs > 0 && this.deferred === undefined) this.deferUntil(undefined, graceMs);
    else this.fill();
  }

  /** No boot until `event` (a cold VM's window), `maxMs` at most: the pool's boots never compete with a user's. */
  holdOff(event: Promise<unknown>, maxMs: number): void {
    this.deferUntil(event, maxMs);
  }

  /** Hears every change of the pool's membership. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** How many are ready and booting, for ps-like views and tests. */
  get counts(): { ready: number; booting: number } {
    const all = [...this.members];
    return { ready: all.filter((m) => m.state === 'ready').length, booting: all.filter((m) => m.state === 'booting').length };
  }

  /** The display warm VMs attach to: the service's own, or the last caller's when it has none. */
  useDisplay(display: string | undefined): void {
    if (display === undefined || display === '' || display === this.display) return;
    const changed = this.display !== undefined;
    this.display = display;
    if (changed) void this.drain(); // VMs attached elsewhere are of no use to the new display
    this.fill();
  }

  /** A ready VM on `display`, taken out of the pool (a replacement starts booting); undefined if none. */
  take(display: string | undefined): WarmVm<S> | undefined {
    this.lastUse = Date.now();
    this.uses = [...this.uses.filter((at) => at > this.lastUse - USE_MEMORY_MS), this.lastUse];
    this.paused = false;
    const member = [...this.members].find((m) => m.state === 'ready' && m.display === display && m.session !== undefined);
    if (member?.session === undefined) {
      // The request boots its own VM now: the pool's boots wait for it (coldLaunched holds them until its window).
      this.deferUntil(undefined);
      return undefined;
    }
    this.members.delete(member);
    this.changed();
    member.markTaken();
    this.deps.log(`warm VM ${member.session.sandbox.id} taken`);
    this.deferUntil(member.session.window);
    return { session: member.session, release: member.release, display: member.display };
  }

  /** Stops one warm VM to free its slot for a user's open; true when one was stopped. */
  async evictOne(): Promise<boolean> {
    const member = this.byEvictionOrder()[0];
    if (member === undefined) return false;
    await this.stop(member, 'its slot is needed by an open');
    return true;
  }

  /** The settings changed (config.ini reloaded): VMs booted with others are stopped and replaced. */
  settingsChanged(): void {
    const now = this.shapeNow();
    const stale = [...this.members].filter((m) => !m.dropped && m.shape !== now);
    for (const member of stale) void this.stop(member, 'its [vm] or [gui] settings are no longer the configured ones');
    if (stale.length > 0) void Promise.all(stale.map((m) => m.gone)).then(() => this.fill());
  }

  private shapeNow(): string {
    return this.deps.shapeKey?.() ?? '';
  }

  /** Stops every warm VM; `pause` keeps the pool empty until the next open (StopAll). */
  async drain(pause = false): Promise<void> {
    if (pause) this.paused = true;
    await Promise.all([...this.members].map((m) => this.stop(m, 'the pool is emptied')));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watcher);
    await this.drain();
  }

  /** Refilling waits for `event` (a taken VM's window), at most `maxMs`. */
  private deferUntil(event: Promise<unknown> | undefined, maxMs = this.deps.timings?.replaceAfterMs ?? REPLACE_AFTER_MS): void {
    const until = Promise.race([...(event === undefined ? [] : [event]), new Promise((resolve) => setTimeout(resolve, maxMs).unref())]);
    this.deferred = until;
    void until.then(() => {
      if (this.deferred !== until) return;
      this.deferred = undefined;
      this.fill();
    });
  }

  /** How many times a VM was asked for within the last `windowMs` (at most USE_MEMORY_MS). */
  usesWithin(windowMs: number, now = Date.now()): number {
    return this.uses.filter((at) => at > now - windowMs).length;
  }

  /** The guest memory its VMs (ready and booting) were admitted with, MiB. */
  get memoryHeldMiB(): number {
    return [...this.members].reduce((sum, m) => sum + m.memoryMiB, 0);
  }

  /** Boots members until the pool has its size, as far as the host, the limits and the memory budget allow. */
  fill(): void {
    if (this.deferred !== undefined) return;
    const { size, memoryMiB } = this.deps.settings();
    while (this.started && !this.closed && !this.paused && this.display !== undefined && this.members.size < size && this.memoryAllows()) {
      if (this.deps.roomFor?.(memoryMiB) === false) return; // [pool] memory is spent
      const release = this.deps.admission.tryAcquire(memoryMiB);
      if (release === undefined) return; // no free slot: a user's sandboxes come first
      this.boot(this.display, release, memoryMiB);
    }
  }

  private boot(display: string, release: Release, memoryMiB: number): void {
    let markTaken = () => {};
    const taken = new Promise<'taken'>((resolve) => (markTaken = () => resolve('taken')));
    const member: Member<S> = {
      state: 'booting',
      session: undefined,
      memoryMiB,
      release,
      display,
      dropped: false,
      taken,
      markTaken,
      gone: Promise.resolve(),
      abort: new AbortController(),
      shape: this.shapeNow(),
    };
    this.members.add(member);
    this.changed();
    member.gone = this.live(member);
  }

  /** One member's life in the pool: booting, ready, then taken (the open owns it) or ended (replaced). */
  private async live(member: Member<S>): Promise<void> {
    try {
      member.session = await this.deps.boot(member.display, member.abort.signal);
      if (member.dropped) await stopSession(member.session);
      else {
        await member.session.ready();
        member.state = 'ready';
        this.failures = 0;
        this.deps.log(`warm VM ${member.session.sandbox.id} ready`);
        const end = await Promise.race([member.taken, member.session.finished]);
        if (end === 'taken') return; // its VM, its slot and its clean-up now belong to the open
        // Still in the pool when its VM ended: it died (QEMU killed, the client gone). Replace it.
        if (!member.dropped) this.deps.log(`warm VM ${member.session.sandbox.id} ended while waiting (${end.kind}); replacing it`);
      }
    } catch (error) {
      if (!member.dropped) this.failures++;
      this.deps.log(`a warm VM did not get ready: ${error instanceof Error ? error.message : String(error)}`);
    }
    await member.session?.sandbox.dispose();
    this.members.delete(member);
    this.changed();
    member.release();
    if (!member.dropped) this.deferUntil(undefined, retryDelayMs(this.failures, this.deps.timings?.retryBaseMs));
  }

  private async stop(member: Member<S>, why: string): Promise<void> {
    if (!this.members.has(member)) return;
    member.dropped = true;
    member.abort.abort();
    if (member.session !== undefined) {
      this.deps.log(`warm VM ${member.session.sandbox.id} stopped: ${why}`);
      await stopSession(member.session);
    }
    await member.gone;
  }

  /** Booting members first (they are furthest from being useful), then ready ones. */
  private byEvictionOrder(): Member<S>[] {
    const rank = (m: Member<S>) => (m.state === 'booting' ? 0 : 1);
    return [...this.members].sort((a, b) => rank(a) - rank(b));
  }

  private memoryAllows(): boolean {
    return this.deps.availableMiB() >= this.deps.settings().minAvailableMiB;
  }

  /** The pool empties when memory runs short or nobody opened anything for idle_timeout; refills after. */
  private watch(): void {
    const { idleTimeoutMs } = this.deps.settings();
    if (!this.memoryAllows() && this.members.size > 0) {
      this.deps.log('the host is short of memory: emptying the pool');
      void this.drain();
      return;
    }
    if (idleTimeoutMs > 0 && Date.now() - this.lastUse > idleTimeoutMs) {
      if (this.members.size > 0) this.deps.log(`no open for ${Math.round(idleTimeoutMs / 1000)} s: emptying the pool`);
      void this.drain(true);
      return;
    }
    this.settingsChanged(); // should a reload have been missed
    // A smaller [pool] size (config reloaded): the extra ones go, booting ones first.
    const extra = this.members.size - this.deps.settings().size;
    for (const member of this.byEvictionOrder().slice(0, Math.max(0, extra))) void this.stop(member, 'the pool is smaller now');
    this.fill();
  }

  /** Whether nothing of the pool is running (the service may idle out). */
  get empty(): boolean {
    return this.members.size === 0;
  }
}

async function stopSession(session: PoolSession): Promise<void> {
  await session.client?.stop();
  await session.sandbox.stop();
  await session.finished;
}
