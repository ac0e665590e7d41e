// Starting a planned VM up to the point where its guest waits for a job: passt when it has a NIC,
// QEMU in its jail, the control port and the stdio ports connected, the guest's hello received.
import type net from 'node:net';
import { connectPort } from './channels.js';
import { encodeLaunch, MAX_LAUNCH_SEQ, type GuestStep } from './control-protocol.js';
import { Passt, type LanFence } from './passt.js';
import { QemuProcess } from './qemu-process.js';
import type { BootPlan } from './boot-plan.js';
import { GuestChannel, type ChannelEnd } from './guest-channel.js';
import type { SandboxLayout, StdioMode } from './vm-shape.js';
import { socketPaths } from './vm-plan.js';

const CONNECT_DEADLINE_MS = 15_000;
/**
 * How long a guest may take to say hello. KVM boots in about a second. A TCG boot takes 2-15 s and, now
 * and then, hangs in the guest's kernel: a first TCG boot silent for `tcgFirst` is booted again, and the
 * second gets the long deadline (a slow machine's boot killed wrongly costs that wait, not the open).
 */
export const HELLO_DEADLINE_MS = { kvm: 15_000, tcgFirst: 45_000, tcg: 120_000 } as const;

/** Under KVM the guest showed no sign of life: the caller may fall back to TCG. */
export class KvmNoLife extends Error {}

/** A first TCG boot showed no sign of life in time: the caller boots it again. */
export class TcgNoLife extends Error {}

/** Which hello deadline a boot gets, and what its silence means. */
export type HelloKind = 'kvm' | 'tcgFirst' | 'tcg';

/**
 * The error for a boot that failed: silence (no hello in time, or QEMU's ports never opened: a QEMU stuck
 * in its start-up is as dead as a guest stuck in its kernel) under KVM may fall back to TCG, and on a first
 * TCG boot is booted again; anything else (QEMU exited, the guest refused) is an error as it stands.
 */
export function bootFailure(kind: HelloKind, reason: string, silent: boolean): Error {
  if (kind === 'kvm') return new KvmNoLife(reason);
  return silent && kind === 'tcgFirst' ? new TcgNoLife(reason) : new Error(reason);
}

/** Connects the ports QEMU listens on; QEMU still there but silent past the deadline is a silent boot. */
async function connectPorts(paths: ReturnType<typeof socketPaths>, names: readonly PortName[], deadlineMs: number, qemu: QemuProcess, kind: HelloKind, sockets: net.Socket[]) {
  const connect = async (name: 'control' | PortName) => {
    try {
      const socket = await connectPort(paths[name], deadlineMs, () => qemu.hasExited);
      sockets.push(socket);
      return socket;
    } catch (error) {
      if (qemu.hasExited) throw error;
      throw bootFailure(kind, `no sign of life from QEMU within ${deadlineMs / 1000} s (its ${name} port never opened)`, true);
    }
  };
  const control = await connect('control');
  const ports: Ports = {};
  for (const name of names) ports[name] = await connect(name);
  return { control, ports };
}

type PortName = 'stdin' | 'stdout' | 'stderr' | 'tty';
export type Ports = Partial<Record<PortName, net.Socket>>;

export interface BootedVm {
  qemu: QemuProcess;
  passt: Passt | undefined;
  control: net.Socket;
  ports: Ports;
  /** The channel's end (exit, the guest's refusal, a violation); never settles if QEMU dies first. */
  channelEnd: Promise<ChannelEnd>;
  /** Resolves on the guest's `started`. */
  started: Promise<void>;
  /** The control socket has closed: everything the guest wrote on it has been read. */
  controlClosed: Promise<void>;
  /**
   * While the job runs: asks the guest to start `argv` beside it (encodeLaunch). Resolves true once the guest
   * says it started it, false when it did not say so within `deadlineMs` or the VM ended first.
   */
  launch(argv: readonly string[], deadlineMs: number): Promise<boolean>;
  /** Closes every socket (after QEMU has gone). */
  close(): void;
}

export interface BootHooks {
  /** QEMU runs (the jail's process): record it before anything can go wrong. */
  onSpawned(qemu: QemuProcess): void;
  /** QEMU listens on its sockets. */
  onListening(): void;
  onProgress(step: GuestStep): void;
  abort: AbortSignal | undefined;
  /** The console, as it comes (NOFEAR_CONSOLE=1). */
  onConsole: ((chunk: Buffer) => void) | undefined;
}

export interface BootSpec {
  plan: BootPlan;
  layout: SandboxLayout;
  hello: HelloKind;
  /** The hello deadline, when not HELLO_DEADLINE_MS[hello] (tests shorten a first TCG boot's). */
  helloDeadlineMs?: number;
  stdio: StdioMode;
  /** passt's binary, when the VM has a NIC. */
  passt: string | undefined;
  /** passt fenced off the local network and this host's addresses ([links] lan = no). */
  lanFence?: LanFence;
  setpriv: string;
}

