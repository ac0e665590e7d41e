// One sandbox from start to clean-up: runtime dir, guest image, jailed QEMU, control port, job, outcome.
import { promises as fsp, lstatSync } from 'node:fs';
import type net from 'node:net';
import { NoFearError, unavailable } from '../errors.js';
import { findGuestKernel } from '../vm/kernel.js';
import { buildGuestImage } from '../vm/initramfs.js';
import { chooseAccel, hostTscKhz, readAccelFacts, type AccelChoice } from '../vm/accel.js';
import { buildQemuArgv, type Accel } from '../vm/qemu-argv.js';
import { addressSpaceLimit, buildJailArgv, jailTools, probeJail, type JailKind } from '../vm/jail.js';
import { QemuProcess } from '../vm/qemu-process.js';
import { connectPort } from '../vm/channels.js';
import { encodeJob, LineSplitter, parseGuestLine, POWEROFF_LINE, winsizeLine, type GuestJob, type GuestStep } from '../vm/control-protocol.js';
import { SYSTEM_EXPORTS } from '../vm/guest-etc.js';
import { findPasst, Passt } from '../vm/passt.js';
import { qemuHasSeccomp } from '../vm/qemu-caps.js';
import { createSandboxDir, ensureRuntimeBase, reapLeftovers, removeSandboxDir, selfIdentity, writeRecord, type SandboxRecord } from './registry.js';
import { identify } from '../util/proc.js';
import { findQemuBelow } from './qemu-pid.js';
import { qemuBinary as locateQemu } from '../util/which.js';
import { planVm, socketPaths, type StdioMode } from './vm-plan.js';

export interface SandboxOptions {
  argv: readonly string[];
  profile: string;
  disk?: string;
  stdio: StdioMode;
  user: 'user' | 'root';
  memoryMiB: number;
  cpus: number;
  net: 'none' | 'user';
  tbSizeMiB?: number;
  sharedFolder?: string;
  withExportDir?: boolean;
  /** Fills the staging export (mode 0755, exported read-only) before QEMU starts. */
  prepareExport?: (exportDir: string) => Promise<void>;
  env: Record<string, string>;
  cwd?: string;
  winsize?: { rows: number; cols: number };
  endMarker?: string;
  files?: string[];
  hostEnv?: NodeJS.ProcessEnv;
  /** Notices for --verbose (which kernel, which accelerator, cache reuse). */
  log?: (line: string) => void;
  /** One-line notices a person should see (the TCG fallback, a first-boot kernel download). */
  warn?: (line: string) => void;
  ownerKind?: 'cli' | 'service';
  /** The id to use (announced to a caller before the VM exists); a fresh one otherwise. */
  id?: string;
  gui?: boolean;
  sound?: boolean;
  /** Called once QEMU listens on its sockets (the GUI client can attach from then on). */
  onListening?: (sockets: ReturnType<typeof socketPaths>) => void;
  /** The guest's steps towards a window. */
  onProgress?: (step: GuestStep) => void;
  /** The accelerator from config.ini when it is not "auto" (NOFEAR_ACCEL still wins). */
  accel?: 'kvm' | 'tcg';
  /** Aborting stops the VM wherever its start has got to. */
  abort?: AbortSignal;
}

export type SandboxOutcome =
  | { kind: 'exited'; status: number; stdoutBytes: number; stderrBytes: number }
  /** The host asked it to stop (nofearctl stop, a signal, the GUI client closed). */
  | { kind: 'stopped' }
  | { kind: 'failed'; reason: string };

const CONNECT_DEADLINE_MS = 15_000;
const HELLO_DEADLINE_MS = { kvm: 15_000, tcg: 120_000 } as const;

export class Sandbox {
  readonly id: string;
  readonly dir: string;
  readonly outcome: Promise<SandboxOutcome>;
  readonly ports: Partial<Record<'stdin' | 'stdout' | 'stderr' | 'tty', net.Socket>>;
  readonly accel: AccelChoice;
  readonly jail: JailKind;
  private record: SandboxRecord;
  private disposed = false;
  private readonly stopRequested: { value: boolean };
  private readonly passt: Passt | undefined;

  private constructor(
    readonly qemu: QemuProcess,
    private readonly control: net.Socket,
    init: {
      id: string;
      dir: string;
      record: SandboxRecord;
      ports: Sandbox['ports'];
      accel: AccelChoice;
      jail: JailKind;
      outcome: Promise<SandboxOutcome>;
      stopRequested: { value: boolean };
      passt: Passt | undefined;
    },
  ) {
    this.id = init.id;
    this.dir = init.dir;
    this.record = init.record;
    this.ports = init.ports;
    this.accel = init.accel;
    this.jail = init.jail;
    this.outcome = init.outcome;
    this.stopRequested = init.stopRequested;
    this.passt = init.passt;
  }

