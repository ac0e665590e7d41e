# NoFear's host Xpra client: Xpra's GTK3 client, with NoFear's policy between the guest's packets and
# Xpra's handlers. Found by Xpra's make_client through xpra.platform.features.CLIENT_MODULES.

import os
import sys

from gi.repository import Gdk

from xpra.client.gtk3.client import XpraClient as GTK3XpraClient
from xpra.platform.xposix import gui as xposix_gui
from xpra.platform.xposix import keyboard as xposix_keyboard

from nofear_xpra import geometry, hello, packets, paste, speaker, x11_events
from nofear_xpra.metadata import filter_metadata, wm_class_base
from nofear_xpra.window import NoFearWindow


# Windows a guest may have on the host display at once: far more than a viewer opens (Xpra's own
# limit is none).
MAX_WINDOWS = 64
# Where the guest's PCM goes (the wrapper keeps this descriptor open); -1: no sound.
SOUND_FD = int(os.environ.get("NOFEAR_SOUND_FD", "-1") or "-1")


class Policy:
    """What the policy needs to know: the profile (for WM_CLASS), and which optional channels are on."""

    def __init__(self, env):
        self.wm_class = wm_class_base(env.get("NOFEAR_PROFILE", "") or "guest")
        self.refused_once = set()
        self.clipboard = False
        self.sound = False

    def note_refusal(self, name, why):
        # Once per packet type: a hostile guest can send thousands.
        if name not in self.refused_once:
            self.refused_once.add(name)
            sys.stderr.write("nofear: refused the guest's %r packet: %s\n" % (name, why))


def noop(*_args, **_kwargs):
    return None


def _xkb_rules_names(keyboard, original=xposix_keyboard.Keyboard.get_xkb_rules_names_property):
    # As an untrusted X client (SECURITY extension) the property reads back as text, and Xpra 3.1
    # splits it as bytes and dies: without the names, Xpra uses the core keymap.
    try:
        return original(keyboard)
    except TypeError:
        return []


xposix_keyboard.Keyboard.get_xkb_rules_names_property = _xkb_rules_names

# Xpra's event parser without the extensions an untrusted client is denied (x11_events.py).
x11_events.install()

# Xpra's platform helper listens on the system bus (suspend) and the session bus (screensaver): the
# client has no business on either (and in its jail there is none).
xposix_gui.ClientExtras.setup_dbus_signals = noop

# Xpra's audio mixin asks the host's sound server about itself (pactl info) for its hello: the jailed
# client has no sound server to ask, and the guest is told nothing about the host's.
try:
    from xpra.sound.pulseaudio import pulseaudio_util

    pulseaudio_util.get_info = dict
    pulseaudio_util.set_icon_path = noop
except ImportError:
    pass