/** Boots to the guest's hello; on any failure everything started is stopped before the error is thrown. */
export async function bootVm(spec: BootSpec, hooks: BootHooks): Promise<BootedVm> {
  const paths = socketPaths(spec.layout.vmDir);
  const sockets: net.Socket[] = [];
  let qemu: QemuProcess | undefined;
  let passt: Passt | undefined;
  try {
    if (spec.passt !== undefined) passt = await Passt.start(spec.passt, paths.passt, spec.setpriv, spec.lanFence);
    hooks.abort?.throwIfAborted();
    qemu = await QemuProcess.start(spec.plan.argv, hooks.onConsole === undefined ? {} : { onConsole: hooks.onConsole });
    const running = qemu;
    hooks.abort?.addEventListener('abort', () => void running.kill(), { once: true });
    hooks.onSpawned(running);
    const helloDeadlineMs = spec.helloDeadlineMs ?? HELLO_DEADLINE_MS[spec.hello];
    const names = spec.stdio === 'pipe' ? (['stdin', 'stdout', 'stderr'] as const) : spec.stdio === 'tty' ? (['tty'] as const) : [];
    const { control, ports } = await connectPorts(paths, names, Math.min(CONNECT_DEADLINE_MS, helloDeadlineMs), running, spec.hello, sockets);
    hooks.onListening();
    const controlClosed = new Promise<void>((resolve) => control.once('close', () => resolve()));
    const handshake = handshakeOn(control, running, hooks.onProgress);
    await handshake.hello(helloDeadlineMs, spec.hello);
    return {
      qemu: running,
      passt,
      control,
      ports,
      channelEnd: handshake.end,
      started: handshake.started,
      controlClosed,
      launch: (argv, deadlineMs) => handshake.launch(argv, deadlineMs),
      close: () => {
        for (const socket of sockets) socket.destroy();
      },
    };
  } catch (error) {
    for (const socket of sockets) socket.destroy();
    await qemu?.kill();
    await passt?.stop();
    throw error;
  }
}

/** The channel's events as promises: the hello (with its deadline), `started`, and the end. */
function handshakeOn(control: net.Socket, qemu: QemuProcess, onProgress: (step: GuestStep) => void) {
  let helloSeen = false;
  let onHello = () => {};
  let onStarted = () => {};
  let onEnd: (end: ChannelEnd) => void = () => {};
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  const end = new Promise<ChannelEnd>((resolve) => (onEnd = resolve));
  const launchAnswers = new Map<number, () => void>();
  let lastLaunch = 0;
  const channel = new GuestChannel(control, {
    hello: () => {
      helloSeen = true;
      onHello();
    },
    started: () => onStarted(),
    progress: onProgress,
    launched: (seq) => launchAnswers.get(seq)?.(),
    end: (reason) => onEnd(reason),
  });
  return {
    started,
    end,
    launch(argv: readonly string[], deadlineMs: number): Promise<boolean> {
      if (control.destroyed || qemu.hasExited || lastLaunch >= MAX_LAUNCH_SEQ) return Promise.resolve(false);
      const seq = ++lastLaunch;
      return new Promise<boolean>((resolve) => {
        const settle = (answered: boolean) => {
          clearTimeout(timer);
          launchAnswers.delete(seq);
          channel.forgetLaunch(seq); // a late answer is a violation, like any the host did not ask for
          resolve(answered);
        };
        const timer = setTimeout(() => settle(false), deadlineMs);
        launchAnswers.set(seq, () => settle(true));
        void end.then(() => settle(false));
        void qemu.exited.then(() => settle(false));
        channel.expectLaunched(seq);
        control.write(encodeLaunch(argv, seq));
      });
    },
    hello(deadlineMs: number, kind: HelloKind): Promise<void> {
      return new Promise((resolve, reject) => {
        if (helloSeen) return resolve();
        const fail = (reason: string, silent = false) => {
          clearTimeout(timer);
          reject(bootFailure(kind, reason, silent));
        };
        const timer = setTimeout(() => fail(`no sign of life from the guest within ${deadlineMs / 1000} s`, true), deadlineMs);
        onHello = () => {
          clearTimeout(timer);
          resolve();
        };
        void end.then((ended) => fail(`the guest ended before its hello (${ended.kind === 'violation' ? `protocol: ${ended.reason}` : ended.kind})`));
        void qemu.exited.then((exit) => fail(`QEMU exited during boot (${exit.signal ?? `exit ${exit.code}`})`));
      });
    },
  };
}
