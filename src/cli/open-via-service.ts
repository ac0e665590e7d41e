// nofear-open through the session service (org.nofear.NoFear), started by D-Bus activation if needed.
// It passes its own display, so the window appears where the caller is; on a terminal it shows the
// open's progress; with --wait it ends with the sandboxes' real exit status.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NOFEAR_FAILURE, signalStatus } from './cli-exit.js';
import type { OpenArgs } from './nofear-open-args.js';
import { StatusLine } from './status-line.js';
import { NoFearClient, serviceMissing, type SandboxEvent } from '../service/client.js';
import { sandboxIdOf } from '../service/names.js';
import type { LaunchStep } from '../sandbox/launch.js';
import { uriScheme } from '../sandbox/open-plan.js';

const STEPS: readonly string[] = ['booting', 'booted', 'server', 'attached', 'window'];

/** What the service said of each sandbox, gathered from its signals (which may come before the reply). */
class Followed {
  readonly exits = new Map<string, number>();
  readonly windows = new Set<string>();
  private changed = () => {};

  constructor(
    private readonly status: StatusLine,
    private readonly names: Map<string, string>,
  ) {}

  hear(objectPath: string, event: SandboxEvent): void {
    if (event.kind === 'exited') this.exits.set(objectPath, event.status);
    if (event.kind === 'step' && STEPS.includes(event.step)) this.status.step(this.names.get(objectPath) ?? 'NoFear', event.step as LaunchStep);
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

/**
 * The exit status when the service handled the request, or undefined to fall back to opening in this
 * process (no bus, or no service to be had on it). The call is always awaited: a cold activation
 * loses a call whose caller has gone.
 */
export async function openThroughService(args: OpenArgs, env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const client = NoFearClient.connect(env);
  if (client === undefined) return undefined;
  const status = StatusLine.forStderr(args);
  const names = new Map<string, string>();
  const followed = new Followed(status, names);
  let stopFollowing: (() => Promise<void>) | undefined;
  let service: Awaited<ReturnType<NoFearClient['serviceGone']>> | undefined;
  let paths: string[] = [];
  const onSignal = (signal: NodeJS.Signals) => {
    // The caller gave up: its sandboxes go with it, as they would in-process.
    for (const objectPath of paths) {
      const id = sandboxIdOf(objectPath);
      if (id !== undefined) void client.stopSandbox(id);
    }
    process.exitCode = signalStatus(signal);
  };
  try {
    stopFollowing = await client.follow((objectPath, event) => followed.hear(objectPath, event));
    service = await client.serviceGone();
    if (status.active) status.write(`${args.targets.map((t) => path.basename(t)).join(', ')}: asking the NoFear service…`);
    paths = await client.openUris(args.targets.map(uriOf), {
      ...(args.viewer === undefined ? {} : { viewer: args.viewer }),
      notify: !status.active,
      ...(env.DISPLAY ? { display: env.DISPLAY } : {}),
      ...(env.XAUTHORITY ? { xauthority: env.XAUTHORITY } : {}),
      ...(env.WAYLAND_DISPLAY ? { waylandDisplay: env.WAYLAND_DISPLAY } : {}),
    });
    paths.forEach((objectPath, i) => names.set(objectPath, path.basename(args.targets[i] ?? '')));
    if (args.verbose) process.stderr.write(`nofear-open: the service opened ${paths.join(' ')}\n`);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
    if (!args.wait && !status.active) return 0;
    const ended = () => paths.every((p) => followed.exits.has(p));
    if (!args.wait) {
      // On a terminal: until every window shows (or its sandbox ends), then hand the terminal back.
      await followed.until(() => paths.every((p) => followed.windows.has(p) || followed.exits.has(p)), service.promise);
      status.end(`${[...names.values()].join(', ')}: opened safely by the NoFear service`);
      return 0;
    }
    if (!(await followed.until(ended, service.promise))) {
      status.end();
      process.stderr.write('nofear-open: the NoFear service ended before the sandboxes did. Fix: nofearctl doctor\n');
      return NOFEAR_FAILURE;
    }
    status.end();
    return process.exitCode !== undefined && process.exitCode !== 0 ? Number(process.exitCode) : (paths.map((p) => followed.exits.get(p) ?? 0).find((s) => s !== 0) ?? 0);
  } catch (error) {
    status.end();
    if (serviceMissing(error)) return undefined;
    throw error;
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
    // On the way out: the connection closes next, taking any subscription with it.
    await stopFollowing?.().catch(() => undefined);
    await service?.stop().catch(() => undefined);
    client.close();
  }
}
