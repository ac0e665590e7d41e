// The host Xpra client's own start, without a VM: from spawning it to its "attached" report and to its
// first window, against a ready Xpra server (the test's server, benign scenario) on a private Xvfb.
// Run with NoFear's jail and policy, and without either (NOFEAR_CLIENT_JAIL=off, NOFEAR_CLIENT_POLICY=off),
// interleaved, so that the difference is what the jail and the policy cost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XpraClient } from '../src/gui/client.js';
import { HostileXpraServer } from '../test/helpers/host-client.js';
import { startXvfb } from '../test/helpers/xvfb.js';

const ATTACH_DEADLINE_MS = 30_000;

export interface AttachTimes {
  attached: number;
  window: number;
}

export type ClientMode = 'jail+policy' | 'policy' | 'jail' | 'neither';

const MODE_ENV: Record<ClientMode, Record<string, string>> = {
  'jail+policy': {},
  policy: { NOFEAR_CLIENT_JAIL: 'off' },
  jail: { NOFEAR_CLIENT_POLICY: 'off' },
  neither: { NOFEAR_CLIENT_JAIL: 'off', NOFEAR_CLIENT_POLICY: 'off' },
};

async function within<T>(promise: Promise<T>, what: string, gone: Promise<unknown>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      gone.then(() => Promise.reject(new Error(`${what}: the client ended first`))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${ATTACH_DEADLINE_MS / 1000} s`)), ATTACH_DEADLINE_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function oneAttach(display: string, dir: string, mode: ClientMode): Promise<AttachTimes> {
  const socket = path.join(dir, `gui-${mode}.sock`);
  const server = await HostileXpraServer.start(socket, 'benign', [1280, 900]);
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const client = new XpraClient({ socket, profile: 'bench', border: { colour: 'OrangeRed', width: 3 }, clipboard: 'off', sound: false }, { ...process.env, ...MODE_ENV[mode], DISPLAY: display });
  try {
    await within(client.attached, 'attached', client.exited);
    const attached = seconds();
    await within(client.firstWindow, 'window', client.exited);
    return { attached, window: seconds() };
  } finally {
    await client.stop();
    await server.stop();
  }
}

/** `runs` attaches per mode, interleaved, after one unmeasured warm-up of each (page cache). */
export async function measureClientAttach(runs: number): Promise<Record<ClientMode, AttachTimes[]>> {
  const x = await startXvfb();
  const dir = mkdtempSync(path.join(tmpdir(), 'nofear-bench-client-'));
  const times: Record<ClientMode, AttachTimes[]> = { 'jail+policy': [], policy: [], jail: [], neither: [] };
  try {
    for (const mode of Object.keys(MODE_ENV) as ClientMode[]) await oneAttach(x.display, dir, mode);
    for (let i = 0; i < runs; i++) {
      for (const mode of Object.keys(MODE_ENV) as ClientMode[]) times[mode].push(await oneAttach(x.display, dir, mode));
    }
    return times;
  } finally {
    await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
