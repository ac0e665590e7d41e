// What the service's request handlers share: their context, a URI's target, starting a sandbox through
// the manager and the reply with its object paths.
import type { Config } from '../../config/index.js';
import { invalidArgument } from '../../errors.js';
import type { LaunchSpec } from '../../sandbox/launch.js';
import type { ConvertLaunch } from '../../convert/launch-convert.js';
import type { ManagedSandbox, SandboxManager } from '../../sandbox/manager.js';
import { conversionMemoryMiB } from '../../sandbox/pool-shapes.js';
import { classifyTarget } from '../../open/target.js';
import type { Notifications } from '../bus/notifications.js';
import type { ResultActions } from '../bus/result-actions.js';
import type { CheckedOptions } from './validate.js';

/** What the service starts: the sandbox layer's requests, and conversions (src/convert). */
export type ServiceSpec = LaunchSpec | ConvertLaunch;

export interface RequestContext {
  manager: SandboxManager<ServiceSpec>;
  /** Empties the warm pool until the next open (StopAll stops ready VMs too). */
  stopPool(): Promise<void>;
  config(): Config;
  env: NodeJS.ProcessEnv;
  /** A sandbox's object path (the adapter's, checked). */
  objectPath(sandbox: ManagedSandbox): string;
  /** The service's notifications (conversions' progress, an edit's question). */
  notifications: Notifications;
  /** What a safe PDF's notification's Open and Show in folder do. */
  resultActions?: ResultActions;
  log(line: string): void;
}

/** A file:// URI's path, refusing names that are not UTF-8 (a JavaScript string cannot carry them). */
export function targetOf(uri: string): ReturnType<typeof classifyTarget> {
  try {
    return classifyTarget(uri);
  } catch (error) {
    if (error instanceof URIError) {
      throw invalidArgument(`${uri} names a file whose name is not valid UTF-8; the service cannot open such names yet.`, 'rename the file, or open it with nofear-open --no-service FILE');
    }
    throw error;
  }
}

/** Starts one sandbox through the manager (waiting for a free slot of the memory its VM gets). */
export async function startSandbox(context: RequestContext, spec: ServiceSpec, signal?: AbortSignal): Promise<ManagedSandbox> {
  const config = context.config();
  const sandbox = await context.manager.start(spec, spec.kind === 'convert' ? conversionMemoryMiB(config) : config.vm.memoryMiB, signal);
  context.log(`sandbox ${sandbox.id} starting: ${sandbox.files.length > 0 ? sandbox.files.join(' ') : sandbox.command.join(' ')}`);
  return sandbox;
}

/** The reply: the sandboxes' object paths, at once or (wait) once they have ended. */
export async function replyWith(context: RequestContext, sandboxes: ManagedSandbox[], options: CheckedOptions): Promise<string[]> {
  if (options.wait === true) await Promise.all(sandboxes.map((s) => s.ended));
  return sandboxes.map(context.objectPath);
}
