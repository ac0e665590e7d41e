# NoFear's host Xpra client: Xpra's own client, with every window title and icon name that comes
# from the (hostile) guest cleaned before it reaches the desktop: no control or bidi-override
# characters, and a bounded length. The title template puts NoFear's marker first, so truncation
# can only cut the guest's part.
# It also tells NoFear, on the descriptor NOFEAR_REPORT_FD names, when it attached and when each guest
# window is first mapped on the host display ("window 0x<X id>"): NoFear's "window" step.
# The client itself is NoFear's subclass of Xpra's GTK3 client (nofear_xpra/), which applies NoFear's
# policy over what the guest may ask; NOFEAR_CLIENT_POLICY=off (for measurements) runs Xpra's own.
import os
import re
import sys

MAX_TITLE = 160
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def clean(text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = UNSAFE.sub("", str(text))
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "\u2026"


REPORT_FD = int(os.environ.pop("NOFEAR_REPORT_FD", "-1") or "-1")
POLICY = os.environ.pop("NOFEAR_CLIENT_POLICY", "on") != "off"
# The guest's PCM goes here (nofear_xpra/speaker.py); the client module reads the same variable.
SOUND_FD = int(os.environ.get("NOFEAR_SOUND_FD", "-1") or "-1")


def close_inherited_descriptors():
    """Only stdio and the report pipe stay open: whatever else NoFear's own parent leaked (bwrap keeps
    what it inherits) must not reach a process that parses the guest's stream."""
    keep = {0, 1, 2, REPORT_FD, SOUND_FD}
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass  # the directory's own descriptor, already closed


close_inherited_descriptors()


def report(line):
    if REPORT_FD < 0:
        return
    try:
        os.write(REPORT_FD, (line + "\n").encode("ascii"))
    except OSError:
        pass  # NoFear has gone: the client is about to be killed with its group


import shutil  # noqa: E402

# NoFear's guest sends rgb pixels only (its server loads no Pillow), and the client decodes nothing else
# (nofear_xpra/packets.py): none of Xpra's image decoders is loaded, nor Pillow for Xpra's logo over
# window icons. Nor are the packet encoders and D-Bus bindings NoFear never uses (rencode is the
# protocol's; D-Bus is off). Each is memory a ready VM's client holds while it waits (Pillow alone
# ~3 MiB), and guest data none of them will ever parse.
os.environ["XPRA_CODEC_FAIL_IMPORT"] = "dec_pillow,dec_webp,dec_jpeg"
os.environ["XPRA_ICON_OVERLAY"] = "0"
for unused in ("yaml", "dbus"):
    sys.modules[unused] = None  # `import yaml` raises ImportError, which Xpra expects of a missing module

try:
    import xpra  # noqa: E402
    import xpra.os_util  # noqa: E402
except ImportError as error:
    sys.stderr.write("nofear: Xpra's Python modules cannot be imported (%s): install xpra\n" % error)
    sys.exit(3)
# NoFear's policy subclasses Xpra 3.1's classes (src/gui/xpra-probe.ts says the same before starting us).
if not re.match(r"^3\.1(\.\d+)?$", str(getattr(xpra, "__version__", ""))):
    sys.stderr.write("nofear: Xpra %s is not a version NoFear's window policy knows (3.1)\n" % clean(getattr(xpra, "__version__", "?")))
    sys.exit(3)

# Xpra's which() imports distutils, which drags in setuptools and pkg_resources: 0.1-0.15 s of every
# client start, for a PATH lookup.
xpra.os_util.which = shutil.which
if POLICY:
    # Xpra runs lsb_release on each call (several per start) to tell the server the distribution,
    # which the hello no longer does.
    xpra.os_util.get_linux_distribution = lambda: ("", "", "")

from xpra.platform import init, set_default_name  # noqa: E402
import xpra.platform.features  # noqa: E402

set_default_name("Xpra")
init()

import gi  # noqa: E402

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
gi.require_version("GdkX11", "3.0")
from gi.repository import Gdk, GdkX11, GObject, Gtk  # noqa: E402,F401 (GdkX11 gives windows get_xid)

# Importing Gtk opened the display; without it Gtk's classes are not set up and nothing below can work.
if Gdk.Display.get_default() is None:
    sys.stderr.write("nofear: the Xpra client cannot open the display %r\n" % os.environ.get("DISPLAY", ""))
    report("no-display")
    sys.exit(1)

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

_reported = set()


def on_map(widget, *_args):
    # Only the guest's own windows: Xpra's client windows carry the guest's window id; menus and
    # tooltips (override-redirect) are not the program's window.
    if getattr(widget, "_override_redirect", True) or not isinstance(getattr(widget, "_id", None), int):
        return True
    gdk_window = widget.get_window()
    xid = gdk_window.get_xid() if gdk_window is not None and hasattr(gdk_window, "get_xid") else 0
    if xid and xid not in _reported:
        _reported.add(xid)
        report("window 0x%x" % xid)
    return True


def on_unmap(widget, *_args):
    gdk_window = widget.get_window()
    xid = gdk_window.get_xid() if gdk_window is not None and hasattr(gdk_window, "get_xid") else 0
    if xid in _reported:
        report("unmapped 0x%x" % xid)
    return True


# Emission hooks see every window's map without touching Xpra's classes (which need the display).
GObject.add_emission_hook(Gtk.Window, "map-event", on_map)
GObject.add_emission_hook(Gtk.Window, "unmap-event", on_unmap)

if POLICY:
    from nofear_xpra import gtk_guard  # noqa: E402

    # Xpra's make_client imports the first of these and instantiates its XpraClient.
    xpra.platform.features.CLIENT_MODULES = ["nofear_xpra.client"]
    gtk_guard.install(lambda window: getattr(type(window), "nofear_guest_window", False))

from xpra.client.ui_client_base import UIXpraClient  # noqa: E402

_after_handshake = UIXpraClient.after_handshake


def after_handshake(client, callback, *args):
    if not getattr(client, "_nofear_attach_reported", False):
        client._nofear_attach_reported = True
        _after_handshake(client, lambda *_a: report("attached"))
    return _after_handshake(client, callback, *args)


UIXpraClient.after_handshake = after_handshake

from xpra.scripts.main import main  # noqa: E402

sys.exit(main("xpra", ["xpra"] + sys.argv[1:]))
