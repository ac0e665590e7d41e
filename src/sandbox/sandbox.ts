// One sandbox from start to clean-up, in stages: probe the host (facts), plan the boot (pure), boot to
// the guest's hello and get it ready (its GUI server started), send the job, follow it to its outcome;
// then remove everything it left. A warm VM stops between "ready" and the job, in the service's pool.
import { promises as fsp, statfsSync } from 'node:fs';
import { unavailable } from '../errors.js';
import type { AccelChoice } from '../vm/accel.js';
import { encodeJob, encodePrepare, POWEROFF_LINE, winsizeLine } from '../vm/control-protocol.js';
import type { JailKind } from '../vm/jail.js';
import { identify, waitGone } from '../util/proc.js';
import { planBoot } from '../vm/boot-plan.js';
import { probeHost, type HostFacts } from '../vm/host-facts.js';
import { findQemuBelow } from '../vm/qemu-pid.js';
import { reapLeftovers } from './reaper.js';
import { exportAllowance, exportCapBytes, watchExport } from '../vm/export-budget.js';
import { createSandboxDir, ensureRuntimeBase, layoutOf, removeSandbox, selfIdentity, writeRecord, type SandboxRecord } from './registry.js';
import type { JobSpec, SandboxHooks, SandboxOptions } from './sandbox-options.js';
import type { SandboxLayout, VmShape } from '../vm/vm-shape.js';
import { bootVm, KvmNoLife, TcgNoLife, type BootedVm, type HelloKind, type Ports } from '../vm/vm-boot.js';
import { bootFailure, kvmRefused, outcomeOf, type SandboxOutcome } from './sandbox-outcome.js';

export type { SandboxOutcome } from './sandbox-outcome.js';

/** A throwaway VM has nothing to save: it gets a short while to power off before QEMU is stopped. */
const STOP_GRACE_MS = { throwaway: 1000, persistent: 3000 } as const;

/** A VM to boot without its job yet (the job comes with run()). */
export interface BootOptions {
  shape: VmShape;
  hooks: SandboxHooks;
  /** A warm VM for the pool: ps shows it as ready until its job comes. */
  pooled?: boolean;
}

/** The notice's words when a silent TCG boot is booted again (the status line marks the retry by them). */
export const BOOT_AGAIN = 'booting the VM again';

export class Sandbox {
  private disposed = false;
  private stopRequested = false;
  private jobSent = false;
  readonly outcome: Promise<SandboxOutcome>;

