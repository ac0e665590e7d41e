# Asks the user's X server for an untrusted cookie (the SECURITY extension, as `xauth generate
# DISPLAY . untrusted` does) for NoFear's jailed Xpra client, and holds the connection that made it
# for as long as the client runs: the X server revokes a generated cookie when that connection
# closes, and closes the clients that use it. An untrusted client is left two extensions (no XTEST,
# RENDER, XKB or XInput) and cannot read other clients' windows (GetImage), grab the keyboard, or
# send them input: a client taken over through Xpra's decoders is fenced in on the X server too.
#
# Usage: x11-untrusted-cookie.py    (DISPLAY and XAUTHORITY: the user's, trusted)
# Prints "cookie HEX" once it holds one, or "unsupported WHY" and exits; exits when stdin closes.
import sys

SECURITY_CLIENT_UNTRUSTED = 1


def main():
    try:
        from Xlib import display, error
    except ImportError:
        return say("unsupported python3-xlib is not installed")
    try:
        dpy = display.Display()
    except Exception as e:  # Xlib raises several kinds for a display it cannot open
        return say("unsupported the display cannot be opened (%s)" % type(e).__name__)
    if not dpy.has_extension("SECURITY"):
        return say("unsupported this X server has no SECURITY extension")
    try:
        # timeout 0: never expires while this connection lives
        reply = dpy.security_generate_authorization("MIT-MAGIC-COOKIE-1", b"", timeout=0, trust_level=SECURITY_CLIENT_UNTRUSTED)
    except error.XError as e:
        return say("unsupported the X server refused an untrusted cookie (%s)" % type(e).__name__)
    say("cookie " + bytes(reply.auth_data_return).hex())
    sys.stdin.read()  # NoFear holds the other end: the client's end (or NoFear's) ends this
    dpy.close()


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


main()
