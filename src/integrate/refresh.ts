// Tells the desktop about installed or removed files: GLib needs the applications dir's mimeinfo.cache,
// systemd re-reads user units on daemon-reload, and a running dbus-daemon re-reads its service dirs on
// ReloadConfig (asked by the caller's bus client). The tools can be swapped by environment (tests point
// them at /bin/true); only the cache is required, the others help a running session and are skipped
// quietly where they cannot run.
import type { Env } from '../util/xdg.js';
import { runTool } from '../util/run.js';

const TOOL_TIMEOUT_MS = 15_000;

export interface RefreshReport {
  /** Problems worth a warning line, each with its fix. */
  warnings: string[];
}

function tool(env: Env, variable: string, fallback: string): string {
  const value = env[variable];
  return value !== undefined && value !== '' ? value : fallback;
}

/** Makes a running dbus-daemon re-read its service dirs (the caller's bus client does it). */
export type ReloadBus = () => Promise<void>;

export async function refreshDesktop(applicationsDir: string, env: Env, reloadBus?: ReloadBus): Promise<RefreshReport> {
  const warnings: string[] = [];
  const childEnv = Object.fromEntries(Object.entries(env).filter((pair): pair is [string, string] => pair[1] !== undefined));
  const updater = tool(env, 'NOFEAR_UPDATE_DESKTOP_DATABASE', 'update-desktop-database');
  const cache = await runTool(updater, [applicationsDir], { timeoutMs: TOOL_TIMEOUT_MS, env: childEnv });
  if (cache.failed) {
    const detail = cache.exitCode === undefined ? `${updater} could not run` : cache.stderr.trim() || `${updater} exited with ${cache.exitCode}`;
    warnings.push(
      `could not refresh ${applicationsDir}/mimeinfo.cache (${detail}): GLib file managers ignore NoFear's MimeType= without it. Fix: install desktop-file-utils, then run update-desktop-database ${applicationsDir}`,
    );
  }
  const systemctl = tool(env, 'NOFEAR_SYSTEMCTL', 'systemctl');
  await runTool(systemctl, ['--user', 'daemon-reload'], { timeoutMs: TOOL_TIMEOUT_MS, env: childEnv });
  // Best effort: without a running bus there is nothing to reload; the next session reads the dirs anyway.
  await reloadBus?.().catch(() => undefined);
  return { warnings };
}
