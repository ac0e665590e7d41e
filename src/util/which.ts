// Finds a program on PATH (or takes an override from the environment), as a shell would.
import { accessSync, constants as fsc, statSync } from 'node:fs';
import path from 'node:path';

export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  for (const dir of (env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsc.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** QEMU's path: NOFEAR_QEMU, else qemu-system-x86_64 on PATH. */
export function qemuBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env.NOFEAR_QEMU;
  if (override !== undefined && override !== '') return findExecutable(override, env);
  return findExecutable('qemu-system-x86_64', env);
}
