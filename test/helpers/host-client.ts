// For the host-client tests: a hostile Xpra server (Xpra's own protocol classes, no VM), and what
// another X client sees on the host display (python3-xlib), as event streams with deadlines.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from './cli.js';
import { privateDisplayArgv } from '../../src/demo/private-display.js';

const PYTHON = '/usr/bin/python3';
const PROBE = path.join(ROOT, 'test', 'helpers', 'x11-probe.py');
const HOSTILE_SERVER = path.join(ROOT, 'test', 'adversarial', 'hostile-xpra-server.py');
const CLIPBOARD_OWNER = path.join(ROOT, 'test', 'helpers', 'clipboard-owner.py');

/** A window as another X client sees it (x11-probe.py's `describe`). */
export interface SeenWindow {
  id: number;
  /** Destroyed before the watcher could look at it: only `override_redirect` is known. */
  gone?: boolean;
  name: string | null;
  class: string[] | null;
  override_redirect: boolean;
  mapped: boolean;
  geometry: [number, number, number, number];
  state: string[];
}

type JsonEvent = Record<string, unknown>;

/** A child printing JSON lines: every event kept, and waits that end with a deadline or the child. */
export class JsonLines {
  readonly events: JsonEvent[] = [];
  readonly ended: Promise<void>;
  private waiters: Array<() => void> = [];

