# The host's clipboard as the user leaves it: owns CLIPBOARD and PRIMARY with the given texts (GTK, as
# the user's applications do) until stdin closes. For the clipboard test.
#
# Usage: clipboard-owner.py CLIPBOARD_TEXT PRIMARY_TEXT      prints {"owning": true} once both are set
import json
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

Gtk.Clipboard.get(Gdk.SELECTION_CLIPBOARD).set_text(sys.argv[1], -1)
Gtk.Clipboard.get(Gdk.SELECTION_PRIMARY).set_text(sys.argv[2], -1)
sys.stdout.write(json.dumps({"owning": True}) + "\n")
sys.stdout.flush()
GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP, lambda *_: Gtk.main_quit() or False)
Gtk.main()