  private constructor(
    private readonly base: string,
    private readonly env: NodeJS.ProcessEnv,
    readonly layout: SandboxLayout,
    private readonly vm: BootedVm,
    private readonly record: SandboxRecord,
    readonly accel: AccelChoice,
    readonly jail: JailKind,
    private readonly shape: VmShape,
    private readonly log: (line: string) => void,
  ) {
    this.outcome = outcomeOf(vm, () => this.stopRequested);
    void vm.started.then(() => {
      record.state = 'running';
      return writeRecord(layout.dir, record).catch(() => undefined); // ps shows "starting" a little longer
    });
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
    const { shape, vm, record } = this;
    vm.control.write(encodeJob({ ...job, stdio: shape.stdio, hostname: guestHostname(shape.profile), gui: shape.gui, sound: shape.sound }));
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

  /** Boots to the guest's hello and tells it to get ready; no job yet. */
  static async boot(options: BootOptions): Promise<Sandbox> {
    const { shape, hooks } = options;
    const env = hooks.hostEnv;
    const log = hooks.log ?? (() => {});
    const warn = hooks.warn ?? log;
    const base = ensureRuntimeBase(env);
    await reapLeftovers(base, log, env);
    const facts = await probeHost(env, shape.accel, { log, warn });
    if (shape.net === 'user' && facts.passt === undefined) {
      throw unavailable("--net user needs passt: without it the VM would share the host's network and reach its loopback services.", 'sudo apt-get install passt');
    }
    if (!facts.seccomp) warn('QEMU runs without its seccomp filter (this QEMU has no -sandbox support; fix: install a QEMU built with libseccomp)');
    let accel = facts.accel;
    let tcgBoots = 0;
    for (;;) {
      // Said once, not again when a silent TCG boot is booted again.
      if (accel.accel === 'tcg' && tcgBoots === 0) warn(`KVM not used (${accel.reason}): running under TCG, several times slower`);
      try {
        return await Sandbox.bootWith(options, facts, accel, base, accel.accel === 'kvm' ? 'kvm' : tcgBoots++ === 0 ? 'tcgFirst' : 'tcg');
      } catch (error) {
        if (error instanceof TcgNoLife) {
          warn(`${error.message}: ${BOOT_AGAIN}`);
          continue;
        }
        if (!(error instanceof KvmNoLife)) throw error;
        if (accel.from !== 'probe') throw kvmRefused(accel, error.message);
        // KVM that looked usable but shows no sign of life: fall back to TCG rather than hang.
        accel = { accel: 'tcg', from: 'probe', reason: `KVM started but the guest showed no sign of life (${error.message})` };
      }
    }
  }

  private static async bootWith(options: BootOptions, facts: HostFacts, accel: AccelChoice, base: string, hello: HelloKind): Promise<Sandbox> {
    const { shape, hooks } = options;
    const log = hooks.log ?? (() => {});
    hooks.abort?.throwIfAborted();
    const created = await createSandboxDir(base, hooks.id);
    const inCache = shape.export !== undefined && (shape.export.writable === true || exportBelongsInCache(shape.export.bytes, base));
    const layout = inCache ? layoutOf(base, created.id, { env: hooks.hostEnv }) : created;
    const record = newRecord(layout.id, options, accel);
    const cap = shape.export?.writable === true ? exportCapBytes(shape.export.bytes, hooks.hostEnv) : undefined;
    let vm: BootedVm | undefined;
    try {
      await writeRecord(layout.dir, record);
      if (shape.export !== undefined) await fillExport(layout.exportDir, shape.export.fill);
      const plan = planBoot({
        facts,
        accel,
        shape,
        layout,
        withExport: shape.export !== undefined,
        exportWritable: shape.export?.writable === true,
        ...(cap === undefined ? {} : { exportFileLimit: exportAllowance(cap) }),
        defaultTbSize: hooks.hostEnv.NOFEAR_TB_SIZE === 'default',
        trace: hooks.hostEnv.NOFEAR_TRACE === '1',
      });
      for (const choice of plan.choices.slice(1)) log(choice);
      if (accel.accel === 'kvm') log(plan.choices[0] ?? '');
      vm = await bootVm(
        {
          plan,
          layout,
          hello,
          ...firstHelloOverride(hooks.hostEnv, hello),
          stdio: shape.stdio,
          passt: shape.net === 'user' ? facts.passt : undefined,
          setpriv: facts.tools.setpriv,
        },
        {
          onSpawned: (qemu) => void recordProcess(layout, record, 'qemu', qemu.pid),
          onListening: () => hooks.onListening?.(layout),
          onProgress: (step) => hooks.onProgress?.(step),
          abort: hooks.abort,
          onConsole: hooks.hostEnv.NOFEAR_CONSOLE === '1' ? (chunk) => process.stderr.write(chunk) : undefined,
        },
      );
      // QEMU has exec'd inside its jail by now: record it for ps (its RSS) and the jail checks.
      const vmm = findQemuBelow(vm.qemu.pid);
      if (vmm !== undefined) await recordProcess(layout, record, 'vmm', vmm);
      vm.control.write(encodePrepare({ gui: shape.gui, sound: shape.sound, ...(shape.screen === undefined ? {} : { screen: shape.screen }) }));
      const sandbox = new Sandbox(base, hooks.hostEnv, layout, vm, record, accel, facts.jail, shape, log);
      if (cap !== undefined) sandbox.budgetExport(cap, hooks.warn ?? log);
      return sandbox;
    } catch (error) {
      vm?.close();
      await vm?.qemu.kill();
      await removeSandbox(base, layout.id, hooks.hostEnv, log);
      throw bootFailure(error, accel, vm?.qemu);
    }
  }

  /** The writable export's disk cap (export-budget.ts): over it, the VM is stopped at once. */
  private budgetExport(capBytes: number, warn: (line: string) => void): void {
    const unwatch = watchExport(this.layout.exportDir, capBytes, (used) => {
      warn(`the VM wrote ${Math.round(used / 1024 ** 2)} MiB to its copy's folder, over its budget of ${Math.round(exportAllowance(capBytes) / 1024 ** 2)} MiB: stopped`);
      void this.stop(0);
    });
    void this.vm.qemu.exited.then(unwatch);
  }

  resize(rows: number, cols: number): void {
    if (!this.vm.control.destroyed) this.vm.control.write(winsizeLine(rows, cols));
  }

  /** Asks the guest to power off, then stops QEMU's group if it has not gone within graceMs. */
  async stop(graceMs: number = this.shape.disk !== undefined ? STOP_GRACE_MS.persistent : STOP_GRACE_MS.throwaway): Promise<void> {
    this.stopRequested = true;
    const { qemu, control } = this.vm;
    if (!qemu.hasExited && !control.destroyed) control.write(POWEROFF_LINE);
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

/** NOFEAR_TEST_FIRST_HELLO_MS: the tests' shorter wait for a first TCG boot's hello (they freeze that guest). */
function firstHelloOverride(env: NodeJS.ProcessEnv, hello: HelloKind): { helloDeadlineMs?: number } {
  const ms = Number(env.NOFEAR_TEST_FIRST_HELLO_MS);
  return hello === 'tcgFirst' && Number.isInteger(ms) && ms > 0 ? { helloDeadlineMs: ms } : {};
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
