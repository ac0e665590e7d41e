// Merges NoFear's custom actions (Open in NoFear, Edit in NoFear, Convert to a safe PDF with NoFear) into
// Thunar's uca.xml and takes them out again, as text edits around the <action> elements whose unique-id is
// NoFear's: the user's own actions, comments and layout stay as they are. (Thunar rewrites the file in its
// own layout when the user edits actions; the unique-ids still find ours.)
import { invalidArgument } from '../errors.js';

export const THUNAR_ACTION_IDS = ['org.nofear.NoFear.open', 'org.nofear.NoFear.edit', 'org.nofear.NoFear.convert', 'org.nofear.NoFear.trust'] as const;

const HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
// One <action> element that never spans another action's end, holding a NoFear unique-id; plus its line end.
const ourAction = (flags = '') => new RegExp(`[ \\t]*<action>(?:(?!</action>)[\\s\\S])*?<unique-id>\\s*org\\.nofear\\.NoFear\\.[a-z-]+\\s*</unique-id>[\\s\\S]*?</action>[ \\t]*\\n?`, flags);

function notThunars(file: string): Error {
  return invalidArgument(
    `${file} does not look like Thunar's custom actions file (no <actions> element).`,
    `move it aside (mv ${JSON.stringify(file)} ${JSON.stringify(`${file}.bak`)}) and run nofearctl integrate install again`,
  );
}

/**
 * The file with NoFear's actions in it (`action`: their <action> elements), replacing older copies where the
 * first of them stood; `existing` undefined means no file yet.
 */
export function mergeThunarAction(existing: string | undefined, action: string, file: string): string {
  const block = action.endsWith('\n') ? action : `${action}\n`;
  if (existing === undefined || existing.trim() === '') return `${HEADER}<actions>\n${block}</actions>\n`;
  if (ourAction().test(existing)) return removeThunarAction(existing.replace(ourAction(), () => '\0nofear-actions\0')).replace('\0nofear-actions\0', () => block);
  const close = existing.lastIndexOf('</actions>');
  if (close >= 0) {
    const lineStart = existing.lastIndexOf('\n', close - 1) + 1;
    // Before the closing tag's line when it stands alone on it, else right before the tag.
    const at = existing.slice(lineStart, close).trim() === '' ? lineStart : close;
    const lead = at === close && !existing.slice(0, close).endsWith('\n') ? '\n' : '';
    return `${existing.slice(0, at)}${lead}${block}${existing.slice(at)}`;
  }
  const empty = /<actions\s*\/>/.exec(existing);
  if (empty !== null) return existing.replace(empty[0], () => `<actions>\n${block}</actions>`);
  throw notThunars(file);
}

export function removeThunarAction(text: string): string {
  return text.replace(ourAction('g'), '');
}

/** Whether every one of NoFear's actions is there. */
export function hasThunarAction(text: string): boolean {
  const found = new Set([...text.matchAll(/<unique-id>\s*(org\.nofear\.NoFear\.[a-z-]+)\s*<\/unique-id>/g)].map((m) => m[1]));
  return THUNAR_ACTION_IDS.every((id) => found.has(id));
}
