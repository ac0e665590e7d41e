# Asks a running tumblerd (Xfce's D-Bus thumbnailer, org.freedesktop.thumbnails.Thumbnailer1) on the session
# bus for the normal-size thumbnails of some files, the way Thunar does, waits for its Finished signal (or the
# deadline), and prints JSON: per file, what tumbler said (ready or its error) and the cached thumbnail's size,
# distinct colours (at most 8) and Thumb::URI. Usage: tumbler-thumbnail.py DEADLINE_S FILE...
import hashlib
import json
import os
import sys

import gi

gi.require_version("GdkPixbuf", "2.0")
from gi.repository import GdkPixbuf, Gio, GLib  # noqa: E402

NAME = "org.freedesktop.thumbnails.Thumbnailer1"
PATH = "/org/freedesktop/thumbnails/Thumbnailer1"

deadline_s = float(sys.argv[1])
files = sys.argv[2:]
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
loop = GLib.MainLoop()
uris = [Gio.File.new_for_path(f).get_uri() for f in files]
mimes = [Gio.File.new_for_path(f).query_info("standard::content-type", 0, None).get_content_type() for f in files]
said = {}
state = {"handle": None, "finished": False, "timed_out": False}


def on_signal(_conn, _sender, _path, _iface, signal, params):
    args = params.unpack()
    if state["handle"] is not None and args[0] != state["handle"]:
        return
    if signal == "Ready":
        for uri in args[1]:
            said[uri] = "ready"
    elif signal == "Error":
        for uri in args[1]:
            said[uri] = "error %d: %s" % (args[2], args[3])
    elif signal == "Finished":
        state["finished"] = True
        loop.quit()


bus.signal_subscribe(NAME, NAME, None, PATH, None, Gio.DBusSignalFlags.NONE, on_signal)


def timed_out():
    state["timed_out"] = True
    loop.quit()
    return False


# tumblerd owns its name once its plugins are loaded: wait for that within the deadline.
GLib.timeout_add(int(deadline_s * 1000), timed_out)
while not state["timed_out"]:
    owner = bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner", GLib.Variant("(s)", (NAME,)), None, 0, -1, None)
    if owner.unpack()[0]:
        break
    GLib.MainContext.default().iteration(False)
    GLib.usleep(20000)
if not state["timed_out"]:
    reply = bus.call_sync(NAME, PATH, NAME, "Queue", GLib.Variant("(asasssu)", (uris, mimes, "normal", "default", 0)), None, 0, -1, None)
    state["handle"] = reply.unpack()[0]
    loop.run()

out = {"finished": state["finished"], "files": {}}
cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "thumbnails", "normal")
for path, uri, mime in zip(files, uris, mimes):
    one = {"mime": mime, "said": said.get(uri)}
    thumb = os.path.join(cache, hashlib.md5(uri.encode()).hexdigest() + ".png")
    if os.path.exists(thumb):
        pixbuf = GdkPixbuf.Pixbuf.new_from_file(thumb)
        pixels, step, stride = pixbuf.get_pixels(), pixbuf.get_n_channels(), pixbuf.get_rowstride()
        colours = set()
        for y in range(pixbuf.get_height()):
            for x in range(pixbuf.get_width()):
                at = y * stride + x * step
                colours.add(pixels[at : at + 3].hex())
                if len(colours) > 8:
                    break
        one.update(width=pixbuf.get_width(), height=pixbuf.get_height(), colours=sorted(colours), uri=pixbuf.get_option("tEXt::Thumb::URI"))
    out["files"][path] = one
print(json.dumps(out))
