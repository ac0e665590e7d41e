// Text that came from somewhere NoFear does not trust (the guest, a file name, a desktop file) made safe
// to show: no control character a terminal, a notification server or a log reader would act on. Controls
// are shown, not dropped, the way `cat -v` and NoFear's terminal path show them (ESC as ^[, newline as ^J,
// DEL as ^?, the C1 control CSI as M-^[), so a reader sees that something was there and a guest cannot
// forge a second log line, retitle a terminal or hide text behind an escape sequence.

const DEL = 0x7f;
/** U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: line breaks to some readers, not controls. */
const SEPARATORS = /[\u2028\u2029]/g;

function caret(code: number): string {
  return code === DEL ? '^?' : `^${String.fromCharCode(code + 0x40)}`;
}

/** One character of C0, DEL or C1 as `cat -v` shows it. */
function visible(character: string): string {
  const code = character.charCodeAt(0);
  return code >= 0x80 ? `M-${caret(code - 0x80)}` : caret(code);
}

/**
 * Untrusted text on one line: every C0 control (newline and tab included), DEL, C1 control and Unicode
 * line separator shown visibly escaped. The one function for guest text on its way to a terminal, a
 * notification or a log.
 */
export function oneLine(untrusted: string): string {
  return untrusted.replace(/[\x00-\x1f\x7f-\x9f]/g, visible).replace(SEPARATORS, (s) => `<U+${s.charCodeAt(0).toString(16).toUpperCase()}>`);
}

/**
 * The same escaping; with `keepLines`, newlines and tabs stay (NoFear's own multi-line messages, whose
 * guest parts were made one line already). Kept under its old name for its callers.
 */
export function withoutControls(text: string, keepLines = false): string {
  if (!keepLines) return oneLine(text);
  return text
    .split('\n')
    .map((line) => line.split('\t').map(oneLine).join('\t'))
    .join('\n');
}

/** For a notification server: controls escaped, no markup, bounded. */
export function plainText(text: string, max = 300): string {
  return withoutControls(text, true)
    .replace(/[<>&]/g, (c) => ({ '<': '‹', '>': '›', '&': '+' })[c] ?? c)
    .slice(0, max);
}
