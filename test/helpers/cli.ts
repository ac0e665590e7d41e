// Runs NoFear's compiled commands (what users run) with an isolated runtime and data dir.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const bin = (name: 'nofear' | 'nofear-open' | 'nofearctl') => path.join(ROOT, 'dist', 'cli', `${name}.js`);

export interface TestEnv {
  env: Record<string, string>;
  runtimeBase: string;
  dataHome: string;
  cleanup(): void;
}

/** A private XDG_RUNTIME_DIR and XDG_DATA_HOME; the kernel cache stays shared (downloaded once). */
export function makeTestEnv(): TestEnv {
  const top = mkdtempSync(path.join(tmpdir(), 'nofear-it-'));
  const runtime = path.join(top, 'run');
  const data = path.join(top, 'data');
  const env: Record<string, string> = {
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: data,
    NOFEAR_ACCEL: process.env.NOFEAR_ACCEL ?? '',
  };
  mkdirSync(runtime, { mode: 0o700 }); // like a real XDG_RUNTIME_DIR
  return {
    env,
    runtimeBase: path.join(runtime, 'nofear'),
    dataHome: data,
    cleanup: () => rmSync(top, { recursive: true, force: true }),
  };
}

export interface CliResult {
  exitCode: number | undefined;
  stdout: Buffer;
  stderr: string;
}

/** CLIs started and not yet ended: a test's clean-up ends the ones it left (see perTestEnv). */
const running = new Set<ReturnType<typeof execa>>();

export function startCli(
  name: 'nofear' | 'nofear-open' | 'nofearctl',
  args: string[],
  t: TestEnv,
  options: { input?: Buffer; env?: Record<string, string>; stdinPipe?: boolean; timeoutMs?: number } = {},
) {
  const child = execa(process.execPath, [bin(name), ...args], {
    env: { ...t.env, ...options.env },
    encoding: 'buffer',
    stripFinalNewline: false,
    reject: false,
    timeout: options.timeoutMs ?? 240_000,
    ...(options.input !== undefined ? { input: options.input } : { stdin: options.stdinPipe ? ('pipe' as const) : ('ignore' as const) }),
  });
  running.add(child);
  void child.finally(() => running.delete(child)).catch(() => undefined);
  return child;
}

/**
 * Ends whatever a test left running: its sandboxes through nofearctl (QEMU lives in its own session,
 * out of reach of a kill of the CLI), then the CLIs it started. Bounded: a test's failure never hangs
 * the suite (issue 28, finding 7).
 */
export async function endWhatRuns(t: TestEnv): Promise<void> {
  if (leftoverSandboxes(t).length > 0) {
    await execa(process.execPath, [bin('nofearctl'), 'stop', '--all'], { env: t.env, reject: false, timeout: 60_000 });
  }
  for (const child of [...running]) {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await child.catch(() => undefined);
    clearTimeout(killer);
  }
}

export async function runCli(name: 'nofear' | 'nofear-open' | 'nofearctl', args: string[], t: TestEnv, options: { input?: Buffer; env?: Record<string, string> } = {}): Promise<CliResult> {
  const result = await startCli(name, args, t, options);
  return { exitCode: result.exitCode, stdout: Buffer.from(result.stdout), stderr: Buffer.from(result.stderr).toString('utf8') };
}

/** Sandbox directories still present in the runtime base (leftovers). */
export function leftoverSandboxes(t: TestEnv): string[] {
  return existsSync(t.runtimeBase) ? readdirSync(t.runtimeBase) : [];
}

/**
 * Registers the per-test set-up the VM suites share: a fresh TestEnv and a scratch dir before each test,
 * and after it (unless `leftovers: 'allowed'`) no sandbox left behind; both removed either way.
 */
export function perTestEnv(prefix: string, use: (t: TestEnv, dir: string) => void, options: { leftovers?: 'checked' | 'allowed' } = {}): void {
  let t: TestEnv | undefined;
  let dir: string | undefined;
  beforeEach(() => {
    t = makeTestEnv();
    dir = mkdtempSync(path.join(tmpdir(), prefix));
    use(t, dir);
  });
  afterEach(async () => {
    const left = t === undefined ? [] : leftoverSandboxes(t);
    try {
      // Stopped before the runtime dir goes: removing it under a live sandbox leaves QEMU running.
      if (t !== undefined) await endWhatRuns(t);
      if (options.leftovers !== 'allowed') assert.deepEqual(left, [], 'a sandbox was left behind');
    } finally {
      t?.cleanup();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    }
  });
}
