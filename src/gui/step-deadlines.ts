// How long each step towards a GUI window may take once the VM has booted (the boot has its own
// deadlines, in vm/). Both waits also end at once when the VM or the client ends; the deadlines only
// bound a guest that stalls (a hostile guest paces both). The guest's server gets a fixed, generous
// deadline. The client's attach is paced by the same guest (the handshake, the keymap, the first screen
// update are answered by it) while the program starts beside the server and competes for the guest's
// CPU: LibreOffice starting under TCG on a busy machine held an attach past 60 s. So the attach gets at
// least the server's own deadline, more after a slow server start, and never more than the cap.

export type GuiStep = 'booted' | 'server' | 'attached' | 'window';
export const DEFAULT_DEADLINES: Readonly<Record<'server', number>> = { server: 120_000 };
// With sound, the guest's server answers only after it has asked GStreamer what it can encode (a Python
// subprocess: 48 s measured under TCG on a busy 2-core machine, on top of the server's own start).
export const SOUND_ATTACH_EXTRA_MS = 120_000;
// Idle, the attach took about as long as the server's start (4.9 s against 4.5 s under TCG): five times
// leaves room for the host client's own share and the program's start on a loaded machine.
const ATTACH_PER_SERVER_START = 5;
const ATTACH_FLOOR_MS = DEFAULT_DEADLINES.server;
const ATTACH_CAP_MS = 300_000;

/** The attach deadline once the server's start is known; an explicit deadline (a caller's, a test's) is kept as given. */
export function attachDeadlineMs(serverStartMs: number, sound: boolean, explicit?: number): number {
  if (explicit !== undefined) return explicit;
  const paced = Math.min(ATTACH_CAP_MS, Math.max(ATTACH_FLOOR_MS, ATTACH_PER_SERVER_START * serverStartMs));
  return paced + (sound ? SOUND_ATTACH_EXTRA_MS : 0);
}
