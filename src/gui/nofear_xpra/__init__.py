# NoFear's policy over what a (hostile) guest may ask of the host's Xpra client.
#
# The guest's Xpra server is root in a VM that opened an untrusted file: everything it sends is
# hostile. Xpra's own client obeys it (grabs, placement, WM_CLASS, its own dialogs, URLs, files);
# this package is a subclass of Xpra's GTK3 client that does not. Modelled on Qubes OS's GUI daemon:
# no input grabs, windows inside the work area and never covering the whole screen, classes prefixed,
# override-redirect windows that would cover most of the screen demoted to managed windows.
#
#   packets.py   which guest packets are acted on at all (an allow-list)
#   geometry.py  where a guest window may be, and how big (pure)
#   metadata.py  which window properties the guest may set, and how (pure)
#   hello.py     what the client tells the guest about the host: fixed NoFear values (pure)
#   client.py    the client subclass that applies the above
#   window.py    the window subclass: no grabs, clamped moves, prefixed WM_CLASS
#   gtk_guard.py no GTK window other than a guest window is ever shown
