// The desktop's view of a conversion and of an edit through the service: one notification per
// conversion, updated in place as the pages come (at most once a second, with Stop), replaced by the
// result; and one line on what became of an edited copy.
import path from 'node:path';
import type { ConvertProgress, ConvertResult } from '../../convert/convert-file.js';
import type { ConvertReporter } from '../../convert/launch-convert.js';
import type { EditOutcome } from '../../edit/edit-session.js';
import { describeEditOutcome } from '../../edit/describe.js';
import { progressNotice, replacing, STOP_ACTION, type Notice, type Notifications } from '../bus/notifications.js';
import type { ResultActions } from '../bus/result-actions.js';
import { actOnResult, resultButtons } from '../bus/result-notice.js';

const UPDATE_EVERY_MS = 1000;
/** The result's buttons are heard until it is closed, or this long (a notification server that never says). */
const RESULT_ACTIONS_MS = 3_600_000;

function progressBody(progress: ConvertProgress): string {
  switch (progress.phase) {
    case 'booting':
      return 'Starting a throwaway VM…';
    case 'rendering':
      return progress.page === 0 ? 'Rendering in the VM…' : `Page ${progress.page} of ${progress.pages}…`;
    case 'ocr':
      return progress.page === 0 ? 'Recognising the text in a second VM…' : `Text of page ${progress.page} of ${progress.pages}…`;
    case 'writing':
      return 'Writing the safe PDF…';
  }
}

/** Hears the result's buttons until the notification is closed (or RESULT_ACTIONS_MS). */
async function hearResult(notifications: Notifications, id: number | undefined, press: (action: string) => void, done: () => void): Promise<void> {
  if (id === undefined) return done();
  const onAction = (heard: number, action: string) => heard === id && press(action);
  let unsubscribe: () => void = () => undefined;
  const timer = setTimeout(() => end(), RESULT_ACTIONS_MS);
  timer.unref();
  const end = () => {
    clearTimeout(timer);
    notifications.offAction(onAction);
    unsubscribe();
    done();
  };
  await notifications.onAction(onAction);
  unsubscribe = await notifications.onClosed((closed) => closed === id && end());
}

/** The result's notification: where the safe PDF is, with Open and Show in folder when the caller handles them. */
function readyNotice(name: string, result: ConvertResult, withActions: boolean): Notice {
  const ocr = result.ocr === 'failed' ? ' The text could not be recognised: it has no text layer.' : '';
  return {
    summary: `${path.basename(result.output)} is ready`,
    body: `A safe PDF of ${name}, made from its pixels (${result.pages} page${result.pages === 1 ? '' : 's'}), in ${path.dirname(result.output)}.${ocr}`,
    ...(withActions ? { actions: resultButtons([result.output]) } : {}),
  };
}

/** The notification of one conversion; `stop` is what its Stop button does, `actions` what its result's Open and Show in folder do. */
export function conversionNotice(notifications: Notifications, file: string, stop: () => void, log: (line: string) => void, actions?: ResultActions): ConvertReporter {
  const name = path.basename(file);
  let shown: Promise<number | undefined> = Promise.resolve(undefined);
  let lastUpdate = 0;
  let lastPhase = '';
  let closed = false;
  const onAction = (id: number, action: string) => {
    if (action !== STOP_ACTION) return;
    void shown.then((mine) => {
      if (mine !== undefined && mine === id) stop();
    });
  };
  void notifications.onAction(onAction);
  const replace = (update: (previous: number | undefined) => Promise<number | undefined>) => {
    shown = shown.then(update);
  };
  return {
    progress(progress) {
      const now = Date.now();
      if (closed || (progress.phase === lastPhase && now - lastUpdate < UPDATE_EVERY_MS)) return;
      lastUpdate = now;
      lastPhase = progress.phase;
      replace((previous) => notifications.show(progressNotice(`Converting ${name} to a safe PDF`, progressBody(progress), previous)));
    },
    done(result: ConvertResult) {
      closed = true;
      log(`converted ${file} to ${result.output}: ${result.pages} pages, ${result.bytes} bytes in ${(result.ms / 1000).toFixed(1)} s`);
      replace((previous) => notifications.show(replacing(readyNotice(name, result, actions !== undefined), previous)));
      void shown.finally(() => notifications.offAction(onAction));
      if (actions !== undefined)
        void shown.then((id) =>
          hearResult(
            notifications,
            id,
            (action) => void actOnResult(notifications, actions, action, [result.output], log),
            () => undefined,
          ),
        );
    },
    failed(error) {
      closed = true;
      const message = error instanceof Error ? error.message : String(error);
      log(`converting ${file} failed: ${message}`);
      replace((previous) => notifications.show(replacing({ summary: `NoFear could not convert ${name}`, body: message }, previous)));
      void shown.finally(() => notifications.offAction(onAction));
    },
  };
}

/** What became of an edit, said on the desktop (an unchanged copy says nothing). */
export function editNotice(notifications: Notifications, file: string, log: (line: string) => void): (outcome: EditOutcome) => void {
  return (outcome) => {
    const line = describeEditOutcome(file, outcome);
    log(`edit of ${file}: ${outcome.kind}`);
    if (line !== undefined) void notifications.show({ summary: `NoFear: ${path.basename(file)}`, body: line });
  };
}
