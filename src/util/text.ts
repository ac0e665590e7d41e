// Text that came from somewhere NoFear does not trust (the guest, a file name, a desktop file) made safe
// to show: no control characters a terminal, a notification server or the bus would act on.

/** Removes C0 controls and DEL; keeps newlines and tabs when asked (multi-line messages). */
export function withoutControls(text: string, keepLines = false): string {
  return text.replace(keepLines ? /[\x00-\x08\x0b-\x1f\x7f]/g : /[\x00-\x1f\x7f]/g, '');
}

/** For a notification server: no controls, no markup, bounded. */
export function plainText(text: string, max = 300): string {
  return withoutControls(text, true)
    .replace(/[<>&]/g, (c) => ({ '<': '‹', '>': '›', '&': '+' })[c] ?? c)
    .slice(0, max);
}
