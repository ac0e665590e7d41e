# NoFear's X11 relay: lets the jailed Xpra client (no network namespace of the host's) reach a
# display that has no filesystem socket: an abstract-only one (@/tmp/.X11-unix/X<n>) or a TCP one
# (ssh -X). Listens on a unix socket that NoFear binds into the jail as /tmp/.X11-unix/X<n>, and
# copies bytes both ways; it never parses them. Node cannot connect to abstract sockets, Python can.
#
# Usage: x11-relay.py LISTEN_PATH abstract NAME | x11-relay.py LISTEN_PATH tcp HOST PORT
# Prints "listening" on stdout once it accepts connections; exits when stdin closes (NoFear went).
import os
import socket
import sys
import threading

CHUNK = 1 << 16


def connect_target():
    if sys.argv[2] == "abstract":
        target = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target.connect("\0" + sys.argv[3])
    else:
        target = socket.create_connection((sys.argv[3], int(sys.argv[4])))
    return target


def pump(source, sink):
    try:
        while True:
            data = source.recv(CHUNK)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    for sock, how in ((sink, socket.SHUT_WR), (source, socket.SHUT_RD)):
        try:
            sock.shutdown(how)
        except OSError:
            pass


def relay(client):
    try:
        target = connect_target()
    except OSError:
        client.close()
        return
    threads = [threading.Thread(target=pump, args=pair, daemon=True) for pair in ((client, target), (target, client))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.close()
    target.close()


def serve(listener):
    while True:
        client, _ = listener.accept()
        threading.Thread(target=relay, args=(client,), daemon=True).start()


def close_inherited_descriptors():
    """Only stdio: nothing NoFear's own parent leaked."""
    for name in os.listdir("/proc/self/fd"):
        if int(name) > 2:
            try:
                os.close(int(name))
            except OSError:
                pass  # the directory's own descriptor


def main():
    close_inherited_descriptors()
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)  # only the user's own processes (the jailed client) may connect
    listener.bind(path)
    os.umask(old)
    listener.listen(16)
    threading.Thread(target=serve, args=(listener,), daemon=True).start()
    sys.stdout.write("listening\n")
    sys.stdout.flush()
    sys.stdin.read()  # NoFear holds the other end: its exit (or its kill) ends the relay
    os.unlink(path)


main()
