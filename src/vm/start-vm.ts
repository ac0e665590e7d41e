// The one way into vm/ for a sandbox's boot: probe the host, plan the boot (argv and jail), spawn QEMU,
// wait for the guest's hello and tell it to get ready. A first TCG boot that stays silent is booted again;
// KVM that looked usable but shows no sign of life falls back to TCG. What the lifecycle keeps between the
// steps (its directory, its record, the staged copy) it does in the hooks; the handle it gets back is how
// it talks to the guest from then on (the job, the window size, power-off, the export's budget).
import { networkInterfaces } from 'node:os';
import { NoFearError, unavailable } from '../errors.js';
import { withoutControls } from '../util/text.js';
import type { AccelChoice } from './accel.js';
import { planBoot } from './boot-plan.js';
import { encodeJob, encodePrepare, POWEROFF_LINE, winsizeLine, type GuestJob, type GuestStep } from './control-protocol.js';
import { exportAllowance, exportCapBytes, watchExport } from './export-budget.js';
import { probeHost, type HostFacts } from './host-facts.js';
import type { JailKind } from './jail.js';
import { findQemuBelow } from './qemu-pid.js';
import type { QemuProcess } from './qemu-process.js';
import { bootVm, KvmNoLife, TcgNoLife, type BootedVm, type BootSpec, type HelloKind } from './vm-boot.js';
import type { SandboxLayout, VmShape } from './vm-shape.js';
import { socketPaths } from './vm-plan.js';
import { markPhase } from '../util/phases.js';

// The types of what this door starts and shapes, for the sandbox's lifecycle: the floors above take vm/'s
// types from here, so the rest of vm/ can change behind the door (house.test.ts holds sandbox/ to it).
export type { AccelChoice } from './accel.js';
export type { GuestStep } from './control-protocol.js';
export type { ChannelEnd } from './guest-channel.js';
export type { JailKind } from './jail.js';
export type { BootedVm, Ports } from './vm-boot.js';
export type { ExportSpec, SandboxLayout, StdioMode, VmShape } from './vm-shape.js';
export { exportCapBytes } from './export-budget.js';

/** The notice's words when a silent TCG boot is booted again (the status line marks the retry by them). */
export const BOOT_AGAIN = 'booting the VM again';

export interface StartVmRequest {
  shape: VmShape;
  /** The environment NoFear reads its own settings and paths from. */
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  warn: (line: string) => void;
  abort?: AbortSignal | undefined;
}

/** What the lifecycle keeps of one boot attempt (its directory, and whatever it records there). */
export interface VmAttempt {
  layout: SandboxLayout;
}

/** What the lifecycle does between the steps of one boot attempt (a retry makes a fresh attempt). */
export interface StartVmHooks<A extends VmAttempt> {
  /** Before QEMU: the attempt's directory, made for this accelerator. */
  createAttempt(accel: AccelChoice): Promise<A>;
  /** Its record written and its export filled; a failure here fails the attempt (and removes it). */
  fill(attempt: A): Promise<void>;
  /** The attempt failed: everything createAttempt made goes. */
  discard(attempt: A): Promise<void>;
  /** QEMU's jail process ('qemu', as soon as it runs) and QEMU itself ('vmm', once it has exec'd). */
  onProcess(attempt: A, which: 'qemu' | 'vmm', pid: number): Promise<void>;
  onListening?: ((layout: SandboxLayout) => void) | undefined;
  onProgress?: ((step: GuestStep) => void) | undefined;
}

/** A booted VM whose guest is getting ready, and how its lifecycle talks to it. */
export interface StartedVm<A extends VmAttempt = VmAttempt> {
  vm: BootedVm;
  attempt: A;
  accel: AccelChoice;
  jail: JailKind;
  /** The job: the guest runs it at once. */
  sendJob(job: GuestJob): void;
  resize(rows: number, cols: number): void;
  /** While the job runs: the guest starts `argv` beside it; true once it says it did (BootedVm.launch). */
  launch(argv: readonly string[], deadlineMs: number): Promise<boolean>;
  /** Asks the guest to power off, while it can still hear. */
  askPowerOff(): void;
  /** With a writable export: its disk cap watched until QEMU ends; over it, `onOver` gets the notice. */
  budgetExport(onOver: (notice: string) => void): void;
}

