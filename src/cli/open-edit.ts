// nofear-open --edit and links, the part after the program: who is asked about a changed copy or a link's
// downloads (the terminal, else the desktop, else nobody: an edit is kept as a copy, a download is not
// kept), and what the user is told of the outcome.
import { describeEditOutcome } from '../edit/describe.js';
import { keepCopy, notificationAsker, terminalAsker } from '../edit/ask.js';
import type { EditAsker, EditSession } from '../edit/edit-session.js';
import { openSessionBus } from '../service/bus/bus.js';
import { Notifications, notifyOnce } from '../service/bus/notifications.js';
import { NOFEAR_FAILURE } from './cli-exit.js';
import type { OpenArgs } from './nofear-open-args.js';
import { describeDownloads, keepNothing, notificationDownloadsAsker, terminalDownloadsAsker } from '../edit/downloads-ask.js';
import type { DownloadsAsker, LinkDownloads } from '../edit/link-downloads.js';

export interface EditDecider {
  ask: EditAsker;
  close(): void;
}

/** The terminal when there is one; else a notification on the session bus; else nobody. */
export function editDecider(args: OpenArgs, env: NodeJS.ProcessEnv = process.env): EditDecider {
  if (args.saveBack !== 'ask') return { ask: keepCopy, close: () => {} };
  if (process.stdin.isTTY === true && process.stderr.isTTY === true) return { ask: terminalAsker(), close: () => {} };
  try {
    const open = openSessionBus(env);
    return { ask: notificationAsker(new Notifications(open.bus)), close: () => open.disconnect() };
  } catch {
    return { ask: keepCopy, close: () => {} }; // no session bus: nobody to ask
  }
}

/** Settles one edit after its sandbox is gone, and says what happened (on the desktop too when launched from there). */
export async function settleEdit(edit: EditSession, decider: EditDecider, file: string, verbose: ((line: string) => void) | undefined): Promise<number> {
  const outcome = await edit.settle(decider.ask);
  const line = describeEditOutcome(file, outcome);
  const status = outcome.kind === 'refused' ? NOFEAR_FAILURE : 0;
  if (line === undefined) verbose?.(`${file}: unchanged; nothing to save`);
  else process.stderr.write(`nofear-open: ${line}\n`);
  if (line !== undefined && !process.stderr.isTTY) await notifyOnce(process.env, 'NoFear', line);
  return status;
}

export interface DownloadsDecider {
  ask: DownloadsAsker;
  close(): void;
}

/** Who is asked about a link VM's downloads: the terminal when there is one; else the desktop; else nobody (nothing is kept). */
export function downloadsDecider(env: NodeJS.ProcessEnv = process.env): DownloadsDecider {
  if (process.stdin.isTTY === true && process.stderr.isTTY === true) return { ask: terminalDownloadsAsker(), close: () => {} };
  try {
    const open = openSessionBus(env);
    return { ask: notificationDownloadsAsker(new Notifications(open.bus)), close: () => open.disconnect() };
  } catch {
    return { ask: keepNothing, close: () => {} };
  }
}

/** Offers a link VM's downloads once its sandbox is gone, and says what became of them. */
export async function settleDownloads(downloads: LinkDownloads, decider: DownloadsDecider, file: string, verbose: ((line: string) => void) | undefined): Promise<void> {
  const line = describeDownloads(await downloads.settle(decider.ask));
  if (line === undefined) verbose?.(`${file}: nothing was downloaded`);
  else process.stderr.write(`nofear-open: ${file}: ${line}\n`);
  if (line !== undefined && !process.stderr.isTTY) await notifyOnce(process.env, 'NoFear', line);
}
