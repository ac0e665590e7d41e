# What another X client sees on the host display, for the host-client tests (python3-xlib).
#
#   x11-probe.py watch        one JSON line per top-level window mapped (MapNotify on the root, with
#                             SubstructureNotify), with its name, WM_CLASS, override-redirect flag and
#                             geometry, and one per later change of a mapped window's name; runs until
#                             stdin closes. Prints {"watching": true} first.
#   x11-probe.py grab         tries to grab the keyboard and the pointer like any application would;
#                             prints {"keyboard": status, "pointer": status} (0 is GrabSuccess), ungrabs.
#   x11-probe.py inspect ID.. the same fields as `watch`, now, for each window id.
#   x11-probe.py paste ID     the user's Ctrl+V in window ID: focus, then keys through XTEST; prints {"pasted": ID}.
#   x11-probe.py victim       maps a window of its own; prints {"victim": ID}; runs until stdin closes.
#   x11-probe.py attack ID    what this client may do to window ID of another: GetImage of it and of the
#                             root, XTEST input, a keyboard grab; prints each as "allowed..." or why not.
import json
import select
import sys

from Xlib import X, Xatom, display, error

dpy = display.Display()
root = dpy.screen().root
NET_WM_NAME = dpy.intern_atom("_NET_WM_NAME")
NET_WM_STATE = dpy.intern_atom("_NET_WM_STATE")
UTF8 = dpy.intern_atom("UTF8_STRING")


def name_of(window):
    prop = window.get_full_property(NET_WM_NAME, UTF8)
    if prop is not None:
        return prop.value.decode("utf-8", "replace")
    prop = window.get_full_property(Xatom.WM_NAME, X.AnyPropertyType)
    return prop.value.decode("latin1") if prop is not None else None


def describe(window):
    try:
        attributes = window.get_attributes()
        geometry = window.get_geometry()
        origin = window.translate_coords(root, 0, 0)
        wm_class = window.get_wm_class()
        state = window.get_full_property(NET_WM_STATE, Xatom.ATOM)
        return {
            "id": window.id,
            "name": name_of(window),
            "class": list(wm_class) if wm_class else None,
            "override_redirect": bool(attributes.override_redirect),
            "mapped": attributes.map_state == X.IsViewable,
            "geometry": [-origin.x, -origin.y, geometry.width, geometry.height],
            "state": [dpy.get_atom_name(a) for a in state.value] if state is not None else [],
        }
    except (error.BadWindow, error.BadDrawable):
        return {"id": window.id, "gone": True}


def emit(value):
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def watch():
    root.change_attributes(event_mask=X.SubstructureNotifyMask)
    dpy.sync()
    emit({"watching": True})
    while True:
        while dpy.pending_events():
            event = dpy.next_event()
            if event.type == X.MapNotify:
                seen = describe(event.window)
                if seen.get("gone"):
                    # Destroyed before we could look (a demoted menu is replaced at once): the event
                    # still says whether it was override-redirect.
                    seen["override_redirect"] = bool(event.override)
                emit({"map": seen})
                try:
                    event.window.change_attributes(event_mask=X.PropertyChangeMask)
                    dpy.sync()
                except (error.BadWindow, error.BadDrawable):
                    pass
            elif event.type == X.PropertyNotify and event.atom in (NET_WM_NAME, Xatom.WM_NAME):
                try:
                    emit({"renamed": {"id": event.window.id, "name": name_of(event.window)}})
                except (error.BadWindow, error.BadDrawable):
                    pass
        readable, _, _ = select.select([dpy.fileno(), sys.stdin], [], [])
        if sys.stdin in readable and not sys.stdin.readline():
            return


def grab():
    keyboard = root.grab_keyboard(True, X.GrabModeAsync, X.GrabModeAsync, X.CurrentTime)
    pointer = root.grab_pointer(True, X.ButtonPressMask, X.GrabModeAsync, X.GrabModeAsync, X.NONE, X.NONE, X.CurrentTime)
    dpy.ungrab_keyboard(X.CurrentTime)
    dpy.ungrab_pointer(X.CurrentTime)
    dpy.sync()
    emit({"keyboard": keyboard, "pointer": pointer})


def paste(window_id):
    from Xlib.ext import xtest
    from Xlib import XK

    dpy.create_resource_object("window", window_id).set_input_focus(X.RevertToParent, X.CurrentTime)
    dpy.sync()
    control, v = dpy.keysym_to_keycode(XK.XK_Control_L), dpy.keysym_to_keycode(XK.XK_v)
    for kind, code in ((X.KeyPress, control), (X.KeyPress, v), (X.KeyRelease, v), (X.KeyRelease, control)):
        xtest.fake_input(dpy, kind, code)
    dpy.sync()
    emit({"pasted": window_id})


def victim():
    screen = dpy.screen()
    window = screen.root.create_window(10, 10, 100, 100, 0, screen.root_depth, background_pixel=screen.white_pixel)
    window.map()
    dpy.sync()
    emit({"victim": window.id})
    sys.stdin.read()


def attack(window_id):
    out = {"extensions": sorted(dpy.list_extensions())}

    def attempt(name, action):
        try:
            result = action()
            dpy.sync()
            out[name] = "allowed: %s" % (result,)
        except error.XError as e:
            out[name] = "refused: " + type(e).__name__
        except Exception as e:  # the extension is not there at all
            out[name] = "failed: %s %s" % (type(e).__name__, e)

    def image(window):
        return "%d bytes" % len(window.get_image(0, 0, 16, 16, X.ZPixmap, 0xFFFFFFFF).data)

    def type_key():
        from Xlib.ext import xtest

        xtest.fake_input(dpy, X.KeyPress, 38)
        xtest.fake_input(dpy, X.KeyRelease, 38)

    attempt("getimage_other", lambda: image(dpy.create_resource_object("window", window_id)))
    attempt("getimage_root", lambda: image(root))
    attempt("xtest", type_key)
    attempt("grab_keyboard", lambda: root.grab_keyboard(True, X.GrabModeAsync, X.GrabModeAsync, X.CurrentTime))
    emit(out)


if sys.argv[1] == "watch":
    watch()
elif sys.argv[1] == "grab":
    grab()
elif sys.argv[1] == "inspect":
    emit([describe(dpy.create_resource_object("window", int(i, 0))) for i in sys.argv[2:]])
elif sys.argv[1] == "victim":
    victim()
elif sys.argv[1] == "attack":
    attack(int(sys.argv[2], 0))
elif sys.argv[1] == "paste":
    paste(int(sys.argv[2], 0))