class XpraClient(GTK3XpraClient):
    ClientWindowClass = NoFearWindow

    def __init__(self):
        self.nofear = Policy(os.environ)
        GTK3XpraClient.__init__(self)

    def init(self, opts, *args):
        # Whatever a configuration file says: only the channels NoFear uses, only rgb.
        opts.encodings = ["rgb", "rgb24", "rgb32"]  # what Xpra's option parser makes of "rgb"
        opts.video_decoders = []
        opts.csc_modules = []
        opts.key_shortcut = []
        opts.bell = opts.notifications = opts.tray = opts.system_tray = opts.start_new_commands = False
        opts.file_transfer = opts.open_files = opts.open_url = opts.printing = "no"
        self.nofear.clipboard = str(opts.clipboard).lower() not in ("no", "false", "0", "off", "")
        self.nofear.sound = str(opts.speaker).lower() in ("on", "yes", "true", "1") and SOUND_FD >= 0
        # Xpra's own audio stays off (no GStreamer, no sound server, no microphone): the speaker is ours.
        opts.speaker = opts.microphone = "no"
        ok = GTK3XpraClient.init(self, opts, *args)
        if self.nofear.sound:
            speaker.enable(self)
        return ok

    # The speaker: the guest's PCM to NoFear's player, never a microphone (speaker.py) ------------

    def start_sound_sink(self, codec):
        if codec != speaker.CODEC:
            self.nofear.note_refusal("sound-data", "the %r codec (NoFear plays %s only)" % (packets.packet_name(codec), speaker.CODEC))
            return False
        return speaker.start_sink(self, SOUND_FD, codec)

    def start_sending_sound(self, *_args):
        self.nofear.note_refusal("sound-control", "no microphone")

    # The clipboard: to the guest on the user's paste only (clipboard.py) ----------------------------

    def get_clipboard_helper_classes(self):
        if not self.nofear.clipboard:
            return []
        from nofear_xpra import clipboard  # X11 only: imported when the clipboard is on

        return [clipboard.install()]

    def handle_key_action(self, window, key_event):
        helper = self.clipboard_helper
        if helper is not None and self.nofear.clipboard and paste.is_paste_gesture(key_event.keyname, key_event.modifiers, key_event.pressed):
            helper.nofear_paste()  # before the key: the guest's application asks once it sees it
        return GTK3XpraClient.handle_key_action(self, window, key_event)

    # Packets from the guest ---------------------------------------------------------------------

    def process_packet(self, proto, packet):
        name = packets.packet_name(packet[0]) if packet else None
        why = packets.verdict(name, self.nofear.clipboard, self.nofear.sound)
        if why is None and name == "cursor" and len(packet) > 2 and packets.packet_name(packet[1]) == "png":
            why = "a png cursor (the client decodes no png: raw cursors only)"
        if why is None and name == "draw" and not self.nofear_draw_allowed(packet):
            why = "only rgb pixels are decoded"
        if why is not None:
            self.nofear.note_refusal(name, why)
            return
        GTK3XpraClient.process_packet(self, proto, packet)

    def nofear_draw_allowed(self, packet):
        if len(packet) < 10:
            return False  # malformed: nothing to decode, nothing to acknowledge
        if packets.packet_name(packet[6]) in packets.DRAW_CODINGS:
            return True
        wid, width, height, sequence = packet[1], packet[4], packet[5], packet[8]
        # Acknowledged as failed, so that a well-behaved server tries another way.
        self.idle_add(self.send_damage_sequence, wid, sequence, width, height, -1, "refused by NoFear")
        return False

    def cook_metadata(self, new_window, metadata):
        limit = self.nofear_size_limit()
        return GTK3XpraClient.cook_metadata(self, new_window, filter_metadata(dict(metadata), self.nofear.wm_class, limit))

    # The host's colour profiles, read with Pillow's ImageCms: the hello drops them (hello.py), so none are read.
    def get_icc_info(self):
        return {}

    get_display_icc_info = get_icc_info

    def _process_ping(self, packet):
        # Xpra's echo carries the host's load averages: answer without them.
        sid = packet[3] if len(packet) >= 4 else ""
        self.send("ping_echo", packet[1], 0, 0, 0, -1, sid)

    # Windows -----------------------------------------------------------------------------------

    def nofear_monitor(self, rect):
        """The monitor a rectangle is (mostly) on, and its work area, as geometry.Rect."""
        display = Gdk.Display.get_default()
        monitor = display.get_monitor_at_point(rect.x + rect.w // 2, rect.y + rect.h // 2)
        area, work = monitor.get_geometry(), monitor.get_workarea()
        return (geometry.Rect(area.x, area.y, area.width, area.height),
                geometry.Rect(work.x, work.y, work.width, work.height))

    def nofear_size_limit(self):
        monitor, workarea = self.nofear_monitor(geometry.Rect(0, 0, 1, 1))
        return geometry.size_limits(monitor, workarea)

    def make_new_window(self, wid, wx, wy, ww, wh, bw, bh, metadata, override_redirect, client_properties):
        if wid not in self._id_to_window and len(self._id_to_window) >= MAX_WINDOWS:
            # Each window is X resources on the user's display: a guest does not get to exhaust them.
            self.nofear.note_refusal("new-window", "more than %d windows at once" % MAX_WINDOWS)
            return None
        requested = geometry.Rect(wx, wy, ww, wh)
        monitor, workarea = self.nofear_monitor(requested)
        if override_redirect:
            placed, override_redirect = geometry.override_redirect_window(requested, monitor)
            # Still at the guest's position: the window's offset puts it on screen (see window.py).
            ww, wh = placed.w, placed.h
            if not override_redirect:
                wx, wy, ww, wh = geometry.normal_window(placed, monitor, workarea)
        else:
            wx, wy, ww, wh = geometry.normal_window(requested, monitor, workarea)
        return GTK3XpraClient.make_new_window(self, wid, wx, wy, ww, wh, bw, bh, metadata, override_redirect, client_properties)

    def nofear_demote(self, window, rect):
        """An override-redirect window grown over most of the screen becomes a managed window."""
        wid = self._window_to_id.get(window)
        if wid is None:
            return
        backing = getattr(window, "_backing", None)
        bw, bh = backing.size if backing is not None else (rect.w, rect.h)
        metadata, props = window._metadata, window._client_properties
        self.destroy_window(wid, window)
        self._id_to_window.pop(wid, None)
        self._window_to_id.pop(window, None)
        self.make_new_window(wid, rect.x, rect.y, rect.w, rect.h, bw, bh, metadata, False, props)
        self.send_refresh(wid)

    def should_force_grab(self, _metadata):
        return False

    window_grab = window_ungrab = noop

    def parse_server_capabilities(self):
        ok = GTK3XpraClient.parse_server_capabilities(self)
        self.window_configure_pointer = False  # no host pointer position with every configure
        return ok

    # What the guest learns about the host ---------------------------------------------------------

    def send(self, *parts):
        name = parts[0] if parts else None
        if name == "hello" and len(parts) == 2 and isinstance(parts[1], dict):
            parts = ("hello", hello.anonymous_hello(parts[1]))
        elif name == "desktop_size" and len(parts) >= 6:
            parts = list(parts)
            parts[3] = hello.generic_screens(parts[3])
            parts[5] = ["Desktop"] * len(parts[5]) if isinstance(parts[5], (list, tuple)) else ["Desktop"]
        return GTK3XpraClient.send(self, *parts)

    # Xpra's own dialogs, menus and prompts: never.
    show_session_info = show_bug_report = show_about = show_menu = noop
    show_start_new_command = show_server_commands = show_ask_data_dialog = show_file_upload = noop
    ask_data_request = file_size_warning = do_process_challenge_prompt = noop
    _process_control = _process_show_desktop = _process_open_url = _process_pointer_grab = noop
    _process_bell = _process_notify_show = noop
    # Xpra asks the server for all its info once the windows are in, for its session dialog: the server
    # gathers every setting, thread and socket it has (~25 ms of its CPU natively, many times that under TCG,
    # beside the first window's paint), and NoFear refused the answer ("not asked for").
    send_info_request = noop
