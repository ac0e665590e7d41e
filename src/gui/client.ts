// Runs and supervises the host's Xpra client for one sandbox: started beside QEMU (it waits for the
// guest's server), in its jail (client-launch.ts), killed with its group, never left behind.
import { displayOf } from './display-check.js';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { unavailable } from '../errors.js';
import { exitOf, stopGroup } from '../util/child.js';
import { findExecutable } from '../util/which.js';
import type { ClientOptions } from './client-argv.js';
import { planClientLaunch, REPORT_FD, soundFd, type ClientLaunch } from './client-launch.js';
import { soundReadiness, Speaker } from './speaker.js';

/** A guest window as the host display knows it. */
export interface HostWindow {
  /** The X window id on the host display, as xdotool prints it (decimal). */
  xid: number;
}

export interface ClientEvents {
  /** The client says it attached to the guest's server. */
  attached: Promise<void>;
  /** The guest program's first window is mapped on the host display. */
  firstWindow: Promise<HostWindow>;
  /** The client process ended (closed by the user, killed, or the VM went away). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function xpraBinary(env: NodeJS.ProcessEnv): string {
  const xpra = findExecutable(env.NOFEAR_XPRA ?? 'xpra', env);
  if (xpra === undefined) throw unavailable('Xpra is not installed: windows cannot come back from the VM.', 'sudo apt-get install xpra');
  return xpra;
}

/** One line of the wrapper's report (src/gui/xpra-client.py), validated: the client parses guest data. */
export type ClientReport = { kind: 'attached' | 'no-display' } | { kind: 'window' | 'unmapped'; xid: number } | { kind: 'invalid' };

export function parseClientReport(untrustedLine: string): ClientReport {
  if (untrustedLine === 'attached' || untrustedLine === 'no-display') return { kind: untrustedLine };
  const match = /^(window|unmapped) 0x([0-9a-f]{1,8})$/.exec(untrustedLine);
  if (match === null) return { kind: 'invalid' };
  return { kind: match[1] as 'window' | 'unmapped', xid: Number.parseInt(match[2] ?? '0', 16) };
}

const MAX_REPORT_LINE = 64;

export interface ClientNotices {
  /** One line a person should see: the client runs without its jail. */
  warn?: (line: string) => void;
  /** --verbose: how the client runs. */
  log?: (line: string) => void;
}

export class XpraClient implements ClientEvents {
  readonly attached: Promise<void>;
  readonly firstWindow: Promise<HostWindow>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The launch as planned (jailed or not), once the client process has been spawned. */
  readonly launched: Promise<ClientLaunch | undefined>;
  private child: ChildProcess | undefined;
  private relay: ClientLaunch['relay'];
  private cookieHolder: ClientLaunch['cookieHolder'];
  private speaker: Speaker | undefined;
  private done = false;
  /** The client said it cannot open the host display (DISPLAY or XAUTHORITY is wrong). */
  displayRefused = false;

  constructor(options: Omit<ClientOptions, 'xpra'>, env: NodeJS.ProcessEnv, notices: ClientNotices = {}) {
    xpraBinary(env); // installed? (the wrapper imports its modules)
    const display = displayOf(env); // the display the client draws on: X11, or XWayland under Wayland
    const sound = options.sound ? soundReadiness(env) : undefined;
    if (sound !== undefined && !sound.ok) notices.warn?.(`no sound: ${sound.why}; fix: ${sound.fix}`);
    let attachedResolve: () => void = () => {};
    this.attached = new Promise((resolve) => {
      attachedResolve = resolve;
    });
    let windowResolve: (window: HostWindow) => void = () => {};
    this.firstWindow = new Promise((resolve) => {
      windowResolve = resolve;
    });
    let exitedResolve: (how: { code: number | null; signal: NodeJS.Signals | null }) => void = () => {};
    this.exited = new Promise((resolve) => {
      exitedResolve = (how) => {
        this.done = true;
        this.relay?.stop();
        this.cookieHolder?.stop();
        void this.speaker?.stop();
        resolve(how);
      };
    });
    const onReport = (report: ClientReport) => {
      if (report.kind === 'attached') attachedResolve();
      else if (report.kind === 'no-display') this.displayRefused = true;
      else if (report.kind === 'window') windowResolve({ xid: report.xid });
    };
    this.launched = planClientLaunch({ ...options, sound: sound?.ok === true, display }, env).then(
      (plan) => {
        (plan.jailed ? notices.log : notices.warn)?.(plan.note);
        if (env.NOFEAR_CLIENT_POLICY === 'off') notices.warn?.('the Xpra client obeys the guest (NOFEAR_CLIENT_POLICY=off): grabs, full screen, its dialogs');
        this.relay = plan.relay;
        this.cookieHolder = plan.cookieHolder;
        if (sound?.ok === true) this.speaker = new Speaker(sound.pacat, options.profile, env);
        this.child = spawnClient(plan, onReport, exitedResolve, this.speaker);
        return plan;
      },
      (error: unknown) => {
        notices.warn?.(`the Xpra client could not start: ${error instanceof Error ? error.message : String(error)}`);
        exitedResolve({ code: 127, signal: null });
        return undefined;
      },
    );
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async stop(graceMs = 2000): Promise<void> {
    await this.launched;
    if (this.done) return;
    await stopGroup(this.child?.pid, this.exited, graceMs);
  }
}

/** Spawns the planned client in its own process group, with the report pipe on descriptor 3 and
 * what bwrap reads on 4 and up; nothing else is inherited (the wrapper closes any other). */
function spawnClient(plan: ClientLaunch, onReport: (report: ClientReport) => void, onExit: (how: { code: number | null; signal: NodeJS.Signals | null }) => void, speaker?: Speaker): ChildProcess {
  const [file = '', ...args] = plan.argv;
  const pcm = speaker === undefined ? [] : ['pipe' as const];
  const child = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe', ...plan.fdData.map(() => 'pipe' as const), ...pcm], env: plan.env });
  const pcmStream = child.stdio[soundFd(plan.fdData.length)];
  if (speaker !== undefined && pcmStream) speaker.play(pcmStream as Readable);
  plan.fdData.forEach((data, index) => {
    const stream = child.stdio[REPORT_FD + 1 + index] as Writable | null;
    stream?.on('error', () => {}); // bwrap failed before reading it: the exit says so
    stream?.end(data);
  });
  const log = (chunk: Buffer) => {
    if (process.env.NOFEAR_CLIENT_LOG === '1') process.stderr.write(chunk);
  };
  child.stdout?.on('data', log);
  child.stderr?.on('data', log);
  let pending = '';
  child.stdio[REPORT_FD]?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString('latin1')).split('\n');
    pending = (lines.pop() ?? '').slice(0, MAX_REPORT_LINE);
    for (const line of lines) onReport(parseClientReport(line));
  });
  child.stdio[REPORT_FD]?.on('error', () => {}); // the client died: `exited` says so
  void exitOf(child).then(onExit);
  return child;
}
