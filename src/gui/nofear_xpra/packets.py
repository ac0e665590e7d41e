# Which packets from the guest's Xpra server the host client acts on: an allow-list. Anything else
# (including anything Xpra adds later) is dropped before Xpra's handlers see it. Pure.

# Acted on as Xpra would (geometry, metadata and pixels are checked further by the client class).
ALLOWED = frozenset((
    "hello", "disconnect", "set_deflate", "startup-complete", "ping", "ping_echo",
    "connection-lost", "gibberish", "invalid",  # Xpra's own protocol events
    "new-window", "new-override-redirect", "lost-window", "window-move-resize", "window-resized",
    "configure-override-redirect", "window-metadata", "initiate-moveresize",
    "draw", "eos", "cursor", "desktop_size",
))

# Why each known refusal is refused, for the log (and for whoever reads this list).
REFUSED = {
    "control": "the guest does not drive the client (session info, bug report, debug, encoders)",
    "show-desktop": "the guest does not hide the user's windows",
    "open-url": "no URL opens on the host", "send-file": "no file reaches the host",
    "send-file-chunk": "no file reaches the host", "ack-file-chunk": "no file leaves the host",
    "send-data-request": "no file reaches the host", "send-data-response": "no file reaches the host",
    "notify_show": "no desktop notifications", "notify_close": "no desktop notifications",
    "bell": "no bell", "pointer-grab": "no input grabs", "pointer-ungrab": "no input grabs",
    "pointer-position": "the guest does not move the host's pointer",
    "raise-window": "no focus stealing", "new-tray": "no tray icons",
    # Xpra's server sends icons as png only, and the client decodes no png: the window manager shows its
    # own icon, never a picture the guest chose, and NoFear's title marker and border say what it is.
    "window-icon": "no window icons from the guest (the client decodes no png)",
    "challenge": "no password prompt", "setting-change": "the guest does not change client settings",
    "server-event": "not used", "info-response": "not asked for", "rpc-reply": "not asked for",
    "webcam-ack": "no webcam", "webcam-stop": "no webcam", "udp-control": "not used",
}

# Pixel encodings the client decodes: NoFear's guest sends nothing else (its server loads no Pillow),
# and every other decoder (png, video, jpeg, webp) would be attack surface for nothing.
DRAW_CODINGS = frozenset(("rgb24", "rgb32"))


def packet_name(untrusted_type):
    if isinstance(untrusted_type, (bytes, bytearray)):
        return bytes(untrusted_type).decode("latin1")
    return untrusted_type if isinstance(untrusted_type, str) else None


def verdict(name, clipboard, sound):
    """None when the packet may be handled, else why it is refused."""
    if name is None:
        return "an unknown packet type"
    if name in ALLOWED:
        return None
    if name.startswith("clipboard-") or name == "set-clipboard-enabled":
        return None if clipboard else "the clipboard is off"
    if name == "sound-data":
        return None if sound else "sound is off"
    return REFUSED.get(name, "not a packet NoFear's client handles")