/** With `fenceLan`: pasta, and this host's own addresses (every interface's but loopback), which the fence keeps out. */
function lanFenceOf(shape: VmShape, facts: HostFacts): Pick<BootSpec, 'lanFence'> {
  if (shape.net !== 'user' || shape.fenceLan !== true || facts.pasta === undefined) return {};
  const hostAddresses = Object.values(networkInterfaces())
    .flat()
    .flatMap((a) => (a === undefined || a.internal ? [] : [a.address]));
  return { lanFence: { pasta: facts.pasta, hostAddresses } };
}

/** The GUI server's socket of a VM laid out so (the host's client attaches to it once QEMU listens). */
export function guiSocketOf(layout: SandboxLayout): string {
  return socketPaths(layout.vmDir).gui;
}

export async function startVm<A extends VmAttempt>(request: StartVmRequest, hooks: StartVmHooks<A>): Promise<StartedVm<A>> {
  const { shape, env, warn } = request;
  const facts = await probeHost(env, shape.accel, { log: request.log, warn });
  if (shape.net === 'user' && facts.passt === undefined) {
    throw unavailable("--net user needs passt: without it the VM would share the host's network and reach its loopback services.", 'sudo apt-get install passt');
  }
  if (shape.net === 'user' && shape.fenceLan === true && facts.pasta === undefined) {
    throw unavailable('[links] lan = no needs pasta (from the passt package) to keep the local network out, and it is missing.', 'sudo apt-get install passt, or set [links] lan = yes');
  }
  if (!facts.seccomp) warn('QEMU runs without its seccomp filter (this QEMU has no -sandbox support; fix: install a QEMU built with libseccomp)');
  let accel = facts.accel;
  let tcgBoots = 0;
  for (;;) {
    // Said once, not again when a silent TCG boot is booted again.
    if (accel.accel === 'tcg' && tcgBoots === 0) warn(`KVM not used (${accel.reason}): running under TCG, several times slower`);
    try {
      return await bootOnce(request, hooks, facts, accel, accel.accel === 'kvm' ? 'kvm' : tcgBoots++ === 0 ? 'tcgFirst' : 'tcg');
    } catch (error) {
      // Aborted (the caller stopped it): QEMU killed on purpose is no silent guest or failing KVM to boot again for.
      request.abort?.throwIfAborted();
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

async function bootOnce<A extends VmAttempt>(request: StartVmRequest, hooks: StartVmHooks<A>, facts: HostFacts, accel: AccelChoice, hello: HelloKind): Promise<StartedVm<A>> {
  const { shape, env, log } = request;
  request.abort?.throwIfAborted();
  const attempt = await hooks.createAttempt(accel);
  const { layout } = attempt;
  const cap = shape.export?.writable === true ? exportCapBytes(shape.export.bytes, env) : undefined;
  let vm: BootedVm | undefined;
  try {
    await hooks.fill(attempt);
    markPhase('sandbox dir + record');
    const plan = planBoot({
      facts,
      accel,
      shape,
      layout,
      withExport: shape.export !== undefined,
      exportWritable: shape.export?.writable === true,
      ...(cap === undefined ? {} : { exportFileLimit: exportAllowance(cap) }),
      defaultTbSize: env.NOFEAR_TB_SIZE === 'default',
      trace: env.NOFEAR_TRACE === '1',
    });
    for (const choice of plan.choices.slice(1)) log(choice);
    if (accel.accel === 'kvm') log(plan.choices[0] ?? '');
    markPhase('plan');
    vm = await bootVm(
      { plan, layout, hello, ...firstHelloOverride(env, hello), stdio: shape.stdio, passt: shape.net === 'user' ? facts.passt : undefined, ...lanFenceOf(shape, facts), setpriv: facts.tools.setpriv },
      {
        onSpawned: (qemu) => {
          markPhase('jail + QEMU spawned');
          void hooks.onProcess(attempt, 'qemu', qemu.pid);
        },
        onListening: () => hooks.onListening?.(layout),
        onProgress: (step) => hooks.onProgress?.(step),
        abort: request.abort,
        onConsole: env.NOFEAR_CONSOLE === '1' ? (chunk) => process.stderr.write(chunk) : undefined,
      },
    );
    markPhase('boot to hello');
    // QEMU has exec'd inside its jail by now: record it for ps (its RSS) and the jail checks.
    const vmm = findQemuBelow(vm.qemu.pid);
    if (vmm !== undefined) await hooks.onProcess(attempt, 'vmm', vmm);
    vm.control.write(encodePrepare({ gui: shape.gui, sound: shape.sound, clipboard: shape.clipboard === true, ...(shape.screen === undefined ? {} : { screen: shape.screen }) }));
    return handleOf(vm, attempt, accel, facts.jail, cap);
  } catch (error) {
    vm?.close();
    await vm?.qemu.kill();
    await hooks.discard(attempt);
    throw startFailure(error, accel, vm?.qemu);
  }
}

function handleOf<A extends VmAttempt>(vm: BootedVm, attempt: A, accel: AccelChoice, jail: JailKind, cap: number | undefined): StartedVm<A> {
  return {
    vm,
    attempt,
    accel,
    jail,
    sendJob: (job) => vm.control.write(encodeJob(job)),
    launch: (argv, deadlineMs) => vm.launch(argv, deadlineMs),
    resize: (rows, cols) => {
      if (!vm.control.destroyed) vm.control.write(winsizeLine(rows, cols));
    },
    askPowerOff: () => {
      if (!vm.qemu.hasExited && !vm.control.destroyed) vm.control.write(POWEROFF_LINE);
    },
    budgetExport: (onOver) => {
      if (cap === undefined) return;
      const unwatch = watchExport(attempt.layout.exportDir, cap, (used) =>
        onOver(`the VM wrote ${Math.round(used / 1024 ** 2)} MiB to its copy's folder, over its budget of ${Math.round(exportAllowance(cap) / 1024 ** 2)} MiB: stopped`),
      );
      void vm.qemu.exited.then(unwatch);
    },
  };
}

/** NOFEAR_TEST_FIRST_HELLO_MS: the tests' shorter wait for a first TCG boot's hello (they freeze that guest). */
function firstHelloOverride(env: NodeJS.ProcessEnv, hello: HelloKind): { helloDeadlineMs?: number } {
  const ms = Number(env.NOFEAR_TEST_FIRST_HELLO_MS);
  return hello === 'tcgFirst' && Number.isInteger(ms) && ms > 0 ? { helloDeadlineMs: ms } : {};
}

/** KVM was asked for (NOFEAR_ACCEL or config.ini) and cannot run the guest: say so and how to fix it. */
export function kvmRefused(accel: AccelChoice, why: string): NoFearError {
  const fix = accel.from === 'config' ? 'set accel = auto (or tcg) under [vm] in config.ini' : 'unset NOFEAR_ACCEL (or set it to tcg)';
  return new NoFearError('Unavailable', `KVM was chosen (${accel.reason}) but the guest showed no sign of life under it: ${why}.`, { fix });
}

/** A failed boot attempt's error: a retry or fallback signal as it stands, else the VM "did not start" with QEMU's last words. */
export function startFailure(error: unknown, accel: AccelChoice, qemu: QemuProcess | undefined): unknown {
  if (error instanceof KvmNoLife || error instanceof TcgNoLife || error instanceof NoFearError) return error;
  // Under KVM, a QEMU that dies or never answers is the KVM's fault until shown otherwise.
  if (accel.accel === 'kvm') return new KvmNoLife((error as Error).message);
  const detail = qemu === undefined ? '' : lastLines(qemu.stderrTail() || qemu.consoleTail());
  return new NoFearError('Unavailable', `The VM did not start: ${(error as Error).message}${detail ? `\n${detail}` : ''}`, { fix: 'nofearctl doctor', cause: error });
}

function lastLines(text: string, count = 6): string {
  return text
    .trim()
    .split('\n')
    .slice(-count)
    .map((line) => `  ${withoutControls(line)}`)
    .join('\n');
}
