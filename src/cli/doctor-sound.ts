// doctor's sound line: whether a VM's sound can play here. The host needs a sound server (PulseAudio, or
// PipeWire's pulse socket) and pacat, the playback-only player; the guest, which runs this machine's
// /usr, needs PulseAudio, GStreamer's Python bindings and the plugins Xpra's server records and encodes
// with (pulsesrc, wavenc). Never a microphone: there is nothing to check for one.
import { existsSync } from 'node:fs';
import { soundReadiness } from '../gui/speaker.js';
import type { Check } from './doctor-check.js';

const GST_PLUGINS = '/usr/lib/x86_64-linux-gnu/gstreamer-1.0';

/** What the guest's Xpra server needs for sound, as files in this machine's /usr, with the package each comes from. */
export const GUEST_SOUND_FILES = [
  ['/usr/bin/pulseaudio', 'pulseaudio'],
  ['/usr/lib/python3/dist-packages/gi/overrides/Gst.py', 'python3-gst-1.0'],
  [`${GST_PLUGINS}/libgstpulseaudio.so`, 'gstreamer1.0-plugins-good'],
  [`${GST_PLUGINS}/libgstwavenc.so`, 'gstreamer1.0-plugins-good'],
  [`${GST_PLUGINS}/libgstaudioconvert.so`, 'gstreamer1.0-plugins-base'],
  [`${GST_PLUGINS}/libgstapp.so`, 'gstreamer1.0-plugins-base'],
] as const;

export function soundCheck(env: NodeJS.ProcessEnv, policy: string, exists: (file: string) => boolean = existsSync): Check {
  const name = 'sound';
  const missing = [...new Set(GUEST_SOUND_FILES.filter(([file]) => !exists(file)).map(([, pkg]) => pkg))];
  if (missing.length > 0) {
    return { name, status: 'WARN', detail: `VMs play no sound: the guest's Xpra lacks ${missing.join(', ')}`, fix: `sudo apt-get install ${missing.join(' ')}` };
  }
  const host = soundReadiness(env);
  if (!host.ok) return { name, status: 'WARN', detail: `VMs play no sound: ${host.why}`, fix: host.fix };
  return { name, status: 'OK', detail: `a VM's sound plays through ${host.pacat} (playback only, never a microphone); [gui] sound = ${policy}` };
}
