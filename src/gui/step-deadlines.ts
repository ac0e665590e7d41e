// How long each step towards a GUI window may take once the VM has booted (the boot has its own
// deadlines, in vm/). The guest's server gets a fixed, generous deadline. The client's attach is paced by the same guest that just started its server (the handshake,
// the keymap, the first screen update are answered by it), so its deadline follows how slow that start
// was: a guest that took 40 s to start its server on a busy machine is not given the same 60 s to attach
// as one that took 4 s. It stays bounded, because a hostile guest paces both.

export type GuiStep = 'booted' | 'server' | 'attached' | 'window';
export const DEFAULT_DEADLINES: Readonly<Record<'server' | 'attached', number>> = { server: 120_000, attached: 60_000 };
// With sound, the guest's server answers only after it has asked GStreamer what it can encode (a Python
// subprocess: 48 s measured under TCG on a busy 2-core machine, on top of the server's own start).
export const SOUND_ATTACH_EXTRA_MS = 120_000;
// Idle, the attach took about as long as the server's start (4.9 s against 4.5 s under TCG): five times
// leaves room for the host client's own share on a loaded machine.
const ATTACH_PER_SERVER_START = 5;
const ATTACH_CAP_MS = 300_000;

/** The attach deadline once the server's start is known; an explicit deadline (a caller's, a test's) is kept as given. */
export function attachDeadlineMs(serverStartMs: number, sound: boolean, explicit?: number): number {
  if (explicit !== undefined) return explicit;
  const paced = Math.min(ATTACH_CAP_MS, Math.max(DEFAULT_DEADLINES.attached, ATTACH_PER_SERVER_START * serverStartMs));
  return paced + (sound ? SOUND_ATTACH_EXTRA_MS : 0);
}
