// Starts a sandbox for the service and nofear-open: a command (optionally with its windows forwarded)
// or a file opened in its viewer. Callers get a handle whose `ended` settles once everything is cleaned up.
import { unavailable } from '../errors.js';
import { applyEnvOverrides, loadConfig, type Config } from '../config/index.js';
import { guestEnvironment } from './guest-env.js';
import { Sandbox } from './sandbox.js';

export type LaunchSpec =
  | { kind: 'run'; argv: string[]; gui: boolean; profile?: string; net?: 'none' | 'user'; sharedFolder?: string }
  | { kind: 'open'; file: string; viewer?: string; profile?: string };

export interface LaunchContext {
  env?: NodeJS.ProcessEnv;
  config?: Config;
  log?: (line: string) => void;
  ownerKind?: 'cli' | 'service';
}

export interface LaunchedSandbox {
  id: string;
  profile: string;
  command: string[];
  files: string[];
  startedAt: Date;
  /** Resolves with the exit status (the guest's; 128+N for a signal; 125 for NoFear's own failure) once all is cleaned up. */
  ended: Promise<number>;
  /** Powers the guest off (QEMU killed after a deadline); `ended` settles after. */
  stop(): Promise<void>;
  qemuPid: number;
}

export const FAILURE_STATUS = 125;
/** Stopped on request: as if by SIGTERM. */
export const STOPPED_STATUS = 143;

export async function launch(spec: LaunchSpec, context: LaunchContext = {}): Promise<LaunchedSandbox> {
  const env = context.env ?? process.env;
  const config = context.config ?? applyEnvOverrides(loadConfig(env), env).config;
  if (spec.kind === 'open') throw unavailable('Opening files is not available in this build yet.', 'nofear -t CMD runs a command');
  if (spec.gui) throw unavailable('GUI programs are not available in this build yet.', 'run command-line programs without gui');
  const profile = spec.profile ?? 'temporary';
  if (profile !== 'temporary') throw unavailable('Persistent profiles are only available from the nofear command.', 'nofear -p NAME CMD');
  const sandbox = await Sandbox.start({
    argv: spec.argv,
    profile,
    stdio: 'none',
    user: 'user',
    memoryMiB: config.vm.memoryMiB,
    cpus: config.vm.cpus,
    net: spec.net ?? config.vm.net,
    tbSizeMiB: config.vm.tbSizeMiB,
    ...(config.vm.accel === 'auto' ? {} : { accel: config.vm.accel }),
    ...(spec.sharedFolder === undefined ? {} : { sharedFolder: spec.sharedFolder, cwd: '/shared' }),
    env: guestEnvironment({ root: false, interactive: false, hostEnv: env }),
    hostEnv: env,
    ownerKind: context.ownerKind ?? 'service',
    ...(context.log === undefined ? {} : { log: context.log }),
  });
  const ended = (async () => {
    const outcome = await sandbox.outcome;
    const status = outcome.kind === 'exited' ? outcome.status : outcome.kind === 'stopped' ? STOPPED_STATUS : FAILURE_STATUS;
    await sandbox.dispose(status);
    return status;
  })();
  return {
    id: sandbox.id,
    profile,
    command: spec.argv,
    files: [],
    startedAt: new Date(),
    ended,
    stop: async () => {
      await sandbox.stop();
      await ended.catch(() => undefined);
    },
    qemuPid: sandbox.qemuPid,
  };
}
