// One-shot helper commands (apt-get, dpkg, xz, probes): a deadline, the whole group killed on timeout.
import { execa, type Options } from 'execa';

export interface RunResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  failed: boolean;
}

export async function runTool(
  file: string,
  args: readonly string[],
  options: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv; stdoutFile?: string; input?: string; signal?: AbortSignal },
): Promise<RunResult> {
  const execaOptions: Options = {
    timeout: options.timeoutMs,
    reject: false,
    // detached + killing the group: execa's timeout alone kills only the direct child.
    detached: true,
    cleanup: true,
    forceKillAfterDelay: 1000,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env, extendEnv: false }),
    // Written to the file only: execa would also keep a copy in memory (a decompressed kernel, hundreds of MB).
    ...(options.stdoutFile === undefined ? {} : { stdout: { file: options.stdoutFile }, buffer: { stdout: false } }),
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  };
  const child = execa(file, [...args], execaOptions);
  const groupKiller = setTimeout(() => killGroup(child.pid), options.timeoutMs + 500);
  // Stopped (a signal, a Stop button): the whole group goes at once, not at the deadline.
  const stop = () => killGroup(child.pid);
  if (options.signal?.aborted === true) stop();
  options.signal?.addEventListener('abort', stop);
  try {
    const result = await child;
    return {
      exitCode: result.exitCode,
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      stderr: typeof result.stderr === 'string' ? result.stderr : '',
      timedOut: result.timedOut,
      failed: result.failed,
    };
  } finally {
    clearTimeout(groupKiller);
    options.signal?.removeEventListener('abort', stop);
  }
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
