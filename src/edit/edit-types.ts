// What an edit's outcome and its question are, shared by the session, saving, and who asks.

export type SaveBackMode = 'ask' | 'always' | 'never';
export type EditDecision = 'back' | 'copy' | 'discard';

export interface EditQuestion {
  /** The file as the user named it. */
  file: string;
  /** Whether the original changed since it was staged (saving back is then not offered). */
  originalChanged: boolean;
}

export type EditAsker = (question: EditQuestion) => Promise<EditDecision>;

export type EditOutcome =
  | { kind: 'unchanged' }
  /** The program removed the copy or put something other than a file in its place. */
  | { kind: 'gone' }
  | { kind: 'discarded' }
  | { kind: 'saved-back'; path: string }
  | { kind: 'saved-copy'; path: string; why: 'chosen' | 'original-changed' | 'not-writable' }
  /** Not saved: the edit is not of the type that was opened. */
  | { kind: 'refused'; reason: string };
