// nofear-open --edit, the part after the program: who is asked about a changed copy (the terminal, else
// the desktop, else nobody: a copy is kept), and what the user is told of the outcome.
import path from 'node:path';
import { keepCopy, notificationAsker, terminalAsker } from '../edit/ask.js';
import type { EditAsker, EditOutcome, EditSession } from '../edit/edit-session.js';
import { openSessionBus } from '../service/bus.js';
import { Notifications, notifyOnce } from '../service/notifications.js';
import { NOFEAR_FAILURE } from './cli-exit.js';
import type { OpenArgs } from './nofear-open-args.js';

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

/** One line on what became of the edit; the exit status it adds (125 when an edit was refused). */
export function describeEdit(file: string, outcome: EditOutcome): { line: string | undefined; status: number } {
  const name = path.basename(file);
  switch (outcome.kind) {
    case 'unchanged':
      return { line: undefined, status: 0 };
    case 'gone':
      return { line: `${name}: the program removed its copy (or put something else in its place); nothing was saved`, status: 0 };
    case 'discarded':
      return { line: `${name}: the changes were discarded`, status: 0 };
    case 'saved-back':
      return { line: `${name}: the changes were saved back`, status: 0 };
    case 'saved-copy': {
      const why = outcome.why === 'original-changed' ? ' (the original changed meanwhile)' : outcome.why === 'not-writable' ? ' (its directory cannot be written)' : '';
      return { line: `${name}: the changes were saved as ${outcome.path}${why}`, status: 0 };
    }
    case 'refused':
      return { line: `${name}: the changes were not saved: ${outcome.reason}. Fix: save it in the program under its own type`, status: NOFEAR_FAILURE };
  }
}

/** Settles one edit after its sandbox is gone, and says what happened (on the desktop too when launched from there). */
export async function settleEdit(edit: EditSession, decider: EditDecider, file: string, verbose: ((line: string) => void) | undefined): Promise<number> {
  const outcome = await edit.settle(decider.ask);
  const { line, status } = describeEdit(file, outcome);
  if (line === undefined) verbose?.(`${file}: unchanged; nothing to save`);
  else process.stderr.write(`nofear-open: ${line}\n`);
  if (line !== undefined && !process.stderr.isTTY) await notifyOnce(process.env, 'NoFear', line);
  return status;
}
