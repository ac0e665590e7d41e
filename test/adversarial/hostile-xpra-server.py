# An Xpra server as root in a hostile guest would run it: Xpra's own protocol classes on a unix
# socket, sending what no well-behaved server sends. For NoFear's host-client tests (no VM needed).
#
# Usage: hostile-xpra-server.py SOCKET SCENARIO WIDTH HEIGHT
#   SCENARIO hostile: grabs (by packet and by metadata), full-screen and off-screen geometry, a host application's WM_CLASS,
#            show-desktop, control packets, URL, file, notification, bell, a password challenge,
#            video pixels, override-redirect windows covering the screen; then a "barrier" window.
#   SCENARIO benign: one window, as NoFear's guest would send it (for the bench).
#   SCENARIO clipboard: one window, a "greedy" clipboard token, then every 150 ms a clipboard-request
#            for CLIPBOARD and PRIMARY (TARGETS and UTF8_STRING), for as long as it runs.
# Prints JSON lines on stdout: {"listening"}, {"hello": caps} (the client's hello),
# {"queued": step} for each step, {"packet": type} for each packet from the client;
# {"clipboard": packet} for each clipboard packet from the client, whole.
import json
import os
import socket
import sys
import threading

from gi.repository import GLib

from xpra.net import packet_encoding
from xpra.net.bytestreams import SocketConnection
from xpra.net.protocol import Protocol

packet_encoding.init()

SOCKET_PATH, SCENARIO, WIDTH, HEIGHT = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])


def emit(**event):
    sys.stdout.write(json.dumps(jsonable(event)) + "\n")
    sys.stdout.flush()


