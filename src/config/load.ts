// loadConfig: reads $XDG_CONFIG_HOME/nofear/config.ini if present; never throws over the file.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ErrorCode } from '../errors.js';
import { applyEnvOverrides } from './env.js';
import { defaultSources, parseConfig, type ParseOptions } from './parse.js';
import { defaultConfig, type ConfigResult } from './types.js';
import { xdgConfigHome, type Env } from '../util/xdg.js';

export function configPath(env: Env = process.env): string {
  return path.join(xdgConfigHome(env), 'nofear', 'config.ini');
}

function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Defaults, plus one problem saying why the file could not be used. */
function unusable(file: string, code: ErrorCode, message: string): ConfigResult {
  return { config: defaultConfig(), sources: defaultSources(), problems: [{ code, origin: file, message }] };
}

function readConfigFile(file: string, options: ParseOptions): ConfigResult {
  try {
    // Checked first: reading a FIFO or a device would block or never end.
    if (!statSync(file).isFile()) return unusable(file, 'InvalidArgument', 'not a regular file; all settings keep their defaults.');
    return parseConfig(readFileSync(file, 'utf8'), file, options);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return { config: defaultConfig(), sources: defaultSources(), problems: [] };
    const reason = error instanceof Error ? error.message : String(error);
    return code === 'EACCES' || code === 'EPERM'
      ? unusable(file, 'AccessDenied', `cannot be read (${reason}); all settings keep their defaults. Fix: chmod u+r ${file}`)
      : unusable(file, 'Unavailable', `cannot be read (${reason}); all settings keep their defaults.`);
  }
}

/** The effective configuration: defaults, then config.ini, then environment overrides. */
export function loadConfig(env: Env = process.env, options: ParseOptions = {}): ConfigResult {
  return applyEnvOverrides(readConfigFile(configPath(env), options), env);
}
