// The host's `xpra attach` command line: every channel off that NoFear does not use, the border and a
// title marker the guest cannot push out of view. Pure.
import type { Border, ClipboardPolicy } from '../config/index.js';

export interface ClientOptions {
  xpra: string;
  socket: string;
  profile: string;
  border: Border;
  clipboard: ClipboardPolicy;
  sound: boolean;
}

/** The marker goes first, so a long guest title cannot hide it. */
export function titleTemplate(profile: string): string {
  const clean = profile.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40);
  return `[NoFear:${clean}] @title@`;
}

export function buildClientArgv(options: ClientOptions): string[] {
  return [
    options.xpra,
    'attach',
    `socket://${options.socket}`,
    `--border=${options.border.colour},${options.border.width}`,
    `--title=${titleTemplate(options.profile)}`,
    '--session-name=NoFear',
    '--file-transfer=no',
    '--open-files=no',
    '--open-url=no',
    '--forward-xdg-open=no',
    '--printing=no',
    '--webcam=no',
    '--mmap=no',
    '--dbus-proxy=no',
    '--dbus-launch=',
    '--notifications=no',
    // "no", not "off": "off" still offers the microphone (and loads Xpra's audio support, which
    // queries GStreamer in a subprocess). The speaker is NoFear's own (nofear_xpra/speaker.py).
    '--microphone=no',
    `--speaker=${options.sound ? 'on' : 'no'}`,
    '--av-sync=no',
    // Clipboard: off, or host-to-guest only; the guest never writes the host's clipboard.
    ...(options.clipboard === 'to-guest' ? ['--clipboard=yes', '--clipboard-direction=to-server'] : ['--clipboard=no']),
    '--tray=no',
    '--system-tray=no',
    '--opengl=no',
    '--bell=no',
    '--xsettings=no',
    '--sharing=no',
    '--remote-logging=no',
    '--mdns=no',
    '--start-new-commands=no',
    '--pings=0',
    '--bandwidth-detection=no',
    // NoFear's guest sends only rgb: no png, video, jpeg or webp decoder, no colourspace converter.
    '--encodings=rgb',
    '--video-decoders=none',
    '--csc-modules=none',
  ];
}
