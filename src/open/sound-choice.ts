// Whether an open plays the guest's sound on the host: the user's --sound / --no-sound, else
// [gui] sound (media: audio and video files only; a document, an image or a web page stays silent). Pure.
import type { SoundPolicy } from '../config/index.js';

export function soundFor(policy: SoundPolicy, mime: string, asked?: boolean): boolean {
  if (asked !== undefined) return asked;
  if (policy === 'always') return true;
  if (policy === 'never') return false;
  return /^(audio|video)\//i.test(mime);
}
