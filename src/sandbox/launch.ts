// Starts a sandbox for the service: a command (optionally with its windows forwarded) or a file opened
// in its viewer. It answers as soon as the request is validated and the sandbox has an id; `running`
// and `ended` follow the VM, and `ended` settles only once everything is cleaned up.
import { borderFor, loadConfig, type Config } from '../config/index.js';
import { invalidArgument } from '../errors.js';
import { hostDisplay } from '../gui/client.js';
import { startGuiSession, type GuiSession } from './gui-session.js';
import { guestEnvironment } from './guest-env.js';
import { newSandboxId } from './registry.js';
import { Sandbox, type SandboxOutcome } from './sandbox.js';
import { planOpen, type OpenPlan } from './open-plan.js';
import { openInSandbox, OPEN_PROFILE } from './open-file.js';

export type LaunchSpec =
  | { kind: 'run'; argv: string[]; gui: boolean; profile?: string; net?: 'none' | 'user'; sharedFolder?: string }
  | { kind: 'open'; file: string; viewer?: string; profile?: string }
  | { kind: 'open-plan'; plan: OpenPlan };

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
  /** Resolves when the job runs (for a window: the client attached); rejects with the start's error. */
  running: Promise<void>;
  /** The exit status (the guest's; 128+N for a signal; 143 when stopped; 125 for NoFear's own failure), after clean-up. */
  ended: Promise<number>;
  /** Powers the guest off (QEMU killed after a deadline); `ended` settles after. */
  stop(): Promise<void>;
  /** QEMU's jail process, once it runs. */
  qemuPid(): number | undefined;
}

export const FAILURE_STATUS = 125;
/** Stopped on request: as if by SIGTERM. */
export const STOPPED_STATUS = 143;

export function statusOf(outcome: SandboxOutcome): number {
  return outcome.kind === 'exited' ? outcome.status : outcome.kind === 'stopped' ? STOPPED_STATUS : FAILURE_STATUS;
}

export async function launch(spec: LaunchSpec, context: LaunchContext = {}): Promise<LaunchedSandbox> {
  const env = context.env ?? process.env;
  const config = context.config ?? loadConfig(env).config;
  const ownerKind = context.ownerKind ?? 'service';
  const log = context.log;
  // Everything that can be refused is refused here, before any VM exists.
  let plan: OpenPlan | undefined;
  if (spec.kind === 'open') plan = await planOpen(spec.file, { viewer: spec.viewer, maxFileSizeBytes: config.open.maxFileSizeBytes, env });
  if (spec.kind === 'open-plan') plan = spec.plan;
  const profile = spec.kind === 'run' ? (spec.profile ?? 'temporary') : OPEN_PROFILE;
  if (profile !== 'temporary') throw invalidArgument('The service runs throwaway VMs only; persistent profiles belong to the nofear command.', 'nofear -p NAME CMD');
  if (plan !== undefined || (spec.kind === 'run' && spec.gui)) hostDisplay(env);
  if (spec.kind === 'run' && spec.argv.length === 0) throw invalidArgument('Run needs a command.', 'pass the command as an array of strings');

  const id = newSandboxId();
  let sandbox: Sandbox | undefined;
  let stopRequested = false;
  const started: Promise<{ sandbox: Sandbox; session?: GuiSession }> = (async () => {
    if (plan !== undefined) {
      const session = await openInSandbox(plan, { config, env, ownerKind, id, ...(log ? { log } : {}) });
      return { sandbox: session.sandbox, session };
    }
    if (spec.kind !== 'run') throw new Error('unreachable');
    const options = {
      id,
      argv: spec.argv,
      profile,
      stdio: 'none' as const,
      user: 'user' as const,
      memoryMiB: config.vm.memoryMiB,
      cpus: config.vm.cpus,
      net: spec.net ?? config.vm.net,
      tbSizeMiB: config.vm.tbSizeMiB,
      ...(config.vm.accel === 'auto' ? {} : { accel: config.vm.accel }),
      ...(spec.sharedFolder === undefined ? {} : { sharedFolder: spec.sharedFolder, cwd: '/shared' }),
      env: { ...guestEnvironment({ root: false, interactive: false, hostEnv: env }), ...(spec.gui ? { DISPLAY: ':100' } : {}) },
      hostEnv: env,
      ownerKind,
      ...(log ? { log } : {}),
    };
    if (spec.gui) {
      const session = await startGuiSession(options, { border: borderFor(config, profile), clipboard: config.gui.clipboard, sound: false, env });
      return { sandbox: session.sandbox, session };
    }
    return { sandbox: await Sandbox.start(options) };
  })();
  const running = started.then((value) => {
    sandbox = value.sandbox;
    if (stopRequested) void value.sandbox.stop();
  });
  running.catch(() => undefined); // observed through `ended` too
  const ended = started.then(
    async ({ sandbox: box, session }) => {
      const outcome = session !== undefined ? await session.finished : await box.outcome;
      const status = statusOf(outcome);
      await box.dispose(status);
      return status;
    },
    () => FAILURE_STATUS,
  );
  const files = plan !== undefined ? [plan.file] : [];
  return {
    id,
    profile,
    command: plan !== undefined ? plan.argv : spec.kind === 'run' ? spec.argv : [],
    files,
    startedAt: new Date(),
    running,
    ended,
    stop: async () => {
      stopRequested = true;
      if (sandbox !== undefined) await sandbox.stop();
      await ended;
    },
    qemuPid: () => sandbox?.qemuPid,
  };
}
