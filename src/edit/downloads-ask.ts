// Who decides whether a link VM's downloads leave it: the person at the terminal (a prompt), the desktop (a
// notification with Keep / Discard), or nobody. Unlike an edit, a download is the web's file, not the
// user's work: without an explicit "keep" (no one to ask, no answer, end of input) it stays in the VM.
import path from 'node:path';
import { askByNotice, NOTICE_ANSWER_MS, terminalQuestions, type NoticeBoard } from './ask.js';
import type { DownloadsAsker, DownloadsOutcome, DownloadsQuestion } from './link-downloads.js';

/** No one to ask: nothing leaves. */
export const keepNothing: DownloadsAsker = async () => 'discard';

const ANSWERS = { k: 'keep', keep: 'keep', d: 'discard', discard: 'discard' } as const;

function listed(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((name) => JSON.stringify(name));
  return names.length > 5 ? `${shown.join(', ')} and ${names.length - 5} more` : shown.join(', ');
}

function downloadsCount(names: readonly string[]): string {
  return names.length === 1 ? 'a file' : `${names.length} files`;
}

export function promptText(question: DownloadsQuestion): string {
  return `The web page's VM downloaded ${downloadsCount(question.names)} (${listed(question.names)}). [k]eep in ${question.folder}, marked as from outside, or [d]iscard? `;
}

/** A prompt on the terminal, one question at a time however many links are open; three tries, then (and at the end of input) nothing is kept. */
export function terminalDownloadsAsker(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): DownloadsAsker {
  return terminalQuestions(input, output, {
    text: promptText,
    answer: (said) => (said === 'k' || said === 'keep' || said === 'd' || said === 'discard' ? ANSWERS[said] : undefined),
    fallback: 'discard',
    fallbackLine: 'Nothing was kept.',
  });
}

/** A notification with Keep and Discard; dismissed, unanswered or unshown, nothing is kept. */
export function notificationDownloadsAsker(notifications: NoticeBoard, answerMs = NOTICE_ANSWER_MS): DownloadsAsker {
  return (question) =>
    askByNotice(
      notifications,
      {
        summary: `Keep ${downloadsCount(question.names)} downloaded in NoFear?`,
        body: `${listed(question.names)}: from a web page in a throwaway VM. Kept, ${question.names.length === 1 ? 'it goes' : 'they go'} to ${question.folder}, marked as from outside.`,
        actions: [
          ['keep', 'Keep'],
          ['discard', 'Discard'],
        ],
      },
      { keep: 'keep', discard: 'discard' } as const,
      'discard',
      answerMs,
    );
}

/** What became of a link VM's downloads, in one sentence; nothing when there were none. */
export function describeDownloads(outcome: DownloadsOutcome): string | undefined {
  const left = outcome.left.length === 0 ? '' : `; left in the VM: ${outcome.left.slice(0, 5).join('; ')}${outcome.left.length > 5 ? '; …' : ''}`;
  switch (outcome.kind) {
    case 'none':
      return left === '' ? undefined : `no download from the web page's VM was offered${left}`;
    case 'discarded':
      return `the web page's downloads were not kept (${listed(outcome.names)})${left}`;
    case 'kept':
      if (outcome.paths.length === 0) return `none of the web page's downloads could be kept${left}`;
      return `kept from the web page's VM in ${outcome.folder}, marked as from outside: ${listed(outcome.paths.map((p) => path.basename(p)))}${left}`;
  }
}
