# Which window properties the guest may set on its host windows, and how: an allow-list, applied to
# every metadata dictionary before Xpra's client sees it (new windows and later updates alike). Pure.
#
# Refused outright: fullscreen and maximized (the desktop's own keys do that), above/below/sticky/
# skip-taskbar/skip-pager/workspace/shaded (a guest window does not hide from the taskbar, stay on
# top or follow the user), decorations (the window manager's frame stays), opacity and shape (a
# window cannot be invisible or cut its NoFear border away), strut (no reserving screen edges),
# x11-property, command, xid, pid, bypass-compositor, fullscreen-monitors, and anything unknown.

import re

WINDOW_TYPES = frozenset((
    "NORMAL", "DIALOG", "UTILITY", "MENU", "DROPDOWN_MENU", "POPUP_MENU", "TOOLTIP",
    "NOTIFICATION", "COMBO", "DND", "SPLASH", "TOOLBAR",
))  # not DOCK or DESKTOP: those the window manager keeps above or below everything, undecorated

PASSED = frozenset((
    "title", "icon-title", "transient-for", "role", "modal", "has-alpha", "iconic",
    "set-initial-position", "group-leader-xid", "group-leader-wid", "content-type",
))

# Told to the guest's server in the hello, so that it does not even send the rest.
SUPPORTED = sorted(PASSED | {"class-instance", "size-constraints", "window-type"})

MAX_CLASS = 64
MAX_ROLE = 64
CLASS_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]")


def text(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def wm_class_base(profile):
    return "nofear-" + CLASS_UNSAFE.sub("_", profile)[:40]


def prefixed_class(base, untrusted_value):
    """`nofear-<profile>`, or `nofear-<profile>:<guest class>` with the guest's part cleaned."""
    value = text(untrusted_value)
    if value == base or value.startswith(base + ":"):
        value = value[len(base) + 1:]
    value = CLASS_UNSAFE.sub("_", value)[:MAX_CLASS]
    return base + ":" + value if value else base


def clamp_size(untrusted, limit):
    if not isinstance(untrusted, (list, tuple)) or len(untrusted) != 2:
        return None
    w, h = untrusted
    if not isinstance(w, int) or not isinstance(h, int):
        return None
    return (max(0, min(w, limit[0])), max(0, min(h, limit[1])))


def size_constraints(untrusted, limit):
    """Size hints that cannot force a window larger than `limit` (the work area, less the guard)."""
    if not isinstance(untrusted, dict):
        return {}
    out = {}
    for key, value in untrusted.items():
        name = text(key)
        if name in ("minimum-size", "maximum-size", "base-size"):
            size = clamp_size(value, limit)
            if size is not None:
                out[key] = size
        elif name in ("increment", "minimum-aspect-ratio", "maximum-aspect-ratio", "gravity",
                      "set-initial-position"):
            out[key] = value
    return out


def window_types(untrusted):
    if not isinstance(untrusted, (list, tuple)):
        return ["NORMAL"]
    kept = [text(t) for t in untrusted if text(t) in WINDOW_TYPES]
    return kept or ["NORMAL"]


def filter_metadata(untrusted, base, limit):
    """The guest's metadata, reduced to what NoFear lets it set. Keys keep their (bytes) type."""
    out = {}
    for key, value in untrusted.items():
        name = text(key)
        if name in PASSED:
            if name == "role":
                value = text(value)[:MAX_ROLE]
            out[key] = value
        elif name == "class-instance":
            parts = list(value)[:2] if isinstance(value, (list, tuple)) else []
            out[key] = [prefixed_class(base, part) for part in parts] or [base, base]
        elif name == "size-constraints":
            out[key] = size_constraints(value, limit)
        elif name == "window-type":
            out[key] = window_types(value)
    return out
