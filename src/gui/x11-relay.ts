// Starts and stops NoFear's X11 relay (x11-relay.py) for a display the jailed client cannot reach
// by itself: an abstract-only or TCP display. It dies with NoFear (its stdin is NoFear's pipe, and
// setpriv's parent-death signal), and is killed with its group when the client ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unavailable } from '../errors.js';
import { killGroup } from '../util/run.js';

const RELAY_SCRIPT = fileURLToPath(new URL('../../src/gui/x11-relay.py', import.meta.url));
const RELAY_START_DEADLINE_MS = 5000;

export type RelayTarget = { abstract: string } | { host: string; port: number };

export interface X11Relay {
  /** The relay's listening socket on the host (bound into the jail as the display's socket). */
  path: string;
  stop(): void;
}

export function relayArgs(listenPath: string, target: RelayTarget): string[] {
  return 'abstract' in target ? [RELAY_SCRIPT, listenPath, 'abstract', target.abstract] : [RELAY_SCRIPT, listenPath, 'tcp', target.host, String(target.port)];
}

export async function startX11Relay(listenPath: string, target: RelayTarget, setpriv = '/usr/bin/setpriv'): Promise<X11Relay> {
  const child: ChildProcess = spawn(setpriv, ['--pdeathsig', 'KILL', '--', '/usr/bin/python3', ...relayArgs(listenPath, target)], {
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
    env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
  });
  const stop = () => {
    child.stdin?.destroy();
    killGroup(child.pid, 'SIGKILL');
    // Its socket sits alone in a private dir made for it (client-launch.ts): both go.
    if (path.basename(path.dirname(listenPath)).startsWith('nofear-x11-relay-')) rmSync(path.dirname(listenPath), { recursive: true, force: true });
  };
  await new Promise<void>((resolve, reject) => {
    const failed = (why: string) => {
      clearTimeout(timer);
      stop();
      reject(unavailable(`NoFear's X11 relay did not start (${why}).`, 'nofearctl doctor; or set NOFEAR_CLIENT_JAIL=off to run the Xpra client without its jail'));
    };
    const timer = setTimeout(() => failed(`not listening within ${RELAY_START_DEADLINE_MS / 1000} s`), RELAY_START_DEADLINE_MS);
    child.once('exit', (code) => failed(`exited with status ${code}`));
    child.once('error', (error) => failed(error.message));
    child.stdout?.once('data', (chunk: Buffer) => {
      if (!chunk.toString().startsWith('listening')) return failed('unexpected output');
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve();
    });
  });
  child.stdout?.resume();
  return { path: listenPath, stop };
}
