# Xpra 3.1's X event filter as an untrusted X client (SECURITY extension), which the X server leaves
# only XC-MISC and BIG-REQUESTS: no DAMAGE, XFIXES, SHAPE or XKB.
#
# Xpra's event parser (xpra.x11.gtk3.gdk_bindings, Cython) compares every event's type with the
# extensions' event numbers, module globals it defines only for the extensions the server has. Without
# DAMAGE the first comparison raises NameError ("name 'DamageNotify' is not defined") for every event
# that reaches it, so Xpra's own handlers never see SelectionNotify (the host clipboard's answer: a
# paste under [gui] clipboard = to-guest found nothing), PropertyNotify or ConfigureNotify. Each
# missing name gets an event number no X event has: that extension's events simply never match.

NO_EVENT = -1
EXTENSION_EVENTS = ("DamageNotify", "CursorNotify", "XFSelectionNotify", "ShapeNotify", "XKBNotify")


def define_missing(module):
    """Gives each extension event name `module` lacks an impossible number; answers the names given."""
    missing = [name for name in EXTENSION_EVENTS if not hasattr(module, name)]
    for name in missing:
        setattr(module, name, NO_EVENT)
    return missing


def install():
    """Before Xpra's first event; its own set-up (init_x11_filter) still sets the names the server has."""
    from xpra.x11.gtk3 import gdk_bindings

    return define_missing(gdk_bindings)
