// Text that came from inside a VM (a converter's last stderr line, a guest's reason) is the VM's word, never
// NoFear's: it is quoted as such, after NoFear's own words, cleaned and shortened. A hostile renderer that
// prints "The document is safe" is then read as what it is: something the VM said.
import { oneLine } from './text.js';

/** How much of the VM's words a message quotes (a line, not a page). */
export const VM_WORDS_MAX_CHARS = 120;

/** The one place VM text is cleaned for a message: C0, C1 and line breaks shown visibly, on one line (util/text's oneLine). */
export function cleanVmWords(untrustedText: string): string {
  return oneLine(untrustedText.replace(/^[\s\x00-\x1f\x7f-\x9f]+|[\s\x00-\x1f\x7f-\x9f]+$/g, ''));
}

/** `the VM said: “…”`, or '' when it said nothing worth quoting. */
export function vmSaid(untrustedText: string, maxChars = VM_WORDS_MAX_CHARS): string {
  const clean = cleanVmWords(untrustedText).replace(/[“”]/g, '"');
  if (clean === '') return '';
  const shown = clean.length > maxChars ? `${clean.slice(0, maxChars - 1)}…` : clean;
  return `the VM said: “${shown}”`;
}
