// A throwaway VM (through the same Sandbox the CLI uses) with a staged export and a shell script as its job,
// for the suites that check what reaches the guest.
import { guestEnvironment } from '../../src/vm/guest-env.js';
import { Sandbox } from '../../src/sandbox/sandbox.js';
import type { ExportSpec } from '../../src/vm/vm-shape.js';

export function startStagedVm(options: { env: NodeJS.ProcessEnv; export: ExportSpec; script: string; user: 'root' | 'user' }): Promise<Sandbox> {
  const root = options.user === 'root';
  return Sandbox.start({
    shape: { profile: 'temporary', stdio: 'pipe', memoryMiB: 512, cpus: 2, net: 'none', gui: false, sound: false, export: options.export },
    job: { argv: ['sh', '-c', options.script], user: options.user, env: guestEnvironment({ root, interactive: false, hostEnv: options.env }) },
    hooks: { hostEnv: options.env, ownerKind: 'cli' },
  });
}
