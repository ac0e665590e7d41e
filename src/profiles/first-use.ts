// A profile named for the first time is created, but a name one slip away from an existing profile is a
// typo far more often than a wish for a new, empty one (`nofear -p wrok` meant work). Pure.
import { closest } from '../config/suggest.js';
import { invalidArgument } from '../errors.js';
import { shellWord } from '../util/shell-word.js';
import { DEFAULT_PROFILE } from './store.js';

/** Throws "did you mean" when `name` (which does not exist yet) is within two edits of an existing profile. */
export function checkFirstUse(name: string, existing: readonly string[], command: readonly string[]): void {
  // "default" is the profile plain `nofear` uses: its first use is never a typo.
  if (name === DEFAULT_PROFILE || existing.includes(name)) return;
  const meant = closest(name, existing);
  if (meant === undefined) return;
  const rest = command.length === 0 ? '' : ` ${command.map(shellWord).join(' ')}`;
  throw invalidArgument(`there is no profile ${JSON.stringify(name)}: did you mean ${meant}? (nofear -n ${shellWord(name)} creates it)`, `nofear -p ${shellWord(meant)}${rest}`);
}
