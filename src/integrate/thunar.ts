// Merges NoFear's custom action into Thunar's uca.xml and takes it out again, as text edits around the one
// <action> element whose unique-id is NoFear's: the user's own actions, comments and layout stay as they are.
// (Thunar rewrites the file in its own layout when the user edits actions; the unique-id still finds ours.)
import { invalidArgument } from '../errors.js';

export const THUNAR_ACTION_ID = 'org.nofear.NoFear.open';

const HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
// One <action> element that never spans another action's end, holding NoFear's unique-id; plus its line end.
const OUR_ACTION = new RegExp(
  `[ \\t]*<action>(?:(?!</action>)[\\s\\S])*?<unique-id>\\s*${THUNAR_ACTION_ID.replaceAll('.', '\\.')}\\s*</unique-id>[\\s\\S]*?</action>[ \\t]*\\n?`,
);

function notThunars(file: string): Error {
  return invalidArgument(`${file} does not look like Thunar's custom actions file (no <actions> element).`, `move it aside (mv ${JSON.stringify(file)} ${JSON.stringify(`${file}.bak`)}) and run nofearctl integrate install again`);
}

/** The file with NoFear's action in it (replacing an older copy of it); `existing` undefined means no file yet. */
export function mergeThunarAction(existing: string | undefined, action: string, file: string): string {
  const block = action.endsWith('\n') ? action : `${action}\n`;
  if (existing === undefined || existing.trim() === '') return `${HEADER}<actions>\n${block}</actions>\n`;
  if (OUR_ACTION.test(existing)) return existing.replace(OUR_ACTION, () => block);
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
  return text.replace(OUR_ACTION, '');
}

export function hasThunarAction(text: string): boolean {
  return OUR_ACTION.test(text);
}
