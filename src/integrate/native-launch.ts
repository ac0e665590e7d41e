// Starts the user's own application on the host, natively, the way the desktop would: its desktop entry's Exec
// expanded for the file (no shell). It is the user's program, not NoFear's: it runs outside NoFear's process
// group and cgroup (a transient `systemd-run --user --scope` where a user manager runs, else a new session),
// so the service's idle exit or restart never takes the user's windows with it. DESIGN's "every child is
// supervised" covers NoFear's own processes; this one is handed over once it has started.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { invalidArgument, unavailable } from '../errors.js';
import { expandExec } from '../desktop/exec-line.js';
import { findExecutable } from '../util/which.js';
import { xdgRuntimeDir } from '../util/xdg.js';
import type { NativeApp } from './previous-default.js';

/** Pure: one argv per launch of `app` for these files (absolute paths). */
export function nativeArgvs(app: NativeApp, files: readonly string[]): string[][] {
  if (app.entry.terminal)
    throw invalidArgument(
      `${app.id} runs in a terminal; NoFear starts only graphical applications natively.`,
      `set another default for the type in your desktop's settings, or open the file with: nofear-open --no-service FILE`,
    );
  const argvs = expandExec(app.entry.exec ?? '', { files, name: app.entry.name, icon: app.entry.icon, location: app.entry.path });
  if (argvs.length === 0 || argvs.some((argv) => argv.length === 0))
    throw invalidArgument(`The Exec line of ${app.id} gives no command.`, `fix ${app.entry.path} (desktop-file-validate shows the rules)`);
  return argvs;
}

/** Pure: how one argv is started: inside a transient user scope when a user manager runs, else as given. */
export function scopedArgv(argv: readonly string[], systemdRun: string | undefined, appId: string): string[] {
  if (systemdRun === undefined) return [...argv];
  const unit = `app-nofear-native-${appId.replace(/\.desktop$/, '').replace(/[^A-Za-z0-9_.-]/g, '_')}-${process.pid}-${Date.now()}.scope`;
  return [systemdRun, '--user', '--scope', '--collect', '--quiet', `--unit=${unit}`, '--', ...argv];
}

/** systemd-run, when this session has a user manager to talk to (its private socket exists). */
export function userManagerRun(env: NodeJS.ProcessEnv): string | undefined {
  const runtime = xdgRuntimeDir(env);
  if (runtime === undefined || !existsSync(path.join(runtime, 'systemd', 'private'))) return undefined;
  return findExecutable('systemd-run', env);
}

/** Starts one detached process and resolves with its pid once it has started (or rejects if it could not). */
function startDetached(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('empty argv'));
  return new Promise((resolve, reject) => {
    // detached: a new session and process group; stdio ignored: it holds nothing of NoFear's.
    const child = spawn(file, args, { detached: true, stdio: 'ignore', env, cwd: env.HOME ?? '/' });
    child.once('error', (error) => reject(unavailable(`Cannot start ${file}: ${error.message}.`, `check that ${file} is installed, or open the file with: nofear-open --no-service FILE`)));
    child.once('spawn', () => {
      child.unref();
      resolve(child.pid ?? -1);
    });
  });
}

/** Opens `files` in `app` on the host; returns the pids started (of systemd-run, which becomes the app). */
export async function launchNative(app: NativeApp, files: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number[]> {
  const systemdRun = userManagerRun(env);
  const pids: number[] = [];
  for (const argv of nativeArgvs(app, files)) pids.push(await startDetached(scopedArgv(argv, systemdRun, app.id), env));
  return pids;
}

/** Starts an argv already expanded from `appId`'s Exec line (a trusted link's plan) the same way. */
export function launchNativeArgv(argv: readonly string[], appId: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return startDetached(scopedArgv(argv, userManagerRun(env), appId), env);
}
