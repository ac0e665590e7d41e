// [links] reuse_seconds: whether a link opens in a link VM that runs already (its browser gets it as a new
// tab or window) or in a VM of its own. The decision is pure (linkVmFor); LinkVms is the service's memory
// of its live link VMs, which forgets a VM the moment it ends. nofear-open --dry-run makes the same
// decision from the sandboxes' records (SandboxRecord.link), which the service keeps current.
import type { SandboxRecord } from '../../sandbox/registry.js';

/**
 * What must be the same for two links to share a VM: the browser, the network ([links] lan), sound and the
 * display the windows go to. A string, so that it is compared (and recorded) whole.
 */
export function linkShape(parts: { browser: string; lan: boolean; sound: boolean; display: string | undefined; waylandDisplay?: string | undefined }): string {
  return JSON.stringify([parts.browser, parts.lan ? 'lan' : 'internet-only', parts.sound ? 'sound' : 'silent', parts.display ?? '', parts.waylandDisplay ?? '']);
}

/** A link VM as the decision sees it. */
export interface LinkVm {
  id: string;
  shape: string;
  /** When it last got a link (its first included), ms since the epoch. */
  lastLinkAt: number;
  /** Its VM has not ended. */
  live: boolean;
}

export type ReuseDecision = { kind: 'reuse'; id: string } | { kind: 'new'; why: string };

/**
 * The VM a link opens in: the live link VM of the same shape that got a link most recently, when that was
 * at most `reuseSeconds` ago; else a new one, with the reason. reuse_seconds = 0 never reuses.
 */
export function linkVmFor(vms: readonly LinkVm[], shape: string, now: number, reuseSeconds: number): ReuseDecision {
  if (!(reuseSeconds > 0)) return { kind: 'new', why: '[links] reuse_seconds is 0' };
  const windowMs = reuseSeconds * 1000;
  const live = vms.filter((vm) => vm.live);
  const alike = live.filter((vm) => vm.shape === shape);
  // A clock set back makes an age negative: that VM's last link is not known to be recent.
  const recent = alike.filter((vm) => now - vm.lastLinkAt >= 0 && now - vm.lastLinkAt <= windowMs);
  const newest = recent.reduce<LinkVm | undefined>((best, vm) => (best === undefined || vm.lastLinkAt > best.lastLinkAt ? vm : best), undefined);
  if (newest !== undefined) return { kind: 'reuse', id: newest.id };
  if (live.length === 0) return { kind: 'new', why: 'no link VM runs' };
  if (alike.length === 0) return { kind: 'new', why: 'no running link VM has the same browser, network, sound and display' };
  return { kind: 'new', why: `the last link went to a VM more than ${reuseSeconds} s ago ([links] reuse_seconds)` };
}

/** The one thing LinkVms needs of a sandbox: its id, and when it has ended. */
export interface EndingSandbox {
  readonly id: string;
  readonly ended: Promise<unknown>;
}

/** The service's live link VMs, each with its shape and when it last got a link. */
export class LinkVms<S extends EndingSandbox> {
  private readonly vms = new Map<string, { sandbox: S; shape: string; lastLinkAt: number }>();

  /** A new link VM, which got its first link at `now`; forgotten once it ends. */
  remember(sandbox: S, shape: string, now: number): void {
    this.vms.set(sandbox.id, { sandbox, shape, lastLinkAt: now });
    const forget = () => void this.vms.delete(sandbox.id);
    void sandbox.ended.then(forget, forget);
  }

  /** It got another link at `now`. */
  touched(id: string, now: number): void {
    const vm = this.vms.get(id);
    if (vm !== undefined) vm.lastLinkAt = now;
  }

  /** It cannot take links (it did not start the browser again): forgotten now. */
  forget(id: string): void {
    this.vms.delete(id);
  }

  /** The decision for a link of `shape`, and the sandbox it names; `isLive` reads each VM's state now. */
  pick(shape: string, now: number, reuseSeconds: number, isLive: (sandbox: S) => boolean): { decision: ReuseDecision; sandbox?: S } {
    const entries = [...this.vms.values()];
    const decision = linkVmFor(
      entries.map(({ sandbox, shape: its, lastLinkAt }) => ({ id: sandbox.id, shape: its, lastLinkAt, live: isLive(sandbox) })),
      shape,
      now,
      reuseSeconds,
    );
    if (decision.kind === 'new') return { decision };
    const sandbox = this.vms.get(decision.id)?.sandbox;
    return sandbox === undefined ? { decision } : { decision, sandbox };
  }

  get size(): number {
    return this.vms.size;
  }
}

/** What a record says of a link VM, checked (the record is NoFear's own file, read as data all the same). */
function linkNoteOf(record: SandboxRecord): { shape: string; lastLinkAt: number } | undefined {
  const link: unknown = record.link;
  if (typeof link !== 'object' || link === null) return undefined;
  const { shape, lastLinkAt } = link as Record<string, unknown>;
  return typeof shape === 'string' && typeof lastLinkAt === 'number' && Number.isFinite(lastLinkAt) ? { shape, lastLinkAt } : undefined;
}

/** The service's link VMs as their records give them (nofear-open --dry-run); `vmRuns`: its VM still runs. */
export function linkVmsOfRecords(records: readonly SandboxRecord[], vmRuns: (record: SandboxRecord) => boolean): LinkVm[] {
  return records.flatMap((record) => {
    const note = record.ownerKind === 'service' ? linkNoteOf(record) : undefined;
    if (note === undefined) return [];
    return [{ id: record.id, ...note, live: (record.state === 'starting' || record.state === 'running') && vmRuns(record) }];
  });
}
