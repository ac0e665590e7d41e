# What the client tells the guest about the host in its hello: nothing that names the host or its
# user. Identity fields become fixed NoFear values, platform and build details are dropped, display
# and monitor names are generic, and only the rgb encoding is offered. Pure.

import re

from nofear_xpra.metadata import SUPPORTED, text

FIXED = {
    "hostname": "nofear",
    "username": "nofear",
    "name": "NoFear",
    "uuid": "0" * 40,
    "argv": ["xpra"],
    "display": ":0",
    "platform": "linux",
    "platform.name": "Linux",
    "platform.platform": "Linux",
    "platform.release": "",
    "platform.sysrelease": "",
    "platform.machine": "x86_64",
    "platform.processor": "",
    "platform.architecture": ["64bit", "ELF"],
    "platform.linux_distribution": ["", "", ""],
    "desktop.names": ["Desktop"],
    # What this client will not do, so that a well-behaved server does not even ask.
    "pointer.grabs": False,
    "show-desktop": False,
    "bell": False,
    "system_tray": False,
    "notifications": False,
    "file-transfer": False,
    "open-files": False,
    "open-url": False,
    "printing": False,
    "control_commands": [],
    "setting-change": False,
    "xdg-menu-update": False,
    "window.raise": False,
    "window.configure.pointer": False,
    "metadata.supported": SUPPORTED,
    "wants_events": False,
    "share": False,
}

# Keys that only describe the host: its machine, its build, its theme, its sound and colour setup.
DROPPED = re.compile(
    r"^(machine_id|mouse\.initial-position|build\..*|theme\..*|icc|display-icc|sound\.pulseaudio.*"
    r"|sound\.device.*|connection-data|encoding\.(video|h264|h265|vp8|vp9|mpeg|full_csc|csc|avcodec|swscale|vpx|webp|jpeg|pillow).*"
    r"|.+\.version)$"
)

ENCODINGS = ("rgb",)
CORE_ENCODINGS = ("rgb24", "rgb32")


def only(values, allowed):
    if not isinstance(values, (list, tuple)):
        return list(allowed)
    return [v for v in values if text(v) in allowed]


def generic_screens(screen_sizes):
    """Xpra's screen_sizes with the display and monitor names replaced (sizes are needed to lay out)."""
    out = []
    for i, screen in enumerate(screen_sizes if isinstance(screen_sizes, (list, tuple)) else ()):
        screen = list(screen)
        if screen:
            screen[0] = ":0.%i" % i
        if len(screen) > 5 and isinstance(screen[5], (list, tuple)):
            screen[5] = [["monitor-%i" % j] + list(m)[1:] for j, m in enumerate(screen[5])]
        out.append(screen)
    return out


def anonymous_hello(caps):
    """The hello Xpra built, reduced to what the guest may know."""
    out = {}
    for key, value in caps.items():
        name = text(key)
        if DROPPED.match(name) and name != "version":
            continue
        out[key] = value
    out.update(FIXED)
    out["encodings"] = only(caps.get("encodings"), ENCODINGS)
    out["encodings.core"] = only(caps.get("encodings.core"), CORE_ENCODINGS)
    if "encoding" in out:
        out["encoding"] = "rgb"
    if "screen_sizes" in out:
        out["screen_sizes"] = generic_screens(out["screen_sizes"])
    return out
