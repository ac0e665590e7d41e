// A private Xvfb for headless machines (servers, CI): the demo's windows go there.
import { spawn } from 'node:child_process';
import { unavailable } from '../errors.js';

export interface PrivateDisplay {
  display: string;
  stop(): Promise<void>;
}

export async function startPrivateDisplay(): Promise<PrivateDisplay> {
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const number = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(unavailable('Xvfb did not start within 10 s.', 'sudo apt-get install xvfb')), 10_000);
    child.once('error', () => reject(unavailable('Xvfb is not installed: a headless demo needs it.', 'sudo apt-get install xvfb')));
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(text.trim());
      }
    });
  });
  return {
    display: `:${number}`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-(child.pid ?? 0), 'SIGTERM');
      } catch {
        // already gone
      }
      await exited;
    },
  };
}
