// nofear-open through the session service (org.nofear.NoFear), when there is one to ask.
import type { OpenArgs } from './nofear-open-args.js';

/**
 * Returns the exit status when the service handled the request, or undefined to fall back to
 * opening in this process (no service reachable).
 */
export async function openThroughService(_args: OpenArgs, _env: NodeJS.ProcessEnv): Promise<number | undefined> {
  return undefined;
}
