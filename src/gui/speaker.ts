// The host end of the guest's sound: a playback-only player (pacat) that reads raw PCM, in the one
// format NoFear fixes, from the jailed Xpra client's sound pipe. The client checks the guest's stream
// inside its jail (src/gui/nofear_xpra/speaker.py); here bytes are only copied, never parsed. The
// client never gets the sound server's socket or cookie: only this player, with a fixed command line
// and no way to record, talks to the sound server. Supervised like every child: killed with its group.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { exitOf, stopGroup, type ChildExit } from '../util/child.js';
import { findExecutable } from '../util/which.js';

/** What the jailed client writes (nofear_xpra/speaker.py says the same). */
export const PCM_FORMAT = { format: 's16le', rate: 44100, channels: 2 } as const;

/** pacat's command line: playback only, raw PCM from stdin, in NoFear's format. Pure. */
export function playerArgv(pacat: string, profile: string): string[] {
  const name = profile.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40);
  return [pacat, '--playback', '--raw', `--format=${PCM_FORMAT.format}`, `--rate=${PCM_FORMAT.rate}`, `--channels=${PCM_FORMAT.channels}`, '--client-name=NoFear', `--stream-name=NoFear ${name}`];
}

/** Where a PulseAudio-compatible server (PulseAudio, or PipeWire's pipewire-pulse) listens for this user. */
export function soundServerSocket(env: NodeJS.ProcessEnv): string | undefined {
  const server = env.PULSE_SERVER;
  if (server !== undefined && server.startsWith('unix:')) return server.slice('unix:'.length);
  if (server !== undefined && server !== '') return server;
  return env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'pulse', 'native') : undefined;
}

/** Whether sound can play here, and if not, why and what fixes it: a server socket and pacat. */
export function soundReadiness(env: NodeJS.ProcessEnv): { ok: true; pacat: string } | { ok: false; why: string; fix: string } {
  const pacat = findExecutable('pacat', env);
  if (pacat === undefined) return { ok: false, why: 'pacat is not installed', fix: 'sudo apt-get install pulseaudio-utils' };
  const socket = soundServerSocket(env);
  if (socket === undefined || (socket.startsWith('/') && !existsSync(socket))) {
    return {
      ok: false,
      why: `no sound server is listening${socket === undefined ? '' : ` at ${socket}`}`,
      fix: 'start PulseAudio or PipeWire (systemctl --user start pipewire-pulse, or pulseaudio --start)',
    };
  }
  return { ok: true, pacat };
}

export class Speaker {
  readonly exited: Promise<ChildExit>;
  private readonly child: ChildProcess;

  constructor(pacat: string, profile: string, env: NodeJS.ProcessEnv) {
    const [file = '', ...args] = playerArgv(pacat, profile);
    this.child = spawn(file, args, { detached: true, stdio: ['pipe', 'ignore', process.env.NOFEAR_CLIENT_LOG === '1' ? 'inherit' : 'ignore'], env });
    this.child.stdin?.on('error', () => {}); // the player died: `exited` says so, the client's writes are dropped
    this.exited = exitOf(this.child);
  }

  /** Copies the client's PCM to the player, byte for byte; the player ends when the client's end closes. */
  play(pcm: Readable): void {
    pcm.on('error', () => {});
    if (this.child.stdin) pcm.pipe(this.child.stdin);
  }

  async stop(graceMs = 1000): Promise<void> {
    await stopGroup(this.child.pid, this.exited, graceMs);
  }
}
