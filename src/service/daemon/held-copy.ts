// A copy of a file taken before NoFear answers the caller: a mail client writes an attachment to its
// temporary folder, asks the desktop's handler to open it and deletes it right after the call returns
// (Thunderbird: /tmp/mozilla_$USER0/). The service's reply comes before the VM exists (DESIGN, "D-Bus
// timing"), so the open works from this copy, taken from the checked file's own descriptor (stageCopy);
// it goes when the sandbox has ended, or, when the service was killed outright, at the next hold.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { xdgCacheHome } from '../../util/xdg.js';
import type { OpenPlan } from '../../open/open-plan.js';
import { ensureRuntimeBase } from '../../sandbox/registry.js';
import { exportBelongsInCache } from '../../sandbox/sandbox.js';
import { stageCopy } from '../../open/staging.js';
import { makeOwnedDir, sweepAbandoned } from '../../util/owned-dirs.js';

export interface HeldPlan {
  /** The same open, its bytes read from the held copy (its name, type and viewer unchanged). */
  plan: OpenPlan;
  release(): Promise<void>;
}

/** Held copies live beside the sandboxes (never an id-named dir: the reaper's), big ones in the cache. */
function heldRoot(bytes: number, env: NodeJS.ProcessEnv): string {
  const base = ensureRuntimeBase(env);
  return exportBelongsInCache(bytes * 2, base) ? path.join(xdgCacheHome(env), 'nofear', 'held') : path.join(base, 'held');
}

export async function holdCopy(plan: OpenPlan, env: NodeJS.ProcessEnv, maxBytes: number): Promise<HeldPlan> {
  if (plan.checked === undefined) return { plan, release: async () => {} };
  const root = heldRoot(plan.size, env);
  await sweepAbandoned(root, 'h'); // a service killed outright held copies nobody releases
  const dir = await makeOwnedDir(root, 'h');
  const release = async () => {
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.rmdir(root).catch(() => undefined); // the last one out leaves no trace (ENOTEMPTY otherwise)
  };
  try {
    const copy = await stageCopy(plan.checked, dir, plan.stagedName, maxBytes);
    const stat = await fsp.stat(copy, { bigint: true });
    const checked = { source: await fsp.realpath(copy), size: Number(stat.size), dev: stat.dev, ino: stat.ino };
    return { plan: { ...plan, source: checked.source, size: checked.size, checked }, release };
  } catch (error) {
    await release();
    throw error;
  }
}
