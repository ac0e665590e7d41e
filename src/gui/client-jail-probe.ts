// Whether the Xpra client's jail can be built here: bubblewrap present, unprivileged user
// namespaces allowed, seccomp accepted. Asked once per process (a few ms), answered in < 3 s.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { exitOf } from '../util/child.js';
import { killGroup } from '../util/run.js';
import { systemBinds } from '../vm/jail.js';
import { namespaces } from './client-jail.js';
import { clientSeccompProgram } from './client-seccomp.js';

export type ClientJailProbe = { usable: true } | { usable: false; missing: boolean; why: string; fix: string };

const PROBE_DEADLINE_MS = 3000;
const probes = new Map<string, Promise<ClientJailProbe>>();

export function probeClientJail(bwrap: string): Promise<ClientJailProbe> {
  let probe = probes.get(bwrap);
  if (probe === undefined) {
    probe = runProbe(bwrap);
    probes.set(bwrap, probe);
  }
  return probe;
}

async function runProbe(bwrap: string): Promise<ClientJailProbe> {
  if (!existsSync(bwrap)) return { usable: false, missing: true, why: `${bwrap} is missing`, fix: 'install bubblewrap' };
  const args = [...namespaces(), ...systemBinds(), '--proc', '/proc', '--dev', '/dev', '--seccomp', '3', '--', '/bin/true'];
  const child = spawn(bwrap, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  child.stdio[3]?.on('error', () => {}); // bwrap failed before reading it: its status says why
  (child.stdio[3] as NodeJS.WritableStream | null)?.end(clientSeccompProgram());
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(0, 400);
  });
  const timer = setTimeout(() => killGroup(child.pid), PROBE_DEADLINE_MS);
  const { code } = await exitOf(child);
  clearTimeout(timer);
  if (code === 0) return { usable: true };
  const reason = stderr.trim().split('\n')[0] || (code === null ? `no answer within ${PROBE_DEADLINE_MS / 1000} s` : `status ${code}`);
  return {
    usable: false,
    missing: false,
    why: `bubblewrap cannot build the client's jail here (${reason})`,
    fix: 'allow unprivileged user namespaces: sudo sysctl -w kernel.unprivileged_userns_clone=1 (or allow bwrap in AppArmor)',
  };
}
