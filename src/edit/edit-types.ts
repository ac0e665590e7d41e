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
  /** notKept: what the rename over the original did not carry over (other hard links, an ACL, attributes). */
  | { kind: 'saved-back'; path: string; notKept?: string[] }
  /** save-failed: it could not go where asked (problem says why) and was kept in NoFear's edited folder. */
  | { kind: 'saved-copy'; path: string; why: 'chosen' | 'original-changed' | 'not-writable' | 'save-failed'; problem?: string }
  /** Not saved: the edit is not of the type that was opened. */
  | { kind: 'refused'; reason: string };
