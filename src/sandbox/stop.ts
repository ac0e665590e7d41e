// Stopping a sandbox from outside its owner: the owner is asked first (it powers the guest off and
// cleans up), then QEMU is killed after a deadline; pids are matched with their start times.
import { setTimeout as delay } from 'node:timers/promises';
import { existsSync } from 'node:fs';
import { isAlive } from './proc.js';
import { liveness, readRecord, removeSandboxDir, sandboxDir, type SandboxRecord } from './registry.js';

export type StopResult = 'stopped' | 'killed' | 'cleaned' | 'gone';

async function waitGone(dir: string, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (!existsSync(dir)) return true;
    await delay(50);
  }
  return !existsSync(dir);
}

function signalGroup(identity: SandboxRecord['qemu'], signal: NodeJS.Signals): void {
  if (identity === undefined || !isAlive(identity)) return;
  try {
    process.kill(-identity.pid, signal);
  } catch {
    try {
      process.kill(identity.pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}

export async function stopSandbox(base: string, id: string, deadlineMs = 10_000): Promise<StopResult> {
  const dir = sandboxDir(base, id);
  const record = await readRecord(dir);
  if (record === undefined) return 'gone';
  const state = liveness(record);
  if (state === 'live' && record.ownerKind !== 'service' && record.owner.pid !== process.pid) {
    // The owning nofear process powers the guest off and removes everything on SIGTERM.
    try {
      process.kill(record.owner.pid, 'SIGTERM');
    } catch {
      // it ended meanwhile
    }
    if (await waitGone(dir, deadlineMs)) return 'stopped';
  }
  if (isAlive(record.qemu)) {
    signalGroup(record.qemu, 'SIGTERM');
    const deadline = Date.now() + 2000;
    while (isAlive(record.qemu) && Date.now() < deadline) await delay(50);
    signalGroup(record.qemu, 'SIGKILL');
    await removeSandboxDir(dir, record);
    return 'killed';
  }
  await removeSandboxDir(dir, record);
  return state === 'stale' ? 'cleaned' : 'stopped';
}
