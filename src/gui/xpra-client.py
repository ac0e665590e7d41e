# NoFear's host Xpra client: Xpra's own client, with every window title and icon name that comes
# from the (hostile) guest cleaned before it reaches the desktop: no control or bidi-override
# characters, and a bounded length. The title template puts NoFear's marker first, so truncation
# can only cut the guest's part.
import re
import sys

MAX_TITLE = 160
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def clean(text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = UNSAFE.sub("", str(text))
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "\u2026"


from xpra.platform import init, set_default_name  # noqa: E402

set_default_name("Xpra")
init()

import gi  # noqa: E402

gi.require_version("Gtk", "3.0")
from gi.repository import Gtk  # noqa: E402

# Patched on Gtk.Window itself: Xpra's window classes import X11 bindings that need the display,
# which only exists once Xpra's main has run; every client window is a Gtk.Window.
_set_title = Gtk.Window.set_title
_set_icon_name = Gtk.Window.set_icon_name


def set_title(window, title):
    _set_title(window, clean(title))


def set_icon_name(window, name):
    _set_icon_name(window, clean(name))


Gtk.Window.set_title = set_title
Gtk.Window.set_icon_name = set_icon_name

from xpra.scripts.main import main  # noqa: E402

sys.exit(main("xpra", ["xpra"] + sys.argv[1:]))
