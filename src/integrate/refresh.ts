// Tells the desktop about installed or removed files: GLib needs the applications dir's mimeinfo.cache,
// systemd re-reads user units on daemon-reload, and a running dbus-daemon re-reads its service dirs on
// ReloadConfig. Each tool can be swapped by environment (tests point them at /bin/true); only the cache is
// required, the other two help a running session and are skipped quietly where they cannot run.
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

export async function refreshDesktop(applicationsDir: string, env: Env): Promise<RefreshReport> {
  const warnings: string[] = [];
  const childEnv = Object.fromEntries(Object.entries(env).filter((pair): pair is [string, string] => pair[1] !== undefined));
  const updater = tool(env, 'NOFEAR_UPDATE_DESKTOP_DATABASE', 'update-desktop-database');
  const cache = await runTool(updater, [applicationsDir], { timeoutMs: TOOL_TIMEOUT_MS, env: childEnv });
  if (cache.failed) {
    const detail = cache.exitCode === undefined ? `${updater} could not run` : cache.stderr.trim() || `${updater} exited with ${cache.exitCode}`;
    warnings.push(`could not refresh ${applicationsDir}/mimeinfo.cache (${detail}): GLib file managers ignore NoFear's MimeType= without it. Fix: install desktop-file-utils, then run update-desktop-database ${applicationsDir}`);
  }
  const systemctl = tool(env, 'NOFEAR_SYSTEMCTL', 'systemctl');
  await runTool(systemctl, ['--user', 'daemon-reload'], { timeoutMs: TOOL_TIMEOUT_MS, env: childEnv });
  if (env.DBUS_SESSION_BUS_ADDRESS !== undefined && env.DBUS_SESSION_BUS_ADDRESS !== '') {
    const dbusSend = tool(env, 'NOFEAR_DBUS_SEND', 'dbus-send');
    const args = ['--session', '--type=method_call', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.ReloadConfig'];
    await runTool(dbusSend, args, { timeoutMs: TOOL_TIMEOUT_MS, env: childEnv });
  }
  return { warnings };
}
