// A private Xvfb for headless machines (servers, CI): the demo's windows go there.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { isNoFearError, unavailable } from '../errors.js';
import { exitOf, firstLine, stopGroup } from '../util/child.js';

export interface PrivateDisplay {
  display: string;
  stop(): Promise<void>;
}

export async function startPrivateDisplay(): Promise<PrivateDisplay> {
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    detached: true,
  });
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
