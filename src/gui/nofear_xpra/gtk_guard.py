# The last line behind the client's policy: no GTK toplevel other than a guest's window is ever shown,
# and no GTK menu pops up. Xpra's session info, bug report, file and URL prompts, password dialog,
# tray and menus are all GTK windows or menus; whatever path would open one (a guest packet, a key
# shortcut, a code path the policy missed), it stays unmapped, with one line in the client's log.

import sys

from gi.repository import Gtk


def install(is_guest_window):
    """Patches GTK's Python entry points so that a non-guest toplevel cannot be shown."""

    def guarded(original):
        def guard(widget, *args, **kwargs):
            if isinstance(widget, Gtk.Window) and not is_guest_window(widget):
                sys.stderr.write("nofear: kept %s (%r) from opening\n" % (type(widget).__name__, widget.get_title()))
                return None
            return original(widget, *args, **kwargs)
        return guard

    def guarded_visible(original):
        def set_visible(widget, visible):
            if visible and isinstance(widget, Gtk.Window) and not is_guest_window(widget):
                return None
            return original(widget, visible)
        return set_visible

    for cls, name in ((Gtk.Widget, "show"), (Gtk.Widget, "show_all"), (Gtk.Widget, "show_now"),
                      (Gtk.Widget, "map"), (Gtk.Window, "present"), (Gtk.Window, "present_with_time"),
                      (Gtk.Dialog, "run")):
        setattr(cls, name, guarded(getattr(cls, name)))
    Gtk.Widget.set_visible = guarded_visible(Gtk.Widget.set_visible)

    def no_popup(*_args, **_kwargs):
        return None

    for name in ("popup", "popup_at_pointer", "popup_at_widget", "popup_at_rect"):
        if hasattr(Gtk.Menu, name):
            setattr(Gtk.Menu, name, no_popup)
    Gtk.StatusIcon.set_visible = no_popup  # no tray icon either
