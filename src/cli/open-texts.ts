// The words nofear-open says about an open that stays with the terminal, kept in one place: the status
// line (issue 25's other half) and the final line use the same text.

/** In-process opens (no session bus, --no-service, --edit) stay in the foreground until their VMs end. */
export const IN_PROCESS_NOTICE = 'close the window to finish; Ctrl-C stops it';