def jsonable(value):
    """The client's packets as JSON: bytes as text, keys as strings."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(jsonable(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def server_hello():
    return {
        "version": "3.1.3", "rencode": True, "compressors": ["zlib"], "windows": True,
        "encoding": "rgb", "encodings": ["rgb", "png"], "encodings.core": ["rgb24", "rgb32", "png"],
        "actual_desktop_size": (WIDTH, HEIGHT), "root_window_size": (WIDTH, HEIGHT),
        "max_desktop_size": (8192, 8192), "desktop_size": (WIDTH, HEIGHT),
        # A hostile server claims every feature, so that nothing is refused for lack of it.
        "pointer.grabs": True, "show-desktop": True, "bell": True, "notifications": True,
        "file-transfer": True, "open-url": True, "open-files": True, "printing": True,
        "window.configure.pointer": True, "start-new-commands": True, "control_commands": True,
    }


def rgb_draw(wid, width, height, sequence, rgb=(200, 40, 40)):
    pixels = bytes(rgb) * (width * height)
    return ["draw", wid, 0, 0, width, height, "rgb24", pixels, sequence, width * 3, {"rgb_format": "RGB"}]


def window(wid, x, y, w, h, title, extra=None, kind="new-window"):
    metadata = {"title": title, "class-instance": ["firefox-esr", "Firefox-esr"]}
    metadata.update(extra or {})
    return [kind, wid, x, y, w, h, metadata]


def hostile_steps():
    W, H = WIDTH, HEIGHT
    return [
        ("victim window, full screen and a host application's class", [
            window(1, 0, 0, W, H, "victim", {
                "fullscreen": True, "maximized": True, "above": True, "skip-taskbar": True,
                "decorations": False, "opacity": 0, "strut": {"top": H}, "window-type": ["DOCK"],
                "size-constraints": {"minimum-size": (W * 2, H * 2)},
            }),
            rgb_draw(1, 64, 64, 1),
        ]),
        ("grabs", [["pointer-grab", 1], ["pointer-grab", 1]]),
        ("geometry", [["window-move-resize", 1, 0, 0, W, H], ["window-move-resize", 1, -500, -500, W * 2, H * 2],
                      ["window-resized", 1, W * 3, H * 3]]),
        ("metadata", [["window-metadata", 1, {"fullscreen": True, "maximized": True,
                                               "class-instance": ["firefox-esr", "Firefox-esr"],
                                               "x11-property": ["_NET_WM_STATE", "atom", 32, ["_NET_WM_STATE_FULLSCREEN"]]}]]),
        ("desktop and dialogs", [["show-desktop", True], ["control", "show_session_info"],
                                 ["control", "show_bug_report"], ["control", "debug", "enable", "all"]]),
        ("host channels", [["open-url", "https://example.com/", "id1"],
                           ["send-file", "evil.desktop", "application/x-desktop", False, True, 5, b"hello", {}],
                           ["notify_show", 0, 1, "xpra", 0, "", "Summary", "Body", 5000, "", [], {}],
                           ["bell", 1, 0, 100, 440, 100, "", 0, ""], ["raise-window", 1],
                           ["challenge", b"salt" * 8, "", "hmac", "xor"]]),
        ("video pixels", [["draw", 1, 0, 0, 64, 64, "h264", b"\0" * 128, 2, 0, {}],
                          ["draw", 1, 0, 0, 64, 64, "jpeg", b"\xff\xd8\xff" + b"\0" * 64, 3, 0, {}]]),
        ("override-redirect windows", [
            window(2, -100, -100, W + 200, H + 200, "cover", {}, "new-override-redirect"),
            window(3, W - 10, H - 10, 300, 200, "menu", {}, "new-override-redirect"),
            ["configure-override-redirect", 3, -5000, 0, 100, 100],
            window(6, 50, 50, 100, 100, "growing menu", {}, "new-override-redirect"),
            ["configure-override-redirect", 6, 0, 0, W, H],
        ]),
        # Xpra grabs for an override-redirect dialog of this class (XPRA_OR_FORCE_GRAB): a grab by metadata.
        ("grab by metadata", [window(5, 100, 100, 200, 100, "java dialog", {
            "class-instance": ["sun-awt-X11-XDialogPeer", "java-app"], "window-type": ["DIALOG"]}, "new-override-redirect")]),
        ("barrier", [window(4, 10, 10, 200, 100, "barrier", {"class-instance": ["barrier", "Barrier"]}), rgb_draw(4, 200, 100, 4)]),
    ]


def clipboard_steps():
    return [("window", [window(1, 100, 100, 320, 200, "paste here", {"class-instance": ["gedit", "Gedit"]}), rgb_draw(1, 320, 200, 1)]),
            # claim, then greedy: a greedy server would get the host's text with every host token.
            ("greedy token", [["clipboard-token", "CLIPBOARD", ["UTF8_STRING"], "", "", 8, "", b"", True, True]])]


CLIPBOARD_CAPS = {"clipboard": True, "clipboard-direction": "both", "clipboards": ["CLIPBOARD", "PRIMARY", "SECONDARY"],
                  "clipboard.enable-selections": True, "clipboard.contents-slice-fix": True}


def benign_steps():
    return [("window", [window(1, 100, 100, 320, 200, "bench", {"class-instance": ["xclock", "XClock"]}), rgb_draw(1, 320, 200, 1)])]


class Scheduler:
    idle_add = staticmethod(GLib.idle_add)
    timeout_add = staticmethod(GLib.timeout_add)
    source_remove = staticmethod(GLib.source_remove)


class HostileServer:
    def __init__(self):
        self.protocol = None
        self.request_id = 0
        self.queue = []  # packets to send, in order (Xpra's protocol pulls them from next_packet)
        self.lock = threading.Lock()

    def send(self, *packets):
        # All at once: Xpra's protocol clears its "more" flag after taking the last queued packet,
        # so a packet queued in between could wait for the next one.
        with self.lock:
            self.queue.extend(packets)
        self.protocol.source_has_more()

    def next_packet(self):
        with self.lock:
            packet = self.queue.pop(0) if self.queue else None
            more = bool(self.queue)
        if packet is None:
            return (None,)
        return (packet, None, None, None, True, more)

    def listen(self):
        if os.path.exists(SOCKET_PATH):
            os.unlink(SOCKET_PATH)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(SOCKET_PATH)
        self.sock.listen(1)
        emit(listening=SOCKET_PATH)
        GLib.io_add_watch(self.sock.fileno(), GLib.IO_IN, self.accept)

    def accept(self, *_args):
        conn, _ = self.sock.accept()
        connection = SocketConnection(conn, conn.getsockname(), conn.getpeername(), SOCKET_PATH, "unix-domain")
        self.protocol = Protocol(Scheduler, connection, self.process, self.next_packet)
        self.protocol.large_packets.append("draw")  # pixels, as a real server sends them
        self.protocol.enable_default_encoder()
        self.protocol.enable_default_compressor()
        self.protocol.start()
        return False  # one client

    def process(self, _protocol, packet):
        name = jsonable(packet[0]) if isinstance(packet[0], bytes) else packet[0]
        if name == "hello":
            emit(hello=packet[1])
            steps = {"hostile": hostile_steps, "clipboard": clipboard_steps}.get(SCENARIO, benign_steps)()
            hello = dict(server_hello(), **(CLIPBOARD_CAPS if SCENARIO == "clipboard" else {}))
            self.send(["hello", hello], *(packet for _, sent in steps for packet in sent))
            for step, _ in steps:
                emit(queued=step)
            if SCENARIO == "clipboard":
                GLib.timeout_add(150, self.poll_clipboard)
        elif name == "connection-lost":
            emit(packet=name)
            loop.quit()
        else:
            emit(packet=name)
            if name.startswith("clipboard-"):
                emit(clipboard=packet)

    def poll_clipboard(self):
        """What a guest reading the host's clipboard at any moment would do."""
        requests = []
        for selection in ("CLIPBOARD", "PRIMARY"):
            for target in ("TARGETS", "UTF8_STRING"):
                self.request_id += 1
                requests.append(["clipboard-request", self.request_id, selection, target])
        self.send(*requests)
        emit(polled=self.request_id)
        return True


loop = GLib.MainLoop()
HostileServer().listen()
loop.run()
