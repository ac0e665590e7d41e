// The jailed Xpra client's X cookie: an untrusted one from the SECURITY extension where the X server
// has it (x11-untrusted-cookie.py holds the connection that made it for the client's lifetime), else
// the user's own, trusted, with the reason. Decides nothing about routes (x11-display.ts does).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killGroup } from '../util/run.js';
import { serializeXauthority } from './xauthority.js';

const HELPER = fileURLToPath(new URL('../../src/gui/x11-untrusted-cookie.py', import.meta.url));
const DEADLINE_MS = 5000;
const FAMILY_WILD = 0xffff;

export type UntrustedCookie = { ok: true; xauthority: Buffer; stop(): void } | { ok: false; why: string };

/** Pure: the helper's first line as a cookie for display `number` (an Xauthority file), or why not. */
export function parseHelperLine(line: string, number: number): { ok: true; xauthority: Buffer } | { ok: false; why: string } {
  const cookie = /^cookie ([0-9a-f]{2,512})$/.exec(line);
  if (cookie?.[1] !== undefined) {
    const data = Buffer.from(cookie[1], 'hex');
    return { ok: true, xauthority: serializeXauthority([{ family: FAMILY_WILD, address: Buffer.alloc(0), number: String(number), name: 'MIT-MAGIC-COOKIE-1', data }]) };
  }
  const unsupported = /^unsupported (.{1,200})$/.exec(line);
  return { ok: false, why: unsupported?.[1] ?? 'the cookie helper said something else' };
}

/** Asks for an untrusted cookie on `display` (the user's DISPLAY and XAUTHORITY); stop() revokes it. */
export async function untrustedCookie(env: NodeJS.ProcessEnv, display: string, number: number, setpriv = '/usr/bin/setpriv'): Promise<UntrustedCookie> {
  const child = spawn(setpriv, ['--pdeathsig', 'KILL', '--', '/usr/bin/python3', HELPER], {
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
    env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', DISPLAY: display, ...(env.XAUTHORITY ? { XAUTHORITY: env.XAUTHORITY } : {}), ...(env.HOME ? { HOME: env.HOME } : {}) },
  });
  const stop = () => {
    child.stdin?.destroy();
    killGroup(child.pid, 'SIGKILL');
  };
  const line = await new Promise<string>((resolve) => {
    let text = '';
    const done = (answer: string) => {
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      resolve(answer);
    };
    const timer = setTimeout(() => done(`unsupported no answer within ${DEADLINE_MS / 1000} s`), DEADLINE_MS);
    child.once('error', (error) => done(`unsupported ${error.message}`));
    child.once('exit', () => done(text.split('\n')[0] || 'unsupported the cookie helper ended'));
    child.stdout?.on('data', (chunk: Buffer) => {
      text = (text + chunk.toString('latin1')).slice(0, 2048);
      if (text.includes('\n')) done(text.split('\n')[0] ?? '');
    });
  });
  const parsed = parseHelperLine(line, number);
  if (!parsed.ok) {
    stop();
    return parsed;
  }
  child.stdout?.resume();
  return { ...parsed, stop };
}
