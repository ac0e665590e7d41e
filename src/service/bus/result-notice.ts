// The notification a short-lived program (nofear-open --convert started from a file manager) shows for its
// safe PDFs, with Open and Show in folder, and then stays to hear: until one button is pressed and done,
// the notification is closed, a deadline passes, or the bus goes. Only the server that showed it is heard
// (Notifications); what the buttons do is result-actions' (the previous default viewer, FileManager1).
import path from 'node:path';
import { isNoFearError } from '../../errors.js';
import { openSessionBus, type MessageBus } from './bus.js';
import { Notifications, type Notice } from './notifications.js';
import { desktopHands, resultActions, type DesktopHands, type ResultActions } from './result-actions.js';

export const OPEN_ACTION = 'open';
export const SHOW_ACTION = 'show-in-folder';
/**
 * How long the program stays for the buttons: a notification lives in the desktop's list long after it
 * is shown, but a program waiting for it should not live for ever (the service's wait is an hour).
 */
export const RESULT_WAIT_MS = 30 * 60_000;

export type ResultWaitEnd = 'no-server' | 'no-buttons' | 'acted' | 'closed' | 'timed-out' | 'bus-gone' | 'stopped';

export interface ResultNoticeOptions {
  /** Tests shorten it. */
  waitMs?: number;
  /** What the buttons reach; the real desktop by default. */
  hands?: (bus: MessageBus) => DesktopHands;
  log?: (line: string) => void;
  /** A signal ends the wait. */
  abort?: AbortSignal;
}

/** The buttons the outputs get: one safe PDF can be opened; several can be shown in their folder. */
export function resultButtons(outputs: readonly string[]): Notice['actions'] {
  if (outputs.length === 0) return [];
  return outputs.length === 1
    ? [
        [OPEN_ACTION, 'Open'],
        [SHOW_ACTION, 'Show in folder'],
      ]
    : [[SHOW_ACTION, 'Show in folder']];
}

/**
 * What a result's button asks: Open (the first safe PDF) or Show in folder (all of them); a failure is logged
 * and told in a notification of its own. Undefined for any other action (nothing to do).
 */
export function actOnResult(notifications: Notifications, actions: ResultActions, action: string, outputs: readonly string[], log?: (line: string) => void): Promise<void> | undefined {
  const first = outputs[0];
  if (first === undefined || (action !== OPEN_ACTION && action !== SHOW_ACTION)) return undefined;
  const named = outputs.join(', ');
  log?.(`${action === OPEN_ACTION ? 'opening' : 'showing'} ${named} (the notification's button)`);
  const done = action === OPEN_ACTION ? actions.open(first) : actions.showFiles(outputs);
  return done.catch(async (error: unknown) => {
    const message = isNoFearError(error) ? error.describe() : String(error);
    log?.(`${action} ${named} failed: ${message}`);
    await notifications.show({ summary: `NoFear could not ${action === OPEN_ACTION ? 'open' : 'show'} ${path.basename(first)}`, body: message });
  });
}

/** Shows the notice with the outputs' buttons and hears them; resolves with why the wait ended. */
export async function notifyWithResultButtons(
  env: NodeJS.ProcessEnv,
  notice: { summary: string; body: string },
  outputs: readonly string[],
  options: ResultNoticeOptions = {},
): Promise<ResultWaitEnd> {
  let busGone: () => void = () => undefined;
  const gone = new Promise<'bus-gone'>((resolve) => (busGone = () => resolve('bus-gone')));
  let open;
  try {
    open = openSessionBus(env, () => busGone());
  } catch {
    return 'no-server'; // no session bus: nobody to tell
  }
  try {
    return await showAndHear(open.bus, env, notice, outputs, gone, options);
  } finally {
    open.disconnect();
  }
}

async function showAndHear(
  bus: MessageBus,
  env: NodeJS.ProcessEnv,
  notice: { summary: string; body: string },
  outputs: readonly string[],
  gone: Promise<'bus-gone'>,
  options: ResultNoticeOptions,
): Promise<ResultWaitEnd> {
  const notifications = new Notifications(bus);
  const actions = resultActions((options.hands ?? ((b) => desktopHands(b, env)))(bus));
  const buttons = resultButtons(outputs) ?? [];
  let shown: number | undefined;
  let settle: (end: ResultWaitEnd) => void = () => undefined;
  const ended = new Promise<ResultWaitEnd>((resolve) => (settle = resolve));
  let acting = false;
  const press = (id: number, action: string) => {
    if (id !== shown || acting || !buttons.some(([key]) => key === action)) return;
    const done = actOnResult(notifications, actions, action, outputs, options.log);
    if (done === undefined) return;
    acting = true;
    void done.finally(() => settle('acted'));
  };
  const showing = (async () => {
    // Heard before it is shown: a button pressed at once is not missed.
    if (buttons.length > 0) {
      await notifications.onAction(press);
      await notifications.onClosed((id) => id === shown && !acting && settle('closed'));
    }
    shown = await notifications.show({ ...notice, actions: buttons });
    return shown === undefined ? 'no-server' : buttons.length === 0 ? 'no-buttons' : undefined;
  })();
  const early = await Promise.race([showing, gone]);
  if (early !== undefined) return early;
  const timer = setTimeout(() => settle('timed-out'), options.waitMs ?? RESULT_WAIT_MS);
  const onAbort = () => settle('stopped');
  options.abort?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([ended, gone]);
  } finally {
    clearTimeout(timer);
    options.abort?.removeEventListener('abort', onAbort);
    notifications.offAction(press);
  }
}
