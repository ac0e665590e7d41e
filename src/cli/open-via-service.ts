// nofear-open through the session service (org.nofear.NoFear), started by D-Bus activation if needed.
// It passes its own display, so the window appears where the caller is; on a terminal it shows the
// open's progress, and says "opened" only of a window that appeared; with --wait it returns once the
// sandboxes have ended. The exit status is the batch's (0, 3, 125), never a viewer's.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { signalStatus } from './cli-exit.js';
import { NoFearError } from '../errors.js';
import { failed, handled, type TargetOutcome } from '../util/batch-outcome.js';
import type { OpenArgs } from './nofear-open-args.js';
import { StatusLine } from './status-line.js';
import { NoFearClient, serviceMissing, type SandboxEvent } from '../service/bus/client.js';
import { sandboxIdOf } from '../service/bus/names.js';
import { STOPPED_STATUS, type LaunchStep } from '../sandbox/launch.js';
import type { OpenPlan } from '../open/open-plan.js';
import { uriScheme } from '../open/target.js';
import { onStopSignals } from '../util/stop-signals.js';

const STEPS: readonly string[] = ['booting', 'booted', 'server', 'attached', 'window'];

/** What the service said of each sandbox, gathered from its signals (which may come before the reply). */
class Followed {
  readonly exits = new Map<string, number>();
  readonly windows = new Set<string>();
  private changed = () => {};

  constructor(
    private readonly status: StatusLine,
    private readonly names: Map<string, string>,
    /** --verbose: each step said as an open in this process says it (from this call's start; the demo and bench read it). */
    private readonly verbose?: (line: string) => void,
    private readonly startedAt = Date.now(),
  ) {}

  hear(objectPath: string, event: SandboxEvent): void {
    if (event.kind === 'exited') this.exits.set(objectPath, event.status);
    if (event.kind === 'step' && STEPS.includes(event.step)) this.status.step(this.names.get(objectPath) ?? 'NoFear', event.step as LaunchStep);
    if (event.kind === 'step' && event.step !== 'booting' && STEPS.includes(event.step)) {
      const window = event.window === undefined || event.window === 0 ? '' : ` (host window 0x${event.window.toString(16)})`;
      this.verbose?.(`${this.names.get(objectPath) ?? objectPath}: ${event.step} after ${((Date.now() - this.startedAt) / 1000).toFixed(1)} s${window}`);
    }
    if (event.kind === 'step' && event.step === 'window') this.windows.add(objectPath);
    this.changed();
  }

  /** Waits until `done` holds, re-checked on every event; or until `gone` settles. */
  until(done: () => boolean, gone: Promise<void>): Promise<boolean> {
    return new Promise((resolve) => {
      if (done()) return resolve(true);
      this.changed = () => {
        if (done()) resolve(true);
      };
      void gone.then(() => resolve(done()));
    });
  }
}

/** The same rule as in-process (classifyTarget): only `scheme://` is a URI; anything else is a path. */
function uriOf(target: string): string {
  return uriScheme(target) !== undefined ? target : pathToFileURL(path.resolve(target)).href;
}

/** What the service did for the batch: each plan's outcome; `signalled` when the caller was interrupted. */
export interface ServiceBatch {
  outcomes: TargetOutcome[];
  signalled?: number;
}

/** An open the service took: handled at its window; ended before it, failed with the sandbox's reason. */
async function outcomeOf(plan: OpenPlan, objectPath: string | undefined, followed: Followed, client: NoFearClient): Promise<TargetOutcome> {
  if (objectPath !== undefined && followed.windows.has(objectPath)) return handled(plan.file);
  const status = objectPath === undefined ? undefined : followed.exits.get(objectPath);
  if (objectPath === undefined || status === undefined)
    return failed(plan.file, new NoFearError('Unavailable', `${plan.file} was not opened: the NoFear service ended before its window appeared.`, { fix: 'nofearctl doctor' }));
  const reason = await client.sandboxReason(objectPath);
  const why = reason !== '' ? reason : status === STOPPED_STATUS ? 'it was stopped' : `${plan.viewerName} ended with status ${status}`;
  return failed(
    plan.file,
    new NoFearError('Failed', `${plan.file} was not opened: the sandbox ended before a window appeared (${why}).`, { fix: `nofear-open --no-service --verbose ${JSON.stringify(plan.file)}` }),
  );
}

