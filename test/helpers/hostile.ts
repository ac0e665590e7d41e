// Guest files with a hostile agent (or another hostile guest script), and an environment that boots them without disturbing the normal image cache.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GUEST_DIR } from '../../src/vm/initramfs.js';
import { findGuestKernel } from '../../src/vm/kernel.js';
import { ROOT } from './cli.js';

export async function hostileGuestEnv(replace: { file: string; by: string } = { file: 'agent.sh', by: 'hostile-agent.sh' }): Promise<Record<string, string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nofear-hostile-'));
  const guest = path.join(dir, 'guest');
  mkdirSync(guest);
  for (const name of readdirSync(GUEST_DIR)) copyFileSync(path.join(GUEST_DIR, name), path.join(guest, name));
  copyFileSync(path.join(ROOT, 'test', 'adversarial', replace.by), path.join(guest, replace.file));
  const kernel = await findGuestKernel();
  return {
    NOFEAR_GUEST_DIR: guest,
    // Its own image cache, so the normal image stays cached; the kernel is the one already downloaded.
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    NOFEAR_KERNEL: kernel.image,
    NOFEAR_KERNEL_MODULES: kernel.modulesDir,
  };
}