  get qemuPid(): number {
    return this.qemu.pid;
  }

  static async start(options: SandboxOptions): Promise<Sandbox> {
    const env = options.hostEnv ?? process.env;
    const log = options.log ?? (() => {});
    const base = ensureRuntimeBase(env);
    await reapLeftovers(base, log);
    const kernel = await findGuestKernel({ env, ...(options.warn ? { progress: options.warn } : {}) });
    log(`guest kernel: ${kernel.description}`);
    const image = await buildGuestImage(kernel, env);
    log(image.reused ? `guest image: reusing the cached ${image.path}` : `guest image: built ${image.path}`);

    const facts = readAccelFacts(env);
    let choice = chooseAccel(facts.override === undefined && options.accel !== undefined ? { ...facts, override: options.accel } : facts);
    const automatic = choice.accel === 'kvm' && !choice.reason.startsWith('NOFEAR_ACCEL');
    for (;;) {
      try {
        return await Sandbox.boot(options, env, base, kernel.image, image.path, choice);
      } catch (error) {
        // KVM that looked usable but shows no sign of life: fall back to TCG rather than hang.
        if (!(automatic && choice.accel === 'kvm' && error instanceof KvmNoLife)) throw error;
        choice = { accel: 'tcg', reason: `KVM started but the guest showed no sign of life (${error.message})` };
      }
    }
  }

