// Text that came from inside a VM (a converter's last stderr line, a guest's reason) is the VM's word, never
// NoFear's: it is quoted as such, after NoFear's own words, cleaned and shortened. A hostile renderer that
// prints "The document is safe" is then read as what it is: something the VM said.
import { withoutControls } from './text.js';

/** How much of the VM's words a message quotes (a line, not a page). */
export const VM_WORDS_MAX_CHARS = 120;

/** The one place VM text is cleaned for a message: issue 28's cleaner (C1 controls, line breaks) drops in here. */
export function cleanVmWords(untrustedText: string): string {
  return withoutControls(untrustedText.replace(/[\r\n\t]+/g, ' ')).trim();
}

/** `the VM said: “…”`, or '' when it said nothing worth quoting. */
export function vmSaid(untrustedText: string, maxChars = VM_WORDS_MAX_CHARS): string {
  const clean = cleanVmWords(untrustedText).replace(/[“”]/g, '"');
  if (clean === '') return '';
  const shown = clean.length > maxChars ? `${clean.slice(0, maxChars - 1)}…` : clean;
  return `the VM said: “${shown}”`;
}
