// Starts a sandbox for the service: a command (optionally with its windows forwarded) or a file opened
// in its viewer. It answers as soon as the request is validated and the sandbox has an id; `running`,
// the steps and `ended` follow the VM, and `ended` settles only once everything is cleaned up.
import { borderFor, loadConfig, type Config, type SoundPolicy } from '../config/index.js';
import { invalidArgument, isNoFearError, NoFearError } from '../errors.js';
import type { HostWindow } from '../gui/client.js';
import { displayOf } from '../gui/display-check.js';
import { readXauthorityFile } from '../gui/xauthority.js';
import { startGuiSession, type GuiSession, type GuiStep } from './gui-session.js';
import { newSandboxId } from './registry.js';
import { exportBelongsInCache, Sandbox } from './sandbox.js';
import type { OpenPlan } from '../open/open-plan.js';
import { openInSandbox, openInWarmVm, OPEN_PROFILE, type OpenContext } from './open-file.js';
import { sandboxOptionsFrom } from './sandbox-options.js';
import { soundFor } from '../open/sound-choice.js';
import { followExports } from '../open/attachment-export.js';
import { StepTracker, type LaunchStep } from '../gui/step-tracker.js';
import { followStart, type CallerDisplay, type LaunchedSandbox, type LaunchSpec, type Started } from './follow-start.js';

export interface LaunchContext {
  env?: NodeJS.ProcessEnv;
  config?: Config;
  log?: (line: string) => void;
  ownerKind?: 'cli' | 'service';
}

export type { CallerDisplay, EditLaunch, LaunchedSandbox, LaunchSpec, SandboxEnd } from './follow-start.js';
export type { LaunchStep };

export { NOFEAR_FAILURE as FAILURE_STATUS, STOPPED_STATUS } from '../util/exit-status.js';
export { StepTracker } from '../gui/step-tracker.js';
export { endOf, followStart, launched, StoppedBeforeRunning, type FollowedMeta, type LaunchedParts, type Started } from './follow-start.js';
export type { ConversionOutcome } from './sandbox-outcome.js';

/**
 * The environment a sandbox's windows are shown with: the caller's display when it gave one, else the
 * launcher's own. A service started by the bus before the session set DISPLAY has none: say how to fix that.
 */
export function displayEnvironment(env: NodeJS.ProcessEnv, caller: CallerDisplay | undefined, ownerKind: 'cli' | 'service'): NodeJS.ProcessEnv {
  const merged =
    caller?.DISPLAY !== undefined || caller?.WAYLAND_DISPLAY !== undefined ? { ...env, DISPLAY: caller.DISPLAY, XAUTHORITY: caller.XAUTHORITY, WAYLAND_DISPLAY: caller.WAYLAND_DISPLAY } : env;
  // A caller's Xauthority path is checked without blocking (a FIFO, /dev/zero): InvalidArgument at once.
  if (caller?.XAUTHORITY !== undefined) readXauthorityFile(caller.XAUTHORITY);
  try {
    displayOf(merged);
  } catch (error) {
    if (ownerKind !== 'service' || !isNoFearError(error)) throw error;
    throw new NoFearError('Unavailable', `${error.message} The NoFear service was started by the session bus, whose environment has no display, and the caller did not say which display to use.`, {
      fix: 'dbus-update-activation-environment --systemd DISPLAY XAUTHORITY (in your session start-up), or open through nofear-open, which passes its display',
    });
  }
  return merged;
}

/** What a request becomes once everything that can be refused has been checked (before any VM exists). */
interface Checked {
  plan: OpenPlan | undefined;
  profile: string;
  env: NodeJS.ProcessEnv;
  config: Config;
  ownerKind: 'cli' | 'service';
}

async function check(spec: LaunchSpec, context: LaunchContext): Promise<Checked> {
  const baseEnv = context.env ?? process.env;
  const config = context.config ?? loadConfig(baseEnv).config;
  const ownerKind = context.ownerKind ?? 'service';
  const plan = spec.kind === 'open-plan' ? spec.plan : undefined;
  const profile = spec.kind === 'run' ? (spec.profile ?? 'temporary') : OPEN_PROFILE;
  if (profile !== 'temporary') throw invalidArgument('The service runs throwaway VMs only; persistent profiles belong to the nofear command.', 'nofear -p NAME CMD');
  if (spec.kind === 'run' && spec.argv.length === 0) throw invalidArgument('Run needs a command.', 'pass the command as an array of strings');
  const windows = plan !== undefined || (spec.kind === 'run' && spec.gui);
  const env = windows ? displayEnvironment(baseEnv, spec.display, ownerKind) : baseEnv;
  return { plan, profile, env, config, ownerKind };
}