/** A link given to a running link VM ([links] reuse_seconds) is shown by a sandbox whose window came before the call. */
async function shownBefore(client: NoFearClient, plans: readonly OpenPlan[], paths: readonly string[], followed: Followed): Promise<void> {
  const links = new Set(paths.filter((_, i) => plans[i]?.kind === 'url'));
  for (const objectPath of links) if ((await client.sandboxProperty(objectPath, 'Step')) === 'window') followed.windows.add(objectPath);
}

/** OpenUris's options: the viewer asked for, notifications when no terminal shows the progress, the caller's own display, and an edit's. */
function openOptions(args: OpenArgs, env: NodeJS.ProcessEnv, notify: boolean) {
  return {
    ...(args.viewer === undefined ? {} : { viewer: args.viewer }),
    notify,
    ...(env.DISPLAY ? { display: env.DISPLAY } : {}),
    ...(env.XAUTHORITY ? { xauthority: env.XAUTHORITY } : {}),
    ...(env.WAYLAND_DISPLAY ? { waylandDisplay: env.WAYLAND_DISPLAY } : {}),
    ...(args.edit ? { edit: true, saveBack: args.saveBack } : {}),
  };
}

/**
 * Each plan's outcome when the service handled the request, or undefined to fall back to opening in this
 * process (no bus, or no service to be had on it). The call is always awaited: a cold activation loses a
 * call whose caller has gone. It follows every open to its window (or its end): "opened" is said only
 * then; with --wait, on until the sandboxes have ended.
 */
export async function openThroughService(args: OpenArgs, plans: readonly OpenPlan[], env: NodeJS.ProcessEnv): Promise<ServiceBatch | undefined> {
  const client = NoFearClient.connect(env);
  if (client === undefined) return undefined;
  const status = StatusLine.forStderr(args);
  const names = new Map<string, string>();
  const followed = new Followed(status, names, args.verbose ? (line) => process.stderr.write(`nofear-open: ${line}\n`) : undefined);
  let stopFollowing: (() => Promise<void>) | undefined;
  let service: Awaited<ReturnType<NoFearClient['serviceGone']>> | undefined;
  let paths: string[] = [];
  let signalled: number | undefined;
  let stopListening = () => {};
  const onSignal = (signal: NodeJS.Signals) => {
    // The caller gave up: its sandboxes go with it, as they would in-process.
    for (const objectPath of paths) {
      const id = sandboxIdOf(objectPath);
      if (id !== undefined) void client.stopSandbox(id);
    }
    signalled ??= signalStatus(signal);
    process.exitCode = signalled;
  };
  try {
    stopFollowing = await client.follow((objectPath, event) => followed.hear(objectPath, event));
    service = await client.serviceGone();
    if (status.active) status.write(`${plans.map((plan) => path.basename(plan.file)).join(', ')}: asking the NoFear service…`);
    try {
      paths = await client.openUris(
        plans.map((plan) => uriOf(plan.file)),
        openOptions(args, env, !status.active),
      );
    } catch (error) {
      if (serviceMissing(error)) throw error;
      status.end();
      return { outcomes: plans.map((plan) => failed(plan.file, error)) };
    }
    paths.forEach((objectPath, i) => names.set(objectPath, path.basename(plans[i]?.file ?? '')));
    if (args.verbose) process.stderr.write(`nofear-open: the service opened ${paths.join(' ')}\n`);
    stopListening = onStopSignals(onSignal);
    await shownBefore(client, plans, paths, followed);
    // Until every window shows (or its sandbox ends): only then is "opened" true.
    await followed.until(() => paths.every((p) => followed.windows.has(p) || followed.exits.has(p)), service.promise);
    const outcomes = await Promise.all(plans.map((plan, i) => outcomeOf(plan, paths[i], followed, client)));
    const opened = outcomes.filter((outcome) => outcome.kind === 'handled').map((outcome) => path.basename(outcome.target));
    status.end(opened.length > 0 ? `${opened.join(', ')}: opened safely by the NoFear service` : undefined);
    if (args.wait && !(await followed.until(() => paths.every((p) => followed.exits.has(p)), service.promise))) {
      process.stderr.write('nofear-open: the NoFear service ended before the sandboxes did. Fix: nofearctl doctor\n');
    }
    return { outcomes, ...(signalled === undefined ? {} : { signalled }) };
  } catch (error) {
    status.end();
    if (serviceMissing(error)) return undefined;
    throw error;
  } finally {
    stopListening();
    // On the way out: the connection closes next, taking any subscription with it.
    await stopFollowing?.().catch(() => undefined);
    await service?.stop().catch(() => undefined);
    client.close();
  }
}
