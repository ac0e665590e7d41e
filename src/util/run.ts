// One-shot helper commands (apt-get, dpkg, xz, probes): a deadline, the whole group killed on timeout.
// On node:child_process itself, not execa: execa's 120 modules were the largest part of every `nofear`
// start's imports (0.1-0.4 s of `nofear -t true`, by NOFEAR_PHASES=1).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface RunResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  failed: boolean;
}

export interface RunOptions {
  timeoutMs: number;
  cwd?: string;
  /** The child's whole environment (nothing of NoFear's own is added); NoFear's when absent. */
  env?: NodeJS.ProcessEnv;
  /** Written to this file only, never also kept in memory (a decompressed kernel is hundreds of MB). */
  stdoutFile?: string;
  input?: string;
  /** Stopped (a signal, a Stop button): the whole group goes at once, not at the deadline. */
  signal?: AbortSignal;
}

/** A grace between the deadline's SIGTERM and the SIGKILL of the group (what the child had left to say). */
const FORCE_KILL_AFTER_MS = 500;
/** Groups still running: ended with this process (a probe must not outlive the command that asked). */
const running = new Set<number>();
let exitHooked = false;

function endWithThisProcess(pid: number): void {
  running.add(pid);
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const group of running) killGroup(group, 'SIGTERM');
  });
}

/** Output as execa gave it: one final newline taken off. */
const text = (chunks: Buffer[]) =>
  Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');

export function runTool(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    const stdoutFd = options.stdoutFile === undefined ? undefined : openSync(options.stdoutFile, 'w', 0o600);
    let child: ChildProcess;
    try {
      // detached: the child leads its own group, so the deadline ends its grandchildren too.
      child = spawn(file, [...args], {
        detached: true,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', stdoutFd ?? 'pipe', 'pipe'],
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        env: options.env ?? process.env,
      });
    } catch {
      resolve({ exitCode: undefined, stdout: '', stderr: '', timedOut: false, failed: true });
      return;
    } finally {
      if (stdoutFd !== undefined) closeSync(stdoutFd); // the child holds its own copy
    }
    settle(child, options, resolve);
  });
}

function settle(child: ChildProcess, options: RunOptions, resolve: (result: RunResult) => void): void {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  child.stdin?.on('error', () => {}); // a child that exits without reading its input: not an error of ours
  child.stdin?.end(options.input);
  const pid = child.pid;
  if (pid !== undefined) endWithThisProcess(pid);
  let timedOut = false;
  let forceKill: NodeJS.Timeout | undefined;
  const deadline = setTimeout(() => {
    timedOut = true;
    killGroup(pid, 'SIGTERM');
    forceKill ??= setTimeout(() => killGroup(pid), FORCE_KILL_AFTER_MS);
  }, options.timeoutMs);
  const stop = () => {
    killGroup(pid, 'SIGTERM');
    forceKill ??= setTimeout(() => killGroup(pid), FORCE_KILL_AFTER_MS);
  };
  if (options.signal?.aborted === true) stop();
  options.signal?.addEventListener('abort', stop);
  let done = false;
  const finish = (exitCode: number | undefined, spawnFailed: boolean) => {
    if (done) return;
    done = true;
    clearTimeout(deadline);
    clearTimeout(forceKill);
    options.signal?.removeEventListener('abort', stop);
    if (pid !== undefined) running.delete(pid);
    resolve({ exitCode, stdout: text(out), stderr: text(err), timedOut, failed: spawnFailed || timedOut || exitCode !== 0 });
  };
  child.once('error', () => finish(undefined, true)); // not found, not executable
  // 'close': exited and its output read to the end (a grandchild holding the pipe is ended by the deadline).
  child.once('close', (code) => finish(code ?? undefined, false));
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
