// One sandbox from start to clean-up, in stages: probe the host (facts), plan the boot (pure), boot to
// the guest's hello and get it ready (its GUI server started), send the job, follow it to its outcome;
// then remove everything it left. A warm VM stops between "ready" and the job, in the service's pool.
import { promises as fsp, statfsSync } from 'node:fs';
import { identify, waitGone } from '../util/proc.js';
import { markStagingOwner, reapLeftovers } from './reaper.js';
import { createSandboxDir, ensureRuntimeBase, layoutOf, removeSandbox, selfIdentity, writeRecord, type SandboxRecord } from './registry.js';
import type { JobSpec, SandboxHooks, SandboxOptions } from './sandbox-options.js';
import { startVm, type AccelChoice, type BootedVm, type JailKind, type Ports, type SandboxLayout, type StartedVm, type VmShape } from '../vm/start-vm.js';
import { outcomeOf, type SandboxOutcome } from './sandbox-outcome.js';

export type { SandboxOutcome } from './sandbox-outcome.js';

/** What can be cleaned up after: a Sandbox (and stand-ins in tests). */
export interface Disposable {
  dispose(): Promise<void>;
}

/**
 * Uses a started sandbox, then disposes of it once, however `use` ends (returned or thrown): the one way a
 * caller that owns a sandbox lets go of it, so the clean-up cannot be forgotten. A start that failed has
 * nothing to dispose (its own failure path removed what it made) and its error passes through.
 */
export async function withSandbox<S extends Disposable, T>(sandbox: S | Promise<S>, use: (sandbox: S) => Promise<T>): Promise<T> {
  const started = await sandbox;
  try {
    return await use(started);
  } finally {
    await started.dispose();
  }
}

/** How long a running guest gets to say it started a launch (it answers right after starting it; TCG is slow). */
const LAUNCH_ANSWER_MS = 30_000;

/** A throwaway VM has nothing to save: it gets a short while to power off before QEMU is stopped. */
const STOP_GRACE_MS = { throwaway: 1000, persistent: 3000 } as const;

/** A VM to boot without its job yet (the job comes with run()). */
export interface BootOptions {
  shape: VmShape;
  hooks: SandboxHooks;
  /** A warm VM for the pool: ps shows it as ready until its job comes. */
  pooled?: boolean;
}

export { BOOT_AGAIN } from '../vm/start-vm.js';

/** One boot attempt's directory and the record ps reads there. */
/** inCache: its export is a staging copy in the cache, marked with its owner (reaper.ts). */
type Attempt = { layout: SandboxLayout; record: SandboxRecord; inCache: boolean };

export class Sandbox {
  private disposed = false;
  private stopRequested = false;
  private jobSent = false;
  readonly outcome: Promise<SandboxOutcome>;

  private constructor(
    private readonly base: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly started: StartedVm<Attempt>,
    private readonly shape: VmShape,
    private readonly log: (line: string) => void,
  ) {
    const { vm, attempt } = started;
    this.outcome = outcomeOf(vm, () => this.stopRequested);
    void vm.started.then(() => {
      attempt.record.state = 'running';
      return writeRecord(attempt.layout.dir, attempt.record).catch(() => undefined); // ps shows "starting" a little longer
    });
  }

  // What the boot gave, read from it rather than copied beside it.
  get layout(): SandboxLayout {
    return this.started.attempt.layout;
  }
  get accel(): AccelChoice {
    return this.started.accel;
  }
  get jail(): JailKind {
    return this.started.jail;
  }
  private get vm(): BootedVm {
    return this.started.vm;
  }
  private get record(): SandboxRecord {
    return this.started.attempt.record;
  }

  /** Boots and starts the job: what the CLI and every cold open do. */
  static async start(options: SandboxOptions): Promise<Sandbox> {
    const sandbox = await Sandbox.boot(options);
    await sandbox.run(options.job, options.hooks.files);
    return sandbox;
  }

  /** Sends the job (once): the guest runs it at once, its GUI server already up or starting. */
  async run(job: JobSpec, files?: readonly string[]): Promise<void> {
    if (this.jobSent) throw new Error('a sandbox runs one job');
    this.jobSent = true;
    const { shape, record } = this;
    this.started.sendJob({ ...job, stdio: shape.stdio, hostname: guestHostname(shape.profile), gui: shape.gui, sound: shape.sound, clipboard: shape.clipboard === true });
    Object.assign(record, { command: [...job.argv], files: [...(files ?? record.files)], state: 'starting', pooled: false, createdAt: Date.now() });
    await writeRecord(this.layout.dir, record).catch(() => undefined); // ps shows it as ready a moment longer
  }

  get id(): string {
    return this.layout.id;
  }

  get dir(): string {
    return this.layout.dir;
  }

  get ports(): Ports {
    return this.vm.ports;
  }

  get qemuPid(): number {
    return this.vm.qemu.pid;
  }

