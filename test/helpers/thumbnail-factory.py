# Asks GNOME's real thumbnail factory (gnome-desktop 43 through gir1.2-gnomedesktop-3.0) for one file's
# thumbnail, the way Nautilus does, and prints what came back as JSON: its size and its distinct colours
# (at most 8), or the factory's error. With --save, it also saves the thumbnail into the thumbnail cache, as
# Nautilus does after generating one. Usage: thumbnail-factory.py FILE [--save]
import json
import sys

import gi

gi.require_version("GnomeDesktop", "3.0")
from gi.repository import Gio, GnomeDesktop  # noqa: E402

path = sys.argv[1]
file = Gio.File.new_for_path(path)
info = file.query_info("standard::content-type,time::modified", Gio.FileQueryInfoFlags.NONE, None)
mime = info.get_content_type()
factory = GnomeDesktop.DesktopThumbnailFactory.new(GnomeDesktop.DesktopThumbnailSize.NORMAL)
try:
    pixbuf = factory.generate_thumbnail(file.get_uri(), mime, None)
except Exception as error:  # the factory's GError: the thumbnailer failed
    print(json.dumps({"mime": mime, "error": str(error)}))
    sys.exit(0)
if "--save" in sys.argv[2:]:
    factory.save_thumbnail(pixbuf, file.get_uri(), info.get_attribute_uint64("time::modified"), None)
pixels = pixbuf.get_pixels()
step, stride = pixbuf.get_n_channels(), pixbuf.get_rowstride()
colours = set()
for y in range(pixbuf.get_height()):
    for x in range(pixbuf.get_width()):
        at = y * stride + x * step
        colours.add(pixels[at : at + 3].hex())
        if len(colours) > 8:
            break
print(json.dumps({"mime": mime, "width": pixbuf.get_width(), "height": pixbuf.get_height(), "colours": sorted(colours)}))
