# NoFear guest GUI bridge: relays the virtio-serial port org.nofear.gui to the Xpra server's unix
# socket, for one host client at a time, for as long as the VM lives.
#
# The host client connects as QEMU starts and sends its hello at once. When the server goes away before
# answering it (its start-up can fail, and the agent then starts it again), what the client sent is
# replayed to the next server: the client cannot tell, and waits for that server's answer instead of
# for ever.
#
# A virtio-serial port cannot be waited on with poll() or read(): both report "readable" / return 0
# while no host client is connected. The driver raises SIGIO when the host connects or disconnects,
# so the bridge blocks SIGIO, waits for it, then probes with a non-blocking read.
import errno
import fcntl
import os
import select
import signal
import socket
import sys
import time

PORT = sys.argv[1]
SERVER = sys.argv[2]
CHUNK = 65536
# A client's hello is a few KiB; past this much unanswered input, a replay is not attempted.
REPLAY_LIMIT = 1 << 20


def log(message):
    sys.stderr.write("nofear-gui-bridge: %s\n" % message)
    sys.stderr.flush()


def open_port():
    fd = os.open(PORT, os.O_RDWR | os.O_NONBLOCK)
    fcntl.fcntl(fd, fcntl.F_SETOWN, os.getpid())
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_ASYNC)
    return fd


def wait_for_host(fd):
    """Returns bytes already read from the host (possibly empty) once a host client is connected."""
    while True:
        try:
            data = os.read(fd, CHUNK)
        except OSError as error:
            if error.errno == errno.EAGAIN:
                return b""  # connected, nothing sent yet
            raise
        if data:
            return data
        # 0 bytes: no host client. Wait for the driver's SIGIO (re-check now and then, in case one was missed).
        signal.sigtimedwait([signal.SIGIO], 5)


def connect_server():
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(SERVER)
            return sock
        except OSError:
            sock.close()
            time.sleep(0.05)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
            view = view[written:]
        except OSError as error:
            if error.errno != errno.EAGAIN:
                raise
            select.select([], [fd], [], 1)


def relay(fd, sock, unanswered):
    """Relays until either side leaves. Returns True when the server left before sending a byte and
    `unanswered` (everything the host sent, kept until the server's first byte) can be replayed."""
    if unanswered:
        try:
            sock.sendall(unanswered)
        except OSError as error:
            log("server went away before answering (%s)" % error)
            return True
    answered = False
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    poller.register(sock.fileno(), select.POLLIN)
    while True:
        for ready, _ in poller.poll():
            if ready == fd:
                try:
                    data = os.read(fd, CHUNK)
                except OSError as error:
                    if error.errno == errno.EAGAIN:
                        continue
                    raise
                if not data:
                    log("host disconnected")
                    return False
                if not answered and unanswered is not None:
                    unanswered += data
                    if len(unanswered) > REPLAY_LIMIT:
                        unanswered = None
                try:
                    sock.sendall(data)
                except OSError as error:
                    # The server died under the client's bytes: a replay resends them.
                    if not answered and unanswered is not None:
                        log("server went away before answering (%s)" % error)
                        return True
                    raise
            else:
                try:
                    data = sock.recv(CHUNK)
                except OSError as error:
                    if not answered and unanswered is not None:
                        log("server went away before answering (%s)" % error)
                        return True
                    raise
                if not data:
                    if not answered and unanswered is not None:
                        log("server closed before answering")
                        return True
                    log("server closed the connection")
                    drain_until_host_leaves(fd)
                    return False
                answered = True
                write_all(fd, data)


def drain_until_host_leaves(fd):
    while True:
        try:
            if not os.read(fd, CHUNK):
                return
        except OSError as error:
            if error.errno != errno.EAGAIN:
                return
            signal.sigtimedwait([signal.SIGIO], 5)


def main():
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGIO])
    fd = open_port()
    while True:
        unanswered = bytearray(wait_for_host(fd))
        log("host connected")
        replay = True
        while replay:
            sock = connect_server()
            try:
                replay = relay(fd, sock, unanswered)
            except OSError as error:
                log("relay ended: %s" % error)
                replay = False
            finally:
                sock.close()
            if replay:
                log("replaying %d bytes to the next server" % len(unanswered))


main()
