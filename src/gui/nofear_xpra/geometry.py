# Where a guest window may be on the host's screen, and how big: pure functions over rectangles
# (x, y, width, height) in host pixels.

from collections import namedtuple

Rect = namedtuple("Rect", "x y w h")

# A normal window that fits the whole monitor still leaves this much of it uncovered, so that a guest
# cannot paint a fake desktop, lock screen or login prompt over everything (Qubes: allow_fullscreen
# off). Only the desktop's own fullscreen key (the user) makes a window full screen.
FULLSCREEN_GUARD = 48  # px, at the bottom: about a panel's height

# An override-redirect window (menu, tooltip) bigger than this share of its monitor becomes a normal,
# managed window: the user can move, minimise and close it (Qubes' override_redirect_protection uses
# 90 %; "most of the screen" is more than half).
MOST_OF_SCREEN = 0.5


def clamp(value, low, high):
    return max(low, min(value, high))


def normal_window(requested, monitor, workarea):
    """A managed window: inside the work area, and never the whole monitor."""
    max_w = max(1, workarea.w)
    max_h = max(1, workarea.h)
    if max_w >= monitor.w and max_h >= monitor.h:
        # No panel anywhere (a bare X server, a hidden panel): keep a strip free ourselves.
        max_h = max(1, monitor.h - FULLSCREEN_GUARD)
    w = clamp(requested.w, 1, max_w)
    h = clamp(requested.h, 1, max_h)
    x = clamp(requested.x, workarea.x, workarea.x + max_w - w)
    y = clamp(requested.y, workarea.y, workarea.y + max_h - h)
    return Rect(x, y, w, h)


def override_redirect_window(requested, monitor):
    """A menu or tooltip: on its monitor, at most the monitor's size. Returns (rect, keeps_override_redirect)."""
    w = clamp(requested.w, 1, monitor.w)
    h = clamp(requested.h, 1, monitor.h)
    x = clamp(requested.x, monitor.x, monitor.x + monitor.w - w)
    y = clamp(requested.y, monitor.y, monitor.y + monitor.h - h)
    keeps = w * h <= MOST_OF_SCREEN * monitor.w * monitor.h
    return Rect(x, y, w, h), keeps


def size_limits(monitor, workarea):
    """The largest size a normal window may take (for the guest's size hints)."""
    limit = normal_window(Rect(workarea.x, workarea.y, 1 << 15, 1 << 15), monitor, workarea)
    return limit.w, limit.h
