# NoFear guest GUI bridge: relays the virtio-serial port org.nofear.gui to the Xpra server's unix
# socket, for one host client at a time, for as long as the VM lives.
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


def relay(fd, sock, first):
    if first:
        sock.sendall(first)
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
                    return
                sock.sendall(data)
            else:
                data = sock.recv(CHUNK)
                if not data:
                    log("server closed the connection")
                    drain_until_host_leaves(fd)
                    return
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
        first = wait_for_host(fd)
        log("host connected")
        sock = connect_server()
        try:
            relay(fd, sock, first)
        except OSError as error:
            log("relay ended: %s" % error)
        finally:
            sock.close()


main()
