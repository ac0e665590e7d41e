# The host window of one guest window: Xpra's GTK3 client window, except that it never grabs input,
# never moves or grows past NoFear's geometry policy, always carries NoFear's WM_CLASS and title
# marker, and never opens one of Xpra's own dialogs.

import re

from gi.repository import Gdk, GObject

from xpra.client.gtk3.client_window import ClientWindow

from nofear_xpra import geometry
from nofear_xpra.metadata import prefixed_class

MOVERESIZE_SIZE_KEYBOARD = 9  # _NET_WM_MOVERESIZE: the window manager would grab the keyboard
MOVERESIZE_MOVE_KEYBOARD = 10
BUTTONS_HELD = Gdk.ModifierType.BUTTON1_MASK | Gdk.ModifierType.BUTTON2_MASK | Gdk.ModifierType.BUTTON3_MASK


def refused(*_args, **_kwargs):
    """Grabs, fullscreen toggles and Xpra's dialogs: never on a guest's behalf."""
    return None


class NoFearWindow(ClientWindow):
    nofear_guest_window = True  # what gtk_guard lets open

    def init_window(self, metadata):
        ClientWindow.init_window(self, metadata)
        policy = self._client.nofear
        # Before the window is realized, so that GTK writes it into WM_CLASS from the start.
        self.set_wmclass(policy.wm_class, policy.wm_class)
        # Every window carries the marker, even one (a menu, a tooltip) whose title the guest never sets.
        self.set_title(re.sub(r"@[\w\-]*@", "", self._client.title).strip())

    def set_class_instance(self, wmclass_name, wmclass_class):
        base = self._client.nofear.wm_class
        ClientWindow.set_class_instance(self, prefixed_class(base, wmclass_name), prefixed_class(base, wmclass_class))

    keyboard_grab = pointer_grab = toggle_keyboard_grab = toggle_pointer_grab = refused
    toggle_fullscreen = set_fullscreen_monitors = refused
    show_session_info = show_menu = show_start_new_command = show_bug_report = show_file_upload = refused

    def nofear_monitor(self, rect):
        return self._client.nofear_monitor(rect)

    def calculate_window_offset(self, wx, wy, ww, wh):
        """Where Xpra shows an override-redirect window relative to where the guest put it."""
        monitor, _ = self.nofear_monitor(geometry.Rect(wx, wy, ww, wh))
        placed, _ = geometry.override_redirect_window(geometry.Rect(wx, wy, ww, wh), monitor)
        offset = (placed.x - wx, placed.y - wy)
        return offset if offset != (0, 0) else None

    def move_resize(self, x, y, w, h, resize_counter=0):
        requested = geometry.Rect(x, y, w, h)
        monitor, workarea = self.nofear_monitor(requested)
        if self._override_redirect:
            placed, keeps = geometry.override_redirect_window(requested, monitor)
            if not keeps:
                self._client.nofear_demote(self, geometry.normal_window(placed, monitor, workarea))
                return
            # Xpra adds window_offset to the guest's position, and subtracts it from pointer events.
            self.window_offset = (placed.x - x, placed.y - y) if (placed.x, placed.y) != (x, y) else None
            ClientWindow.move_resize(self, x, y, placed.w, placed.h, resize_counter)
            return
        placed = geometry.normal_window(requested, monitor, workarea)
        ClientWindow.move_resize(self, placed.x, placed.y, placed.w, placed.h, resize_counter)

    def resize(self, w, h, resize_counter=0):
        x, y = self._pos
        monitor, workarea = self.nofear_monitor(geometry.Rect(x, y, w, h))
        if self._override_redirect:
            placed, _ = geometry.override_redirect_window(geometry.Rect(x, y, w, h), monitor)
        else:
            placed = geometry.normal_window(geometry.Rect(x, y, w, h), monitor, workarea)
        ClientWindow.resize(self, placed.w, placed.h, resize_counter)

    def initiate_moveresize(self, x_root, y_root, direction, button, source_indication):
        """A window-manager move or resize only while the user holds a button on this window:
        otherwise the window manager would grab the pointer (or, for the keyboard variants, the keyboard)."""
        if direction in (MOVERESIZE_SIZE_KEYBOARD, MOVERESIZE_MOVE_KEYBOARD) or not self.nofear_button_held():
            return
        ClientWindow.initiate_moveresize(self, x_root, y_root, direction, button, source_indication)

    def nofear_button_held(self):
        gdk_window = self.get_window()
        if gdk_window is None:
            return False
        pointer = Gdk.Display.get_default().get_default_seat().get_pointer()
        mask = gdk_window.get_device_position(pointer)[3]
        return bool(mask & BUTTONS_HELD)


GObject.type_register(NoFearWindow)
