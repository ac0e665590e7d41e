// What a sandbox is asked to be, in three parts: the VM's shape, the job the guest runs, and the hooks
// its caller listens on; and the one place those are built from config.ini and a request, for the CLI,
// the service and the open path alike.
import { accelOfConfig, type Config } from '../config/index.js';
import { guestEnvironment } from '../vm/guest-env.js';
import type { ExportSpec, GuestStep, SandboxLayout, StdioMode, VmShape } from '../vm/start-vm.js';

/** The guest's X display, where the GUI server and the program meet. */
export const GUEST_DISPLAY = ':100';

export interface JobSpec {
  argv: readonly string[];
  env: Record<string, string>;
  cwd?: string;
  user: 'user' | 'root';
  winsize?: { rows: number; cols: number };
  /** tty mode: written after the command's output, so the host knows it has all of it. */
  endMarker?: string;
}

export interface SandboxHooks {
  /** The environment NoFear reads its own settings and paths from. */
  hostEnv: NodeJS.ProcessEnv;
  ownerKind: 'cli' | 'service';
  /** The id to use (announced to a caller before the VM exists); a fresh one otherwise. */
  id?: string;
  /** The files a sandbox opens, for ps and the bus. */
  files?: string[];
  /** Notices for --verbose (which kernel, which accelerator, cache reuse). */
  log?: (line: string) => void;
  /** One-line notices a person should see (the TCG fallback, a first-boot kernel download). */
  warn?: (line: string) => void;
  /** QEMU listens on its sockets (the GUI client can attach from then on). */
  onListening?: (layout: SandboxLayout) => void;
  /** The guest's steps towards a window. */
  onProgress?: (step: GuestStep) => void;
  /** Aborting stops the VM wherever its start has got to. */
  abort?: AbortSignal;
}

export interface SandboxOptions {
  shape: VmShape;
  job: JobSpec;
  hooks: SandboxHooks;
}

/** Whose config and environment a VM runs with, for whom, and how its caller is told and stops it. */
export interface RunContext {
  config: Config;
  env: NodeJS.ProcessEnv;
  ownerKind: 'cli' | 'service';
  /** The VM's sandbox id (announced to a caller before it exists). */
  id?: string;
  log?: (line: string) => void;
  warn?: (line: string) => void;
  abort?: AbortSignal;
}

/** A context's notices and abort, each only where it has one: what every VM started in it listens on. */
export function listenersOf(context: RunContext): Pick<RunContext, 'log' | 'warn' | 'abort'> {
  return {
    ...(context.log === undefined ? {} : { log: context.log }),
    ...(context.warn === undefined ? {} : { warn: context.warn }),
    ...(context.abort === undefined ? {} : { abort: context.abort }),
  };
}

/** The hooks of a VM started in a context for these files (the open path, a conversion). */
export function hooksFor(context: RunContext, files: string[]): SandboxHooks {
  return { hostEnv: context.env, ownerKind: context.ownerKind, files, ...(context.id === undefined ? {} : { id: context.id }), ...listenersOf(context) };
}

/** A request in the caller's terms; config.ini fills in what it leaves out. */
export interface SandboxRequest {
  argv: readonly string[];
  /** 'temporary' for a throwaway VM. */
  profile: string;
  disk?: string;
  stdio: StdioMode;
  root?: boolean;
  /** A terminal on both ends (tty mode): the guest gets the host's TERM. */
  interactive?: boolean;
  gui?: boolean;
  sound?: boolean;
  /** [gui] clipboard = to-guest: the guest's Xpra server takes the host's clipboard. */
  clipboard?: boolean;
  net?: 'none' | 'user';
  /** User networking that reaches the internet only (a link VM with [links] lan = no). */
  fenceLan?: boolean;
  memoryMiB?: number;
  cpus?: number;
  sharedFolder?: string;
  export?: ExportSpec;
  winsize?: { rows: number; cols: number };
  endMarker?: string;
}

export function sandboxOptionsFrom(config: Config, request: SandboxRequest, hooks: SandboxHooks): SandboxOptions {
  const gui = request.gui === true;
  const root = request.root === true;
  const env = guestEnvironment({ root, interactive: request.interactive === true, hostEnv: hooks.hostEnv, ...(gui ? { display: GUEST_DISPLAY } : {}) });
  return {
    shape: {
      profile: request.profile,
      ...(request.disk === undefined ? {} : { disk: request.disk }),
      memoryMiB: request.memoryMiB ?? config.vm.memoryMiB,
      cpus: request.cpus ?? config.vm.cpus,
      net: request.net ?? config.vm.net,
      ...(request.fenceLan === true ? { fenceLan: true } : {}),
      tbSizeMiB: config.vm.tbSizeMiB,
      ...(config.vm.accel === 'auto' ? {} : { accel: accelOfConfig(config) }),
      ...(request.sharedFolder === undefined ? {} : { sharedFolder: request.sharedFolder }),
      ...(request.export === undefined ? {} : { export: request.export }),
      stdio: request.stdio,
      gui,
      sound: request.sound === true,
      ...(request.clipboard === true ? { clipboard: true } : {}),
    },
    job: {
      argv: request.argv,
      env,
      ...(request.sharedFolder === undefined ? {} : { cwd: '/shared' }),
      user: root ? 'root' : 'user',
      ...(request.winsize === undefined ? {} : { winsize: request.winsize }),
      ...(request.endMarker === undefined ? {} : { endMarker: request.endMarker }),
    },
    hooks,
  };
}