  constructor(
    readonly child: ChildProcess,
    what: string,
  ) {
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        try {
          this.events.push(JSON.parse(line) as JsonEvent);
        } catch {
          throw new Error(`${what} printed something that is not JSON: ${line.slice(0, 200)}`);
        }
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.ended = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.ended.then(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** The first event that matches, within the deadline; fails at once if `gone` settles first. */
  async waitFor<T>(pick: (event: JsonEvent) => T | undefined, what: string, deadlineMs: number, gone?: Promise<unknown>): Promise<T> {
    const deadline = Date.now() + deadlineMs;
    let goneNow = false;
    void gone?.then(() => {
      goneNow = true;
      for (const wake of this.waiters.splice(0)) wake();
    });
    for (let seen = 0; ;) {
      for (; seen < this.events.length; seen++) {
        const found = pick(this.events[seen] ?? {});
        if (found !== undefined) return found;
      }
      if (goneNow) throw new Error(`${what}: the process that would make it happen ended first`);
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`${what}: the watcher ended first`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: not within ${deadlineMs / 1000} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    this.child.stdin?.end();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      await this.ended;
      clearTimeout(timer);
    }
  }
}

/** Every top-level window that maps on the display, and every later rename of one. */
export class DisplayWatch extends JsonLines {
  static async start(display: string, env: NodeJS.ProcessEnv = {}): Promise<DisplayWatch> {
    const watch = new DisplayWatch(spawn(PYTHON, [PROBE, 'watch'], { env: { ...process.env, ...env, DISPLAY: display }, stdio: ['pipe', 'pipe', 'inherit'] }), 'x11-probe watch');
    await watch.waitFor((e) => (e.watching === true ? true : undefined), 'the display watcher', 10_000);
    return watch;
  }

  /** Every window that mapped and could be looked at. */
  get mapped(): SeenWindow[] {
    return this.events.flatMap((e) => (e.map !== undefined && (e.map as SeenWindow).gone !== true ? [e.map as SeenWindow] : []));
  }

  /** Windows that mapped and were destroyed before the watcher could look at them. */
  get vanished(): SeenWindow[] {
    return this.events.flatMap((e) => (e.map !== undefined && (e.map as SeenWindow).gone === true ? [e.map as SeenWindow] : []));
  }

  /** A window mapped, or renamed, with a name that matches. */
  windowNamed(pattern: RegExp, deadlineMs: number, gone?: Promise<unknown>): Promise<number> {
    return this.waitFor(
      (e) => {
        const seen = (e.map ?? e.renamed) as { id: number; name?: string | null } | undefined;
        return seen !== undefined && pattern.test(seen.name ?? '') ? seen.id : undefined;
      },
      `a window named ${pattern}`,
      deadlineMs,
      gone,
    );
  }
}

/** Hostile Xpra server on a unix socket: `hello` is the client's hello as it saw it. */
export class HostileXpraServer extends JsonLines {
  static async start(socket: string, scenario: 'hostile' | 'benign' | 'clipboard', size: [number, number]): Promise<HostileXpraServer> {
    const server = new HostileXpraServer(
      spawn(PYTHON, [HOSTILE_SERVER, socket, scenario, String(size[0]), String(size[1])], { stdio: ['pipe', 'pipe', 'ignore'], detached: true }),
      'the hostile server',
    );
    await server.waitFor((e) => (e.listening !== undefined ? true : undefined), 'the hostile server listening', 10_000);
    return server;
  }

  hello(deadlineMs: number, gone?: Promise<unknown>): Promise<Record<string, unknown>> {
    return this.waitFor((e) => e.hello as Record<string, unknown> | undefined, "the client's hello", deadlineMs, gone);
  }

  override async stop(): Promise<void> {
    try {
      process.kill(-(this.child.pid ?? 0), 'SIGKILL');
    } catch {
      // already gone
    }
    await this.ended;
  }
}

/** What an ordinary application gets when it asks for the keyboard and the pointer (0: GrabSuccess). */
export async function grabFromAnotherClient(display: string): Promise<{ keyboard: number; pointer: number }> {
  const result = await execa(PYTHON, [PROBE, 'grab'], { env: { DISPLAY: display }, timeout: 10_000 });
  return JSON.parse(result.stdout) as { keyboard: number; pointer: number };
}

/** Another X client's window (python3-xlib), until stopped; `id` is its X id. */
export async function startVictim(display: string, env: NodeJS.ProcessEnv = {}): Promise<{ id: number; stop(): Promise<void> }> {
  const victim = new JsonLines(spawn(PYTHON, [PROBE, 'victim'], { env: { ...process.env, ...env, DISPLAY: display }, stdio: ['pipe', 'pipe', 'inherit'] }), 'x11-probe victim');
  const id = await victim.waitFor((e) => (typeof e.victim === 'number' ? e.victim : undefined), 'the victim window', 10_000);
  return { id, stop: () => victim.stop() };
}

/** What a client holding `xauthority`'s cookie may do to window `id` (x11-probe.py attack). */
export async function attackFrom(display: string, xauthority: string, id: number): Promise<Record<string, unknown>> {
  const result = await execa(PYTHON, [PROBE, 'attack', String(id)], { env: { DISPLAY: display, XAUTHORITY: xauthority }, extendEnv: false, timeout: 20_000 });
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** The user's Ctrl+V in a window (focused first), through XTEST. */
export async function pasteInto(display: string, id: number): Promise<void> {
  await execa(PYTHON, [PROBE, 'paste', String(id)], { env: { DISPLAY: display }, timeout: 10_000 });
}

/** Owns the host's CLIPBOARD and PRIMARY with these texts (GTK) until stopped. */
export async function ownClipboard(display: string, clipboard: string, primary: string): Promise<JsonLines> {
  const owner = new JsonLines(spawn(PYTHON, [CLIPBOARD_OWNER, clipboard, primary], { env: { ...process.env, DISPLAY: display }, stdio: ['pipe', 'pipe', 'inherit'] }), 'clipboard-owner');
  await owner.waitFor((e) => (e.owning === true ? true : undefined), 'the clipboard owner', 10_000);
  return owner;
}

export async function inspectWindows(display: string, ids: number[]): Promise<SeenWindow[]> {
  const result = await execa(PYTHON, [PROBE, 'inspect', ...ids.map(String)], { env: { DISPLAY: display }, timeout: 10_000 });
  return JSON.parse(result.stdout) as SeenWindow[];
}

/** The Python process below `root` (bwrap, setpriv) that runs the given script. */
export function descendantRunning(root: number, script: string): number | undefined {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() ?? 0;
    try {
      const [program = '', first = ''] = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      if (program.endsWith('python3') && first.endsWith(script)) return pid;
    } catch {
      // gone meanwhile
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return undefined;
}

/** An Xvfb with the given listening options; its display number is the one it picked. */
export async function startXvfbListening(args: string[]): Promise<{ number: number; stop(): Promise<void> }> {
  const [command = 'Xvfb', ...argv] = privateDisplayArgv(args);
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], detached: true });
  const number = await new Promise<number>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start within 10 s')), 10_000);
    child.once('exit', () => reject(new Error(`Xvfb ${args.join(' ')} exited`)));
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(Number(text.trim()));
      }
    });
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    number,
    stop: async () => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGTERM');
      } catch {
        return; // already gone
      }
      await exited;
    },
  };
}
