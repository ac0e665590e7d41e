// NoFear's log, $XDG_STATE_HOME/nofear/nofear.log: what went wrong where nobody was watching (a file
// manager's menu, D-Bus activation), one timestamped line per event. Bounded: past LOG_MAX_BYTES the log
// becomes nofear.log.1 (the one before is dropped). Best effort: a log that cannot be written never stops
// the report it belongs to.
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { xdgStateHome, type Env } from './xdg.js';

export const LOG_MAX_BYTES = 256 * 1024;

export function logPath(env: Env = process.env): string {
  return path.join(xdgStateHome(env), 'nofear', 'nofear.log');
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // not there yet
  }
}

/** Appends `lines` (each stamped with the time), rotating first when the log has grown past `maxBytes`. */
export function appendLog(lines: readonly string[], env: Env = process.env, maxBytes = LOG_MAX_BYTES, now = new Date()): void {
  if (lines.length === 0) return;
  try {
    const file = logPath(env);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    if (sizeOf(file) > maxBytes) renameSync(file, `${file}.1`);
    const stamp = now.toISOString();
    appendFileSync(file, lines.map((line) => `${stamp} ${line.replace(/\n/g, '\n    ')}\n`).join(''), { mode: 0o600 });
  } catch {
    // No writable state directory: the terminal and the notification still carry the report.
  }
}
