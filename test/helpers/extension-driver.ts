// Runs a file manager's extension driver (test/fixtures/*-extension-driver.py) under the system Python,
// where the real nautilus-python and caja-python bindings are, and returns the JSON object it prints.
import assert from 'node:assert/strict';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from './cli.js';

/** The distribution's Python: the file managers' Python bindings are installed for it only. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export async function runExtensionDriver<T>(fileManager: 'nautilus' | 'caja', args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<T> {
  const script = path.join(ROOT, 'test', 'fixtures', `${fileManager}-extension-driver.py`);
  const driver = await execa(SYSTEM_PYTHON, [script, ...args], { env, extendEnv: false, timeout: timeoutMs, reject: false });
  assert.equal(driver.exitCode, 0, driver.stderr);
  return JSON.parse(driver.stdout) as T;
}