  private static async boot(
    options: SandboxOptions,
    env: NodeJS.ProcessEnv,
    base: string,
    kernelImage: string,
    initramfs: string,
    choice: AccelChoice,
  ): Promise<Sandbox> {
    const log = options.log ?? (() => {});
    if (choice.accel === 'tcg') (options.warn ?? log)(`KVM not used (${choice.reason}): running under TCG, several times slower`);
    else log(`accelerator: KVM (${choice.reason})`);
    options.abort?.throwIfAborted();
    const { id, dir } = await createSandboxDir(base, options.id);
    const record: SandboxRecord = {
      id,
      profile: options.profile,
      command: [...options.argv],
      files: options.files ?? [],
      state: 'starting',
      createdAt: Date.now(),
      owner: selfIdentity(),
      ownerKind: options.ownerKind ?? 'cli',
      accel: choice.accel,
      memoryMiB: options.memoryMiB,
      cpus: options.cpus,
    };
    let qemu: QemuProcess | undefined;
    let passt: Passt | undefined;
    const sockets: net.Socket[] = [];
    try {
      await writeRecord(dir, record);
      const exportDir = options.withExportDir ? `${dir}/export` : undefined;
      if (exportDir !== undefined) {
        await fsp.mkdir(exportDir, { mode: 0o755 });
        await fsp.chmod(exportDir, 0o755); // whatever the umask: the guest's user reads it
        await options.prepareExport?.(exportDir);
      }
      const tools = jailTools(env);
      const jail = await probeJail(tools);
      const passtBinary = options.net === 'user' ? findPasst(env) : undefined;
      if (options.net === 'user') {
        if (passtBinary === undefined) (options.warn ?? log)('passt is not installed: with QEMU\'s own user networking the guest can reach services on the host\'s loopback (fix: sudo apt-get install passt)');
        else passt = await Passt.start(passtBinary, socketPaths(dir).passt, tools.setpriv);
      }
      // NOFEAR_TB_SIZE=default leaves QEMU's own translation-cache size (for the memory benchmark).
      const tbSizeMiB = env.NOFEAR_TB_SIZE === 'default' ? undefined : options.tbSizeMiB ?? 256;
      const qemuBinary = findQemu(env);
      const seccomp = env.NOFEAR_SECCOMP !== 'off' && (await qemuHasSeccomp(qemuBinary));
      if (!seccomp) (options.warn ?? log)('QEMU runs without its seccomp filter (this QEMU has no -sandbox support; fix: install a QEMU built with libseccomp)');
      // Inside bwrap, files from the user's home (kernel, image, disk, shared folder) appear under
      // /nofear: QEMU's view holds no home directory at all.
      const inJail = (host: string, name: string) => (jail === 'bwrap' ? `/nofear/${name}` : host);
      const binds = {
        kernel: { source: kernelImage, target: inJail(kernelImage, 'vmlinux') },
        initramfs: { source: initramfs, target: inJail(initramfs, 'initramfs.cpio') },
        shared: options.sharedFolder === undefined ? undefined : { source: options.sharedFolder, target: inJail(options.sharedFolder, 'shared') },
        disk: options.disk === undefined ? undefined : { source: options.disk, target: inJail(options.disk, 'disk.img') },
      };
      const plan = planVm({
        id,
        dir,
        accel: choice.accel,
        tscKhz: hostTscKhz(),
        memoryMiB: options.memoryMiB,
        cpus: options.cpus,
        tbSizeMiB,
        kernel: binds.kernel.target,
        initramfs: binds.initramfs.target,
        systemDirs: exportableSystemDirs(),
        sharedFolder: binds.shared?.target,
        exportDir,
        disk: binds.disk?.target,
        net: options.net,
        stdio: options.stdio,
        seccomp,
        trace: env.NOFEAR_TRACE === '1',
        gui: options.gui === true,
        passt: passtBinary !== undefined,
      });
      const argv = buildJailArgv(buildQemuArgv(qemuBinary, plan), {
        kind: jail,
        tools,
        readOnly: [...plan.exports.filter((e) => e.readonly).map((e) => ({ source: e.path, target: e.path })), binds.kernel, binds.initramfs],
        readWrite: [{ source: dir, target: dir }, ...(binds.shared ? [binds.shared] : []), ...(binds.disk ? [binds.disk] : [])],
        // passt is reached through a socket in the runtime dir: only slirp needs the host's network.
        network: options.net === 'user' && passt === undefined,
        kvm: choice.accel === 'kvm',
        limits: { addressSpaceBytes: addressSpaceLimit(options.memoryMiB, tbSizeMiB ?? 1024), openFiles: 1024 },
      });
      log(`jail: ${jail === 'bwrap' ? 'bubblewrap namespaces + seccomp' : 'setpriv --pdeathsig (bubblewrap unavailable) + seccomp'}`);
      qemu = await QemuProcess.start(argv, env.NOFEAR_CONSOLE === '1' ? { onConsole: (c) => process.stderr.write(c) } : {});
      const started = qemu;
      options.abort?.addEventListener('abort', () => void started.kill(), { once: true });
      const qemuIdentity = identify(qemu.pid);
      if (qemuIdentity !== undefined) record.qemu = qemuIdentity;
      await writeRecord(dir, record);

      const running = qemu;
      const gaveUp = () => running.hasExited;
      const paths = socketPaths(dir);
      const control = await connectPort(paths.control, CONNECT_DEADLINE_MS, gaveUp);
      sockets.push(control);
      options.onListening?.(paths);
      const ports: Sandbox['ports'] = {};
      if (options.stdio === 'pipe') {
        for (const name of ['stdin', 'stdout', 'stderr'] as const) {
          ports[name] = await connectPort(paths[name], CONNECT_DEADLINE_MS, gaveUp);
          sockets.push(ports[name]);
        }
      } else if (options.stdio === 'tty') {
        ports.tty = await connectPort(paths.tty, CONNECT_DEADLINE_MS, gaveUp);
        sockets.push(ports.tty);
      }
      const stopRequested = { value: false };
      const messages = guestMessages(control, running, options.onProgress, stopRequested);
      await messages.hello(HELLO_DEADLINE_MS[choice.accel], choice.accel);
      // QEMU has exec'd inside its jail by now: record it for ps (its RSS) and the jail checks.
      const vmmPid = findQemuBelow(running.pid);
      const vmm = vmmPid === undefined ? undefined : identify(vmmPid);
      if (vmm !== undefined) {
        record.vmm = vmm;
        await writeRecord(dir, record);
      }
      const job: GuestJob = {
        argv: options.argv,
        env: options.env,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        user: options.user,
        stdio: options.stdio,
        hostname: guestHostname(options.profile),
        ...(options.winsize === undefined ? {} : { winsize: options.winsize }),
        ...(options.endMarker === undefined ? {} : { endMarker: options.endMarker }),
        gui: options.gui === true,
        sound: options.sound === true,
      };
      control.write(encodeJob(job));
      const sandbox: Sandbox = new Sandbox(running, control, {
        id,
        dir,
        record,
        ports,
        accel: choice,
        jail,
        stopRequested,
        passt,
        outcome: messages.outcome(() => {
          record.state = 'running';
          void writeRecord(dir, record).catch(() => {});
        }),
      });
      return sandbox;
    } catch (error) {
      for (const socket of sockets) socket.destroy();
      if (qemu !== undefined) await qemu.kill();
      await passt?.stop();
      await removeSandboxDir(dir, record);
      if (error instanceof KvmNoLife || error instanceof NoFearError) throw error;
      // Under KVM, a QEMU that dies or never answers is the KVM's fault until shown otherwise.
      if (choice.accel === 'kvm') throw new KvmNoLife((error as Error).message);
      const detail = qemu === undefined ? '' : lastLines(qemu.stderrTail() || qemu.consoleTail());
      throw new NoFearError('Unavailable', `The VM did not start: ${(error as Error).message}${detail ? `\n${detail}` : ''}`, {
        fix: 'nofearctl doctor',
        cause: error,
      });
    }
  }

  resize(rows: number, cols: number): void {
    if (!this.control.destroyed) this.control.write(winsizeLine(rows, cols));
  }

