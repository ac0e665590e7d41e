# The guest's sound, speaker only, without GStreamer and without the host's sound server: Xpra's "wav"
# stream (a RIFF header, then PCM) is checked here, inside the client's jail, and only its PCM bytes, in
# the one format NoFear plays, go to the descriptor NOFEAR_SOUND_FD names. Outside the jail NoFear copies
# those bytes to a playback-only player (src/gui/speaker.ts): nothing from the guest is parsed there.
# Pure apart from the os.write in PcmPipe.

import os
import struct

CODEC = "wav"
# What NoFear's player is told to play (src/gui/speaker.ts says the same): PCM, s16le, 44100 Hz, stereo.
CHANNELS = 2
RATE = 44100
BITS = 16
FRAME = CHANNELS * BITS // 8
# A header longer than this is not Xpra's wavenc: the stream is refused.
MAX_HEADER = 4096


class WavHeader:
    """Reads a RIFF/WAVE header from the start of a stream: NEED_MORE, then the PCM's offset, or an error."""

    NEED_MORE = None

    def parse(self, untrusted):
        """(offset of the PCM, None), (None, None) when more bytes are needed, or (None, why)."""
        data = bytes(untrusted[:MAX_HEADER])
        if len(data) < 12:
            return self._short(untrusted, "a stream shorter than a RIFF header")
        if data[0:4] != b"RIFF" or data[8:12] != b"WAVE":
            return None, "not a RIFF/WAVE stream"
        pos, fmt_ok = 12, False
        while True:
            if pos + 8 > len(data):
                return self._short(untrusted, "a header longer than %d bytes" % MAX_HEADER)
            chunk, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
            pos += 8
            if chunk == b"data":
                return (pos, None) if fmt_ok else (None, "PCM before its format")
            if pos + size > MAX_HEADER:
                return None, "a header chunk longer than %d bytes" % MAX_HEADER
            if pos + size > len(data):
                return self._short(untrusted, "a header longer than %d bytes" % MAX_HEADER)
            if chunk == b"fmt ":
                why = format_problem(data[pos:pos + size])
                if why is not None:
                    return None, why
                fmt_ok = True
            pos += size + (size & 1)

    @staticmethod
    def _short(untrusted, why):
        return (None, why) if len(untrusted) >= MAX_HEADER else (None, None)


def format_problem(fmt):
    """None when the fmt chunk is NoFear's format, else what differs."""
    if len(fmt) < 16:
        return "a format chunk of %d bytes" % len(fmt)
    tag, channels, rate, byte_rate, align, bits = struct.unpack("<HHIIHH", fmt[:16])
    want = (1, CHANNELS, RATE, RATE * FRAME, FRAME, BITS)
    if (tag, channels, rate, byte_rate, align, bits) != want:
        return "format %d, %d channels, %d Hz, %d bits (NoFear plays PCM, %d channels, %d Hz, %d bits)" % (tag, channels, rate, bits, CHANNELS, RATE, BITS)
    return None


class PcmStream:
    """The byte stream after the header, whole frames only: what may reach the player. Pure."""

    def __init__(self):
        self.header = b""
        self.started = False
        self.error = None
        self.partial = b""

    def feed(self, untrusted):
        """The PCM bytes (whole frames) this chunk adds; b"" while the header is incomplete or after an error."""
        if self.error is not None:
            return b""
        if not self.started:
            self.header += bytes(untrusted)
            offset, why = WavHeader().parse(self.header)
            if why is not None:
                self.error = why
                return b""
            if offset is None:
                return b""
            self.started = True
            untrusted, self.header = self.header[offset:], b""
        data = self.partial + bytes(untrusted)
        cut = len(data) - len(data) % FRAME
        self.partial = data[cut:]
        return data[:cut]


class PcmPipe:
    """Xpra's sound sink, as the client's audio mixin uses it: add_data, get_state, cleanup, sequence, codec."""

    def __init__(self, fd, codec, log):
        self.fd = fd
        self.codec = codec
        self.sequence = 0
        self.stream = PcmStream()
        self.log = log
        self.state = "active"
        self.pending = b""  # the rest of a frame a full pipe cut: frames stay whole on the player's side
        self.dropped = 0
        os.set_blocking(fd, False)  # a stalled player drops sound, never the client's network thread

    def start(self):
        pass

    def get_state(self):
        return self.state

    def get_info(self):
        return {"codec": self.codec, "state": self.state, "dropped": self.dropped}

    def connect(self, *_args):
        pass

    def add_data(self, data, _metadata=None, packet_metadata=()):
        for chunk in tuple(packet_metadata or ()) + (data,):
            if self.state != "active":
                return
            self._write(self.stream.feed(chunk or b""))
            if self.stream.error is not None:
                self.log("the guest's sound is refused: %s" % self.stream.error)
                self.state = "stopped"

    def _write(self, pcm):
        data = self.pending + pcm
        self.pending = b""
        if not data:
            return
        try:
            written = os.write(self.fd, data)
        except BlockingIOError:
            written = 0
        except OSError:
            self.state = "stopped"  # the player has gone
            return
        rest = (FRAME - written % FRAME) % FRAME
        self.pending = data[written:written + rest]
        self.dropped += len(data) - written - len(self.pending)

    def cleanup(self):
        self.state = "stopped"


def enable(client):
    """Xpra's audio mixin, told what NoFear's client does: receive wav, send nothing."""
    from xpra.util import typedict

    client.speaker_allowed = client.speaker_enabled = True
    client.speaker_codecs = [CODEC]
    client.microphone_allowed = client.microphone_enabled = False
    client.microphone_codecs = []
    client.microphone_device = None
    client.sound_properties = typedict({"bundle-metadata": True})


def start_sink(client, fd, codec):
    """The mixin's start_sound_sink: our sink, then the server is asked to start (as Xpra's sink_ready does)."""
    import sys

    def log(line):
        sys.stderr.write("nofear: %s\n" % line)

    sink = PcmPipe(fd, codec, log)
    sink.sequence = client.sound_sink_sequence
    client.sound_sink = sink
    ready, client.on_sink_ready = client.on_sink_ready, None
    if ready is not None:
        client.idle_add(ready)
    return True
