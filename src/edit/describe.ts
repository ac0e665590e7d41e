// What becomes of an edit, in one sentence for the terminal and the desktop; nothing for an unchanged copy.
import path from 'node:path';
import type { EditOutcome } from './edit-session.js';

export function describeEditOutcome(file: string, outcome: EditOutcome): string | undefined {
  const name = path.basename(file);
  switch (outcome.kind) {
    case 'unchanged':
      return undefined;
    case 'gone':
      return `${name}: the program removed its copy (or put something else in its place); nothing was saved`;
    case 'discarded':
      return `${name}: the changes were discarded`;
    case 'saved-back':
      return `${name}: the changes were saved back${outcome.notKept === undefined ? '' : ` as a new file, which does not keep ${outcome.notKept.join(', ')}`}`;
    case 'saved-copy': {
      const why = {
        chosen: '',
        'original-changed': ' (the original changed meanwhile)',
        'not-writable': ' (its directory cannot be written)',
        'save-failed': ` (it could not be saved beside the original: ${outcome.problem ?? 'unknown error'})`,
      }[outcome.why];
      return `${name}: the changes were saved as ${outcome.path}${why}`;
    }
    case 'refused':
      return `${name}: the changes were not saved: ${outcome.reason}. Fix: save it in the program under its own type`;
  }
}
