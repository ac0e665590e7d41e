// The defaults that `nofearctl integrate install` replaced with NoFear, recorded per MIME type: the
// viewer NoFear starts inside the VM comes from these first.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { xdgStateHome } from '../config/xdg.js';

export async function previousDefaults(env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  try {
    const state = JSON.parse(await fsp.readFile(path.join(xdgStateHome(env), 'nofear', 'integration.json'), 'utf8')) as unknown;
    const recorded = (state as { previousDefaults?: unknown }).previousDefaults;
    if (recorded === null || typeof recorded !== 'object') return {};
    return Object.fromEntries(Object.entries(recorded).filter((pair): pair is [string, string] => typeof pair[1] === 'string'));
  } catch {
    return {};
  }
}
