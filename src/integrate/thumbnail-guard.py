# NoFear's thumbnail guard. GNOME's thumbnail factory runs it in place of the host's own thumbnailer (NoFear's
# .thumbnailer entries, in the user's thumbnailers dir, come before the system's), inside the factory's
# bubblewrap sandbox: it sees /usr and the file bound as /tmp/gnome-desktop-file-to-thumbnail.EXT, no home,
# no session bus. A file from outside (NoFear's mark or a browser's, and no trust mark), or one whose marks
# cannot be read, gets a neutral placeholder and nothing parses it; any other file goes to the host's original
# thumbnailer, run exactly as its .thumbnailer says. Standard library only: it runs with python3 -I -S.
# Usage: thumbnail-guard.py SIZE INPUT OUTPUT -- ORIGINAL-COMMAND (its %s %i %o %u %% not yet expanded)
import errno
import os
import sys
import urllib.parse

# The same attributes and the same rule as src/trust/rule.ts: the trust mark wins.
TRUSTED = "user.nofear.trusted"
MARKS = ("user.nofear.origin", "user.xdg.origin.url")
# 64x64, light grey with a darker frame: says "no preview", shows nothing of the file.
PLACEHOLDER = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000040000000400802000000250be689000000544944415478daedda310d000008"
    "c030fc4b401b62d0c045209d83fe8b3c5e3c01d4c10000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000a600f7fa5a0d7097c2aaeb8eb1d70000000049454e44ae426082"
)


def has_attr(path, name):
    try:
        os.getxattr(path, name)
        return True
    except OSError as error:
        if error.errno == errno.ENODATA:
            return False
        raise


def from_outside(path):
    try:
        if has_attr(path, TRUSTED):
            return False
        return any(has_attr(path, name) for name in MARKS)
    except OSError:
        return True  # no user xattrs here, or unreadable: it cannot tell, so it parses nothing


def expand(arg, size, infile, outfile):
    # The factory's own expansion (gnome-desktop-thumbnail-script.c): %u is the input's file URI.
    values = {"s": size, "i": infile, "o": outfile, "u": "file://" + urllib.parse.quote(infile), "%": "%"}
    out = []
    i = 0
    while i < len(arg):
        if arg[i] == "%" and i + 1 < len(arg) and arg[i + 1] in values:
            out.append(values[arg[i + 1]])
            i += 2
        else:
            out.append(arg[i])
            i += 1
    return "".join(out)


def main(argv):
    if len(argv) < 5 or argv[4] != "--":
        sys.stderr.write("usage: thumbnail-guard.py SIZE INPUT OUTPUT -- ORIGINAL-COMMAND\n")
        return 2
    size, infile, outfile, original = argv[1], argv[2], argv[3], argv[5:]
    if not original or from_outside(infile):
        with open(outfile, "wb") as out:
            out.write(PLACEHOLDER)
        return 0
    command = [expand(arg, size, infile, outfile) for arg in original]
    os.execvp(command[0], command)
    return 127


sys.exit(main(sys.argv))
