# Drives the guest's GUI bridge (src/guest/gui-bridge.py) on the host: a pty in raw mode stands in for the
# virtio-serial port (the same semantics the bridge relies on: a non-blocking read gives EAGAIN while the
# host is connected and has sent nothing, SIGIO on input), a unix socket for the Xpra server.
# Scenario: the "client" writes its hello; the first server reads it and dies without a byte; the second
# must receive the same hello (the replay) and its answer must reach the client. Prints one JSON line.
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import tty

BRIDGE = sys.argv[1]
HELLO = b"client-hello:" + os.urandom(8).hex().encode()
DEADLINE_S = 20


def read_exactly(sock, size):
    data = b""
    while len(data) < size:
        ready, _, _ = select.select([sock], [], [], DEADLINE_S)
        if not ready:
            raise TimeoutError("the bridge sent %d of %d bytes" % (len(data), size))
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def main():
    master, slave = os.openpty()
    tty.setraw(slave)
    port = os.ttyname(slave)
    work = tempfile.mkdtemp(prefix="nofear-bridge-")
    path = os.path.join(work, "xpra.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)
    bridge = subprocess.Popen([sys.executable, BRIDGE, port, path], stderr=subprocess.PIPE)
    result = {}
    try:
        os.write(master, HELLO)
        first, _ = server.accept()
        result["first"] = read_exactly(first, len(HELLO)).decode()
        first.close()  # dies before answering
        server.settimeout(DEADLINE_S)
        second, _ = server.accept()
        result["second"] = read_exactly(second, len(HELLO)).decode()
        second.sendall(b"server-hello")
        answer = b""
        while len(answer) < len(b"server-hello"):
            ready, _, _ = select.select([master], [], [], DEADLINE_S)
            if not ready:
                break
            answer += os.read(master, 64)
        result["client-got"] = answer.decode()
        result["hello"] = HELLO.decode()
        second.close()
    except Exception as error:  # reported, not raised: the test prints what happened
        result["error"] = repr(error)
    finally:
        bridge.kill()
        _, err = bridge.communicate(timeout=DEADLINE_S)
        result["bridge-log"] = err.decode(errors="replace")
        server.close()
        os.unlink(path)
        os.rmdir(work)
    print(json.dumps(result))


main()