export async function launch(spec: LaunchSpec, context: LaunchContext = {}): Promise<LaunchedSandbox> {
  const checked = await check(spec, context);
  const { plan, profile, env, config, ownerKind } = checked;
  const log = context.log;
  const id = newSandboxId();
  const progress = new StepTracker(new Date());
  const onStep = (step: GuiStep, _ms: number, window?: HostWindow) => progress.reach(step, window);
  // `abort`: a stop that comes before the job runs ends the start wherever it has got to (followStart).
  const start = async (abort: AbortSignal): Started => {
    if (plan !== undefined) {
      const edit = spec.kind === 'open-plan' ? spec.edit : undefined;
      const session = await openInSandbox(plan, { config, env, ownerKind, id, onStep, abort, ...(log ? { log } : {}) }, edit?.copy);
      followAttachments(session.sandbox, plan, spec, env, log);
      return { sandbox: session.sandbox, session };
    }
    if (spec.kind !== 'run') throw new Error('unreachable');
    const options = sandboxOptionsFrom(
      config,
      { argv: spec.argv, profile, stdio: 'none', gui: spec.gui, ...(spec.net === undefined ? {} : { net: spec.net }), ...(spec.sharedFolder === undefined ? {} : { sharedFolder: spec.sharedFolder }) },
      { id, hostEnv: env, ownerKind, abort, ...(log ? { log } : {}) },
    );
    if (spec.gui) {
      const session = await startGuiSession(options, { border: borderFor(config, profile), clipboard: config.gui.clipboard, sound: false, env, onStep });
      return { sandbox: session.sandbox, session };
    }
    const box = await Sandbox.start(options);
    progress.reach('booted');
    return { sandbox: box };
  };
  return followStart(start, { id, profile, command: plan !== undefined ? plan.argv : spec.kind === 'run' ? spec.argv : [], plan, spec, progress });
}

/** NoFear's message view exports attachments on its stdout: each is saved and handed to the caller (a new VM). */
function followAttachments(sandbox: Sandbox, plan: OpenPlan, spec: LaunchSpec, env: NodeJS.ProcessEnv, log: ((line: string) => void) | undefined): void {
  const stdout = sandbox.ports.stdout;
  if (plan.view !== 'mail' || stdout === undefined) return;
  const onAttachment = spec.kind === 'open-plan' ? spec.onAttachment : undefined;
  followExports(stdout, {
    env,
    ...(log ? { log } : {}),
    onAttachment: (saved) => (onAttachment !== undefined ? onAttachment(saved) : void saved.remove()),
  });
}

/**
 * Whether a warm VM can take this request: a local file (not a URL), and no sound (a warm VM's guest has no
 * sound server). An open's file must be small enough for a ready VM's RAM export; an edit's copy is on disk
 * in the cache whatever its size (its cap is the edit shape's question, pool-shapes.ts).
 */
export function fitsWarm(spec: LaunchSpec, runtimeBase: string, sound: SoundPolicy = 'never'): boolean {
  if (spec.kind !== 'open-plan' || soundFor(sound, spec.plan.mime, spec.plan.sound)) return false;
  // NoFear's message view needs the stdout port for its attachments, which a warm VM does not have.
  if (spec.plan.kind !== 'file' || spec.plan.view !== undefined) return false;
  return spec.edit !== undefined || !exportBelongsInCache(spec.plan.size, runtimeBase);
}

/** An open in a warm VM (already booted, its server up and its client attached). */
export async function launchWarm(spec: LaunchSpec, session: GuiSession, context: LaunchContext = {}): Promise<LaunchedSandbox> {
  let checked: Checked;
  try {
    checked = await check(spec, context);
    if (checked.plan === undefined || checked.plan.kind !== 'file') throw new Error('a warm VM opens files only');
  } catch (error) {
    // The VM was taken from the pool for this request: a request refused now must not leave it running.
    await session.sandbox.discard();
    throw error;
  }
  const { plan, config, env, ownerKind } = checked;
  if (plan === undefined || plan.kind !== 'file') throw new Error('a warm VM opens files only');
  const progress = new StepTracker(new Date());
  for (const step of ['booted', 'server', 'attached'] as const) progress.reach(step);
  const edit = spec.kind === 'open-plan' ? spec.edit : undefined;
  const onStep: OpenContext['onStep'] = (step, _ms, window) => progress.reach(step, window);
  const start = (abort: AbortSignal): Started => {
    // Its VM is up already: a stop while the copy is staged powers it off (the job then finds it gone).
    abort.addEventListener('abort', () => void session.sandbox.stop(), { once: true });
    return openInWarmVm(plan, session, { config, env, ownerKind, onStep, ...(context.log ? { log: context.log } : {}) }, edit?.copy).then(
      (opened) => ({ sandbox: session.sandbox, session: opened }),
      async (error: unknown) => {
        await session.sandbox.discard();
        throw error;
      },
    );
  };
  return followStart(start, { id: session.sandbox.id, profile: OPEN_PROFILE, command: plan.argv, plan, spec, progress });
}