  /** Boots to the guest's hello and tells it to get ready; no job yet: vm/'s startVm, this sandbox's directory and record kept in its hooks. */
  static async boot(options: BootOptions): Promise<Sandbox> {
    const { shape, hooks } = options;
    const env = hooks.hostEnv;
    const log = hooks.log ?? (() => {});
    const warn = hooks.warn ?? log;
    const base = ensureRuntimeBase(env);
    await reapLeftovers(base, log, env);
    const started = await startVm(
      { shape, env, log, warn, abort: hooks.abort },
      {
        createAttempt: async (accel): Promise<Attempt> => {
          const created = await createSandboxDir(base, hooks.id);
          const inCache = shape.export !== undefined && (shape.export.writable === true || exportBelongsInCache(shape.export.bytes, base));
          const layout = inCache ? layoutOf(base, created.id, { env }) : created;
          return { layout, record: newRecord(layout.id, options, accel), inCache };
        },
        fill: async ({ layout, record, inCache }) => {
          await writeRecord(layout.dir, record);
          // Marked before the copy exists: no copy in the cache is ever without its owner's name.
          if (inCache) await markStagingOwner(env, layout.id, record.owner);
          if (shape.export !== undefined) await fillExport(layout.exportDir, shape.export.fill);
        },
        discard: async ({ layout }) => void (await removeSandbox(base, layout.id, env, log)),
        onProcess: ({ layout, record }, which, pid) => recordProcess(layout, record, which, pid),
        onListening: hooks.onListening,
        onProgress: hooks.onProgress,
      },
    );
    const sandbox = new Sandbox(base, env, started, shape, log);
    // The abort kills QEMU wherever the start has got to (vm-boot.ts): a VM ended so reads as stopped, not failed.
    const stoppedByAbort = () => void (sandbox.stopRequested = true);
    if (hooks.abort?.aborted === true) stoppedByAbort();
    else hooks.abort?.addEventListener('abort', stoppedByAbort, { once: true });
    started.budgetExport((notice) => {
      warn(notice);
      void sandbox.stop(0);
    });
    return sandbox;
  }

  resize(rows: number, cols: number): void {
    this.started.resize(rows, cols);
  }

  /** A link VM: its shape and its last link's time, in its record (what --dry-run decides reuse from). */
  async noteLink(shape: string, lastLinkAt: number): Promise<void> {
    this.record.link = { shape, lastLinkAt };
    await writeRecord(this.layout.dir, this.record).catch(() => undefined); // gone meanwhile: nothing to reuse
  }

  /**
   * A GUI job's VM runs `argv` beside its job, on the same display (a second link for its browser): true
   * once the guest said it started it; false when it is no GUI job, ended, or did not answer in time.
   */
  async launchBeside(argv: readonly string[], deadlineMs = LAUNCH_ANSWER_MS): Promise<boolean> {
    if (!this.jobSent || !this.shape.gui || argv.length === 0) return false;
    // The guest hears launches only once its job runs.
    const running = await Promise.race([this.vm.started.then(() => true), this.outcome.then(() => false)]);
    return running && this.started.launch(argv, deadlineMs);
  }

  /** Asks the guest to power off, then stops QEMU's group if it has not gone within graceMs. */
  async stop(graceMs: number = this.shape.disk !== undefined ? STOP_GRACE_MS.persistent : STOP_GRACE_MS.throwaway): Promise<void> {
    this.stopRequested = true;
    const { qemu } = this.vm;
    this.started.askPowerOff();
    const timer = setTimeout(() => void qemu.kill(), graceMs);
    try {
      await qemu.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for QEMU to end (bounded), then removes everything the sandbox left on the host. */
  async dispose(exitStatus?: number): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const { qemu } = this.vm;
    const timer = setTimeout(() => void qemu.kill(), 10_000);
    await qemu.exited;
    clearTimeout(timer);
    await qemu.kill();
    await this.vmmGone();
    this.vm.close();
    await this.vm.passt?.stop();
    if (exitStatus !== undefined) this.record.exitStatus = exitStatus;
    await removeSandbox(this.base, this.layout.id, this.env, this.log);
  }

  /** Stops it and cleans up at once: a VM taken for a request that was refused, or that never got ready. */
  async discard(): Promise<void> {
    await this.stop();
    await this.dispose();
  }

  /**
   * QEMU runs in the jail's own pid namespace and session: the jail's exit does not wait for it, and a
   * 1 GiB guest takes a moment to tear down. Nothing of the VM may outlive dispose().
   */
  private async vmmGone(): Promise<void> {
    const vmm = this.record.vmm;
    if (vmm === undefined || (await waitGone(vmm, 2000))) return;
    try {
      process.kill(vmm.pid, 'SIGKILL');
    } catch {
      return; // gone meanwhile
    }
    await waitGone(vmm, 2000);
  }

  consoleTail(): string {
    return this.vm.qemu.consoleTail();
  }
}

function newRecord(id: string, options: BootOptions, accel: AccelChoice): SandboxRecord {
  return {
    id,
    profile: options.shape.profile,
    command: [],
    files: options.hooks.files ?? [],
    state: options.pooled === true ? 'ready' : 'starting',
    pooled: options.pooled === true,
    createdAt: Date.now(),
    owner: selfIdentity(),
    ownerKind: options.hooks.ownerKind,
    accel: accel.accel,
    memoryMiB: options.shape.memoryMiB,
    cpus: options.shape.cpus,
  };
}

async function recordProcess(layout: SandboxLayout, record: SandboxRecord, which: 'qemu' | 'vmm', pid: number): Promise<void> {
  const identity = identify(pid);
  if (identity === undefined) return;
  record[which] = identity;
  await writeRecord(layout.dir, record);
}

/** A copy bigger than a quarter of the runtime dir's free space (RAM, usually) is staged on disk. */
export function exportBelongsInCache(bytes: number, runtimeBase: string, freeBytes = freeSpace(runtimeBase)): boolean {
  return bytes > freeBytes / 4;
}

function freeSpace(dir: string): number {
  const stat = statfsSync(dir);
  return stat.bavail * stat.bsize;
}

async function fillExport(exportDir: string, fill: (dir: string) => Promise<void>): Promise<void> {
  await fsp.mkdir(exportDir, { recursive: true, mode: 0o755 });
  await fsp.chmod(exportDir, 0o755); // whatever the umask: the guest's user reads it
  await fill(exportDir);
}

export function guestHostname(profile: string): string {
  const clean = profile
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40);
  return `nofear-${clean || 'vm'}`;
}
