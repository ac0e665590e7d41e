// A private Xvfb for headless machines (servers, CI): the demo's windows go there.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { isNoFearError, unavailable } from '../errors.js';
import { exitOf, firstLine, stopGroup } from '../util/child.js';
import { findExecutable } from '../util/which.js';

/**
 * Xvfb's argv, under setpriv's parent-death signal where it exists: a killed demo (or test) leaves no X server
 * behind. SIGTERM, not SIGKILL: Xvfb then removes its lock and its socket in /tmp/.X11-unix, which a later
 * display of the same number would otherwise find (clients try that path first, and are refused).
 */
export function privateDisplayArgv(extraArgs: string[], setpriv: string | null = findExecutable('setpriv') ?? null): string[] {
  const xvfb = ['Xvfb', '-displayfd', '3', '-screen', '0', '1280x900x24', ...extraArgs];
  return setpriv === null ? xvfb : [setpriv, '--pdeathsig', 'TERM', '--', ...xvfb];
}

export interface PrivateDisplay {
  display: string;
  stop(): Promise<void>;
}

export async function startPrivateDisplay(extraArgs: string[] = ['-nolisten', 'tcp']): Promise<PrivateDisplay> {
  if (findExecutable('Xvfb') === undefined) throw unavailable('Xvfb is not installed: a headless demo needs it.', 'sudo apt-get install xvfb');
  const [command = 'Xvfb', ...args] = privateDisplayArgv(extraArgs);
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], detached: true });
  const exited = exitOf(child);
  const failed = new Promise<never>((_, reject) => child.once('error', () => reject(unavailable('Xvfb is not installed: a headless demo needs it.', 'sudo apt-get install xvfb'))));
  let number: string;
  try {
    number = await Promise.race([firstLine(child.stdio[3] as Readable, child, 10_000, 'Xvfb'), failed]);
  } catch (error) {
    await stopGroup(child.pid, exited);
    throw isNoFearError(error) ? error : unavailable(`Xvfb did not start: ${(error as Error).message}.`, 'sudo apt-get install xvfb');
  }
  return {
    display: `:${number}`,
    stop: async () => void (await stopGroup(child.pid, exited)),
  };
}
