// The host's two thumbnailing services, real, each asked the way a file manager asks it, with every program
// its process tree executes (and, for tumblerd, every file it opens) recorded by strace -f: it follows each
// fork and thread, so a short-lived thumbnailer cannot slip past it (inside the factory's bwrap too: the
// tracer is outside every namespace). GNOME's thumbnail factory (gnome-desktop 43 through
// gir1.2-gnomedesktop-3.0, as Nautilus uses it) and tumbler's tumblerd (Xfce's D-Bus thumbnailer, as Thunar
// asks it) on the test's private bus.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { exitOf, stopGroup } from '../../src/util/child.js';

const FACTORY = fileURLToPath(new URL('./thumbnail-factory.py', import.meta.url));
const TUMBLER_ASK = fileURLToPath(new URL('./tumbler-thumbnail.py', import.meta.url));
export const TUMBLERD = '/usr/lib/x86_64-linux-gnu/tumbler-1/tumblerd';
/** The guard's placeholder: light grey inside a darker frame (src/integrate/thumbnail-guard.py). */
export const PLACEHOLDER_COLOURS = ['9a9a9a', 'dcdcdc'];
/** Host programs that parse PDFs or images to thumbnail them. */
export const HOST_PARSERS = /(^|\/)(evince-thumbnailer|gdk-pixbuf-thumbnailer|totem-video-thumbnailer|ffmpegthumbnailer|pdftoppm|mutool|convert)$/;

export interface Thumbnail {
  mime: string;
  width?: number;
  height?: number;
  colours?: string[];
  error?: string;
}

export interface Trace {
  /** Every program executed (a successful execve), in order. */
  programs: string[];
  /** Every path opened (a successful open or openat), with the pid or thread that opened it. */
  opened: Array<{ pid: number; path: string }>;
}

/** strace -f's log: `PID execve("/path", [...], ...) = 0`, `PID openat(AT_FDCWD, "/path", O_RDONLY...) = 3`. */
export function readTrace(log: string): Trace {
  const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n') : [];
  const programs: string[] = [];
  const opened: Trace['opened'] = [];
  for (const line of lines) {
    const exec = /^(\d+) +execve\("([^"]+)".* = 0$/.exec(line);
    if (exec?.[2] !== undefined) programs.push(exec[2]);
    const open = /^(\d+) +open(?:at)?\((?:[A-Z_]+|\d+), "([^"]+)".* = \d+/.exec(line);
    if (open?.[2] !== undefined) opened.push({ pid: Number(open[1]), path: open[2] });
  }
  return { programs, opened };
}

/**
 * The factory's thumbnail of `file` (saved into the thumbnail cache as Nautilus does, with `save`), and the
 * programs its process tree executed.
 */
export async function factoryThumbnail(file: string, env: Record<string, string>, logDir: string, options: { save?: boolean } = {}): Promise<{ thumb: Thumbnail; trace: Trace }> {
  const log = path.join(logDir, `${path.basename(file)}.factory.strace`);
  const args = ['-f', '-qq', '-e', 'trace=execve', '-e', 'signal=none', '-o', log, '/usr/bin/python3', FACTORY, file, ...(options.save === true ? ['--save'] : [])];
  const traced = await execa('strace', args, { env, extendEnv: false, timeout: 60_000 });
  return { thumb: JSON.parse(traced.stdout) as Thumbnail, trace: readTrace(log) };
}

export interface TumblerReply {
  finished: boolean;
  files: Record<string, Thumbnail & { said: string | null; uri?: string }>;
}

export interface Tumbler {
  /** Queues the files' normal thumbnails (as Thunar does) and waits for tumbler's Finished, or the deadline. */
  thumbnail(files: string[], deadlineS?: number): Promise<TumblerReply>;
  /** What tumblerd and its children did so far. */
  trace(): Trace;
  stop(): Promise<void>;
}

/** tumblerd on the bus in `env` (DBUS_SESSION_BUS_ADDRESS), traced for execs and opens into `logDir`. */
export function startTumbler(env: Record<string, string>, logDir: string): Tumbler {
  const log = path.join(logDir, 'tumblerd.strace');
  const child = spawn('strace', ['-f', '-qq', '-e', 'trace=execve,open,openat', '-e', 'signal=none', '-o', log, TUMBLERD], {
    env,
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const exited = exitOf(child);
  return {
    async thumbnail(files, deadlineS = 60) {
      const asked = await execa('/usr/bin/python3', [TUMBLER_ASK, String(deadlineS), ...files], { env, extendEnv: false, timeout: (deadlineS + 15) * 1000 });
      return JSON.parse(asked.stdout) as TumblerReply;
    },
    trace: () => readTrace(log),
    stop: () => stopGroup(child.pid, exited, 3000).then(() => undefined),
  };
}
