// What the warm pool deals in: the ready VMs it holds (a GUI session, or a conversion VM without a
// client), its settings, and what it is given to boot, admit and watch them.
import type { Admission, Release } from './admission.js';
import type { GuiSession } from './gui-session.js';

/** What the pool needs of a ready VM: a GUI session (an open's), or a conversion VM without a client. */
export interface PoolSession {
  readonly sandbox: { readonly id: string; stop(): Promise<void>; dispose(): Promise<void> };
  ready(): Promise<void>;
  readonly finished: Promise<{ kind: string }>;
  /** The taken VM's job shows its first sign of work (a window): its replacement boots after it. */
  readonly window?: Promise<unknown>;
  readonly client?: { stop(): Promise<void> };
}

export interface PoolSettings {
  size: number;
  memoryMiB: number;
  /** Below this much available host memory (MiB) the pool empties and does not refill. */
  minAvailableMiB: number;
  /** Without an open for this long (ms; 0 = never) the pool empties until the next open. */
  idleTimeoutMs: number;
}

/** A ready VM handed to an open, with the admission slot it holds (released when that open ends). */
export interface WarmVm<S extends PoolSession = GuiSession> {
  session: S;
  release: Release;
  /** The display its client is attached to. */
  display: string;
}

export interface PoolDeps<S extends PoolSession = GuiSession> {
  settings(): PoolSettings;
  admission: Admission;
  /** Boots one VM of the pool's shape (its client on `display`) at low priority; `abort` stops it mid-boot. */
  boot(display: string, abort: AbortSignal): Promise<S>;
  /** Whether the pools' memory budget has room for one more VM of this size (all shapes together). */
  roomFor?(memoryMiB: number): boolean;
  /** The host's available memory, MiB (/proc/meminfo MemAvailable). */
  availableMiB(): number;
  /**
   * What a warm VM booted now would be ([vm] and [gui] settings, as a string): a ready VM booted with
   * other settings (a border, the clipboard, memory) is not what the user asked for any more.
   */
  shapeKey?(): string;
  log(line: string): void;
  /** Shorter waits for tests. */
  timings?: { watchMs?: number; replaceAfterMs?: number; retryBaseMs?: number };
}
