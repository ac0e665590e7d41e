// A private dbus-daemon for a test (never the developer's own session bus), and a stand-in service on it.
import { execa } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { exitOf, firstLine, stopGroup } from '../../src/util/child.js';
import { EventWaits } from './event-waits.js';

export interface PrivateBus {
  address: string;
  /** The last lines the daemon and what it activated (the service) wrote to stderr: for a failing test's report. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

const stopChild = (child: ChildProcess) => stopGroup(child.pid, exitOf(child), 3000).then(() => undefined);

// A session bus that activates nothing: a desktop program under test then cannot start gvfsd, tracker or
// the accessibility bus behind the test's back (they would outlive it, and tracker would index HOME).
const NO_ACTIVATION_CONFIG = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

/**
 * `dbus-daemon --session` on a socket in `dir`; `env` reaches the daemon (XDG_DATA_HOME decides which
 * activation files it reads, and it reads them when it starts). With `activation: false` it starts nothing.
 * Its stderr, which an activated service inherits, goes to `dir/bus.log`.
 */
export async function startPrivateBus(dir: string, env: Record<string, string> = {}, options: { activation?: boolean } = {}): Promise<PrivateBus> {
  let config = ['--session'];
  if (options.activation === false) {
    const file = path.join(dir, 'bus-no-activation.conf');
    writeFileSync(file, NO_ACTIVATION_CONFIG);
    config = [`--config-file=${file}`];
  }
  const log = path.join(dir, 'bus.log');
  const logFd = openSync(log, 'a');
  const child = spawn('dbus-daemon', [...config, '--nofork', '--print-address=3', `--address=unix:path=${path.join(dir, 'bus')}`], {
    stdio: ['ignore', 'ignore', logFd, 'pipe'],
    detached: true,
    env: { ...process.env, ...env },
  });
  closeSync(logFd);
  const address = await firstLine(child.stdio[3] as Readable, child, 10_000, 'dbus-daemon');
  const logTail = (lines = 40) => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-lines).join('\n') : '');
  return { address, logTail, stop: () => stopChild(child) };
}

export interface BusRecord {
  ready?: boolean;
  interface?: string;
  method?: string;
  args?: unknown[];
  sender_pid?: number | null;
}

export interface Listener {
  records: BusRecord[];
  /** Resolves with the first record (from the start) that matches, or rejects after the deadline. */
  waitFor(match: (record: BusRecord) => boolean, timeoutMs: number): Promise<BusRecord>;
  stop(): Promise<void>;
}

/** Runs test/fixtures/nofear-bus-listener.py (system Python: it needs python3-gi) on the bus. */
export async function startListener(script: string, address: string, env: Record<string, string> = {}): Promise<Listener> {
  const child = spawn('/usr/bin/python3', [script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
    env: { ...process.env, ...env, DBUS_SESSION_BUS_ADDRESS: address },
  });
  const records: BusRecord[] = [];
  const waits = new EventWaits();
  // 'close': after the last output was read, not only the process's end.
  const ended = new Promise<void>((resolve) => child.once('close', () => resolve()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    records.push(JSON.parse(line) as BusRecord);
    waits.wake();
  });
  // The listener's end ends every wait: nothing more can come.
  const waitFor = (match: (record: BusRecord) => boolean, timeoutMs: number) =>
    waits.until(
      () => records.find(match),
      () => `no matching D-Bus call; got ${JSON.stringify(records)}`,
      timeoutMs,
      ended,
    );
  await waitFor((r) => r.ready === true, 10_000);
  return { records, waitFor, stop: () => stopChild(child) };
}

/** Call inside a suite: a failing test's report ends with what the service wrote, which the test cannot see otherwise. */
/** Presses notification `id`'s button `action` on the recording stand-in server (nofear-bus-listener.py), as a user's click would. */
export async function pressNotificationButton(address: string, id: number, action: string): Promise<void> {
  await execa(
    'dbus-send',
    [
      `--bus=${address}`,
      '--type=method_call',
      '--print-reply',
      '--dest=org.freedesktop.Notifications',
      '/org/freedesktop/Notifications',
      'org.nofear.Test.NotificationServer.InvokeAction',
      `uint32:${id}`,
      `string:${action}`,
    ],
    { timeout: 10_000 },
  );
}

export function showBusLogOnFailure(bus: () => PrivateBus | undefined): void {
  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return;
    process.stderr.write(`--- the private bus's stderr (the activated service's), last lines:\n${bus()?.logTail() ?? ''}\n---\n`);
  });
}
