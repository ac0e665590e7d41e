# When the host's clipboard may reach the guest ([gui] clipboard = to-guest): on the user's paste into a
# NoFear window, never otherwise. Xpra answers the guest's clipboard-request whenever sending is on, so
# a guest polling it would read every password the user copies and every text they highlight (issue
# 28, finding 3). Pure: the clock is passed in.
#
# A paste is a key press the user makes in a NoFear window: Ctrl+V, Ctrl+Shift+V or Shift+Insert. It
# opens a short window in which the guest may read CLIPBOARD (an application asks for TARGETS, then
# one or two formats); PRIMARY (highlighted text, middle-click) is never sent. Pasting from a guest
# application's menu does not count: the host cannot tell that click from any other.

# The guest's first request after the paste comes once the key has reached its application through a busy
# TCG guest: 4.4 s for the first paste of a session at load 15 (0.2 s for the next), so a fixed 5 s
# from the key refused some real pastes. The first request may come this late ...
FIRST_REQUEST_S = 15.0
# ... and the rest of the application's exchange (TARGETS, then a format or two) right after it: the gate
# closes this long after the first answer, however early that was (a poller's window is short).
FOLLOW_UP_S = 3.0
# TARGETS, then a text format or two, and retries: far fewer than a poller would like.
ANSWERS_PER_PASTE = 8
PASTED_SELECTION = "CLIPBOARD"


def is_paste_gesture(keyname, modifiers, pressed):
    """Ctrl+V, Ctrl+Shift+V or Shift+Insert pressed (modifiers as Xpra names them: control, shift...)."""
    if not pressed or not isinstance(keyname, str):
        return False
    mods = set(m for m in (modifiers or ()) if isinstance(m, str))
    others = mods - {"control", "shift", "lock", "mod2"}  # Caps Lock and Num Lock do not change a paste
    if others:
        return False
    if keyname.lower() == "v":
        return "control" in mods
    return keyname in ("Insert", "KP_Insert") and mods & {"control", "shift"} == {"shift"}


class PasteGate:
    """Opened by a paste gesture; lets a few CLIPBOARD requests through until it closes."""

    def __init__(self, clock):
        self.clock = clock
        self.until = None
        self.left = 0
        self.answered = False

    def open(self):
        self.until = self.clock() + FIRST_REQUEST_S
        self.left = ANSWERS_PER_PASTE
        self.answered = False

    def is_open(self):
        return self.until is not None and self.clock() < self.until and self.left > 0

    def admit(self, local_selection):
        """True when one request for this selection may be answered now (and counts it)."""
        if local_selection != PASTED_SELECTION or not self.is_open():
            return False
        if not self.answered:
            self.answered = True
            self.until = min(self.until, self.clock() + FOLLOW_UP_S)
        self.left -= 1
        return True