  /** Asks the guest to power off, then stops QEMU's group if it has not gone within graceMs. */
  async stop(graceMs = 3000): Promise<void> {
    this.stopRequested.value = true;
    if (!this.qemu.hasExited && !this.control.destroyed) this.control.write(POWEROFF_LINE);
    const timer = setTimeout(() => void this.qemu.kill(), graceMs);
    try {
      await this.qemu.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for QEMU to end (bounded), then removes everything the sandbox left on the host. */
  async dispose(exitStatus?: number): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const timer = setTimeout(() => void this.qemu.kill(), 10_000);
    await this.qemu.exited;
    clearTimeout(timer);
    await this.qemu.kill();
    this.control.destroy();
    for (const socket of Object.values(this.ports)) socket?.destroy();
    await this.passt?.stop();
    if (exitStatus !== undefined) this.record.exitStatus = exitStatus;
    await removeSandboxDir(this.dir, this.record);
  }

  consoleTail(): string {
    return this.qemu.consoleTail();
  }
}

class KvmNoLife extends Error {}

export function findQemu(env: NodeJS.ProcessEnv): string {
  const found = locateQemu(env);
  if (found === undefined) {
    throw unavailable(
      `QEMU is not installed (${env.NOFEAR_QEMU ? `NOFEAR_QEMU=${env.NOFEAR_QEMU} is not executable` : 'no qemu-system-x86_64 on PATH'}).`,
      'sudo apt-get install qemu-system-x86',
    );
  }
  return found;
}

function lastLines(text: string, count = 6): string {
  return text.trim().split('\n').slice(-count).map((line) => `  ${line.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')}`).join('\n');
}

export function guestHostname(profile: string): string {
  const clean = profile.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40);
  return `nofear-${clean || 'vm'}`;
}

/** System dirs the guest gets: those that exist as real directories (merged-/usr links are recreated). */
export function exportableSystemDirs(): string[] {
  return SYSTEM_EXPORTS.filter((dir) => {
    try {
      return lstatSync(dir).isDirectory();
    } catch {
      return false;
    }
  });
}

/** The guest's side of the control port, as promises: its hello, then the job's outcome. */
function guestMessages(control: net.Socket, qemu: QemuProcess, onProgress: ((step: GuestStep) => void) | undefined, stopRequested: { value: boolean }) {
  const splitter = new LineSplitter();
  let helloSeen = false;
  let onHello: (() => void) | undefined;
  let onStarted: (() => void) | undefined;
  let finish: ((outcome: SandboxOutcome) => void) | undefined;
  let pending: SandboxOutcome | undefined;
  const settle = (outcome: SandboxOutcome) => {
    if (pending !== undefined) return;
    pending = outcome;
    finish?.(outcome);
  };
  control.on('data', (chunk: Buffer) =>
    splitter.push(chunk, (line) => {
      const message = parseGuestLine(line);
      switch (message.type) {
        case 'hello':
          helloSeen = true;
          onHello?.();
          break;
        case 'started':
          onStarted?.();
          break;
        case 'progress':
          onProgress?.(message.step);
          break;
        case 'exit':
          settle({ kind: 'exited', status: message.status, stdoutBytes: message.stdoutBytes, stderrBytes: message.stderrBytes });
          break;
        case 'error':
          settle({ kind: 'failed', reason: `the guest could not run the job (${message.reason})` });
          break;
        case 'invalid':
          // A guest that breaks the protocol is hostile or broken: it gets no further say.
          settle({ kind: 'failed', reason: `the guest broke the control protocol (${message.reason})` });
          void qemu.kill();
          break;
      }
    }),
  );
  control.on('error', () => {});
  void qemu.exited.then((exit) =>
    settle(
      stopRequested.value
        ? { kind: 'stopped' }
        : { kind: 'failed', reason: `the VM stopped before the command finished (QEMU ${exit.signal ?? `exit ${exit.code}`})` },
    ),
  );
  return {
    hello(deadlineMs: number, accel: Accel): Promise<void> {
      return new Promise((resolve, reject) => {
        if (helloSeen) return resolve();
        const timer = setTimeout(() => fail(`no sign of life from the guest within ${deadlineMs / 1000} s`), deadlineMs);
        const fail = (reason: string) => {
          clearTimeout(timer);
          reject(accel === 'kvm' ? new KvmNoLife(reason) : new Error(reason));
        };
        onHello = () => {
          clearTimeout(timer);
          resolve();
        };
        void qemu.exited.then((exit) => fail(`QEMU exited during boot (${exit.signal ?? `exit ${exit.code}`})`));
      });
    },
    outcome(started: () => void): Promise<SandboxOutcome> {
      onStarted = started;
      return new Promise((resolve) => {
        if (pending !== undefined) resolve(pending);
        else finish = resolve;
      });
    },
  };
}
