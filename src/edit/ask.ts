// Who decides what happens to a changed copy: the person at the terminal (a prompt), the desktop (a
// notification with Save back / Save as a copy / Discard), or nobody (then the edit is kept beside the
// original: nothing is lost and nothing is replaced without a yes).
import path from 'node:path';
import readline from 'node:readline';
import type { EditAsker, EditDecision, EditQuestion } from './edit-types.js';

/** What asking by notification needs of the desktop (the service's Notifications has it). */
export interface NoticeBoard {
  show(notice: { summary: string; body: string; actions?: ReadonlyArray<readonly [string, string]>; persistent?: boolean }): Promise<number | undefined>;
  onAction(listener: (id: number, action: string) => void): Promise<void>;
  offAction(listener: (id: number, action: string) => void): void;
  onClosed(listener: (id: number) => void): Promise<() => void>;
  close(id: number | undefined): Promise<void>;
}

/** No one to ask: keep the edit as a copy. */
export const keepCopy: EditAsker = async () => 'copy';

/** How long a notification waits for an answer before the edit is kept as a copy. */
export const NOTICE_ANSWER_MS = 10 * 60_000;

const ANSWERS: Readonly<Record<string, EditDecision>> = { b: 'back', back: 'back', c: 'copy', copy: 'copy', d: 'discard', discard: 'discard' };

function promptText(question: EditQuestion): string {
  const name = path.basename(question.file);
  return question.originalChanged
    ? `${name} was changed in the VM, and the original changed meanwhile. Save the edit beside it as a [c]opy, or [d]iscard it? `
    : `${name} was changed in the VM. Save it [b]ack, save it as a [c]opy beside it, or [d]iscard it? `;
}

/** A prompt on the terminal; one question at a time, however many files are open. An end of input keeps a copy. */
export function terminalAsker(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): EditAsker {
  return terminalQuestions(input, output, {
    text: promptText,
    answer: (said, question) => {
      const answer = ANSWERS[said];
      return answer !== undefined && !(answer === 'back' && question.originalChanged) ? answer : undefined;
    },
    fallback: 'copy',
    fallbackLine: 'Keeping the edit as a copy beside the original.',
  });
}

/**
 * Questions asked on the terminal one at a time (however many sandboxes ask): each gets three tries at a
 * recognised answer (`answer` reads the trimmed, lower-case line), then, as at the end of input, the fallback.
 * Shared by edits and kept downloads.
 */
export function terminalQuestions<Q, A>(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  ask: { text: (question: Q) => string; answer: (said: string, question: Q) => A | undefined; fallback: A; fallbackLine: string },
): (question: Q) => Promise<A> {
  let queue: Promise<unknown> = Promise.resolve();
  const askOnce = async (question: Q): Promise<A> => {
    const lines = readline.createInterface({ input, output, terminal: false });
    const iterator = lines[Symbol.asyncIterator]();
    try {
      for (let tries = 0; tries < 3; tries++) {
        output.write(ask.text(question));
        const next = await iterator.next();
        if (next.done === true) break;
        const answer = ask.answer(String(next.value).trim().toLowerCase(), question);
        if (answer !== undefined) return answer;
      }
      output.write(`\n${ask.fallbackLine}\n`);
      return ask.fallback;
    } finally {
      lines.close();
    }
  };
  return (question) => {
    const answer = queue.then(() => askOnce(question));
    queue = answer.catch(() => undefined);
    return answer;
  };
}

/**
 * One question as a notification: its actions, and the answer they map to; dismissed, unanswered within
 * `answerMs` or unshown, the fallback. Shared by edits and kept downloads.
 */
export async function askByNotice<T>(
  notifications: NoticeBoard,
  notice: { summary: string; body: string; actions: ReadonlyArray<readonly [string, string]> },
  answers: Readonly<Record<string, T>>,
  fallback: T,
  answerMs: number,
): Promise<T> {
  let settle: (decision: T) => void = () => {};
  const decided = new Promise<T>((resolve) => (settle = resolve));
  let id: number | undefined;
  const onAction = (heard: number, action: string) => {
    const answer = Object.hasOwn(answers, action) ? answers[action] : undefined;
    if (heard === id && answer !== undefined) settle(answer);
  };
  await notifications.onAction(onAction);
  const stopClosed = await notifications.onClosed((heard) => {
    if (heard === id) settle(fallback);
  });
  const timer = setTimeout(() => settle(fallback), answerMs);
  try {
    id = await notifications.show({ ...notice, persistent: true });
    if (id === undefined) return fallback;
    return await decided;
  } finally {
    clearTimeout(timer);
    stopClosed();
    notifications.offAction(onAction);
    await notifications.close(id);
  }
}

/** A notification with the three choices; dismissed, unanswered or unshown, the edit is kept as a copy. */
export function notificationAsker(notifications: NoticeBoard, answerMs = NOTICE_ANSWER_MS): EditAsker {
  return async (question) => {
    const name = path.basename(question.file);
    const actions: Array<[string, string]> = question.originalChanged
      ? [
          ['copy', 'Save as a copy'],
          ['discard', 'Discard'],
        ]
      : [
          ['back', 'Save back'],
          ['copy', 'Save as a copy'],
          ['discard', 'Discard'],
        ];
    const notice = {
      summary: `${name} was changed in NoFear`,
      body: question.originalChanged ? 'The original changed meanwhile: the edit can be kept beside it.' : 'Save the changes back to the original?',
      actions,
    };
    return askByNotice(notifications, notice, ANSWERS, 'copy', answerMs);
  };
}
