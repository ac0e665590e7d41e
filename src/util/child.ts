// Small pieces every supervisor of a child process needs: its exit as a promise (settled even if it has
// already gone), the stop ladder (SIGTERM to its group, a bounded wait, SIGKILL), and the first line
// it writes on a descriptor (Xvfb's display number, dbus-daemon's address), with a deadline.
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { killGroup } from './run.js';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function exitOf(child: ChildProcess): Promise<ChildExit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: 127, signal: null }));
  });
}

/** SIGTERM to the process group, SIGKILL if it has not ended within graceMs; resolves once it has. */
export async function stopGroup<T>(pid: number | undefined, exited: Promise<T>, graceMs = 2000): Promise<T> {
  killGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
    // Anything else still in the group (a helper it forked) goes too.
    killGroup(pid, 'SIGKILL');
  }
}

/** The first line a child writes on `stream`, within deadlineMs; rejects when the child ends first. */
export function firstLine(stream: Readable | null | undefined, child: ChildProcess, deadlineMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${what} printed nothing within ${deadlineMs / 1000} s`)), deadlineMs);
    stream?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (!text.includes('\n')) return;
      clearTimeout(timer);
      resolve(text.slice(0, text.indexOf('\n')).trim());
    });
    void exitOf(child).then((exit) => {
      clearTimeout(timer);
      reject(new Error(`${what} ended (${exit.signal ?? `exit ${exit.code}`}) before it printed its line`));
    });
  });
}
