# One thumbnail, the part of NoFear's thumbnailer (thumbs.sh) that parses a file: the first page of a PDF
# or the first frame of an image, at most SIZE pixels on its longer side, as one binary PPM on stdout.
# Usage: busybox sh thumb-one.sh pdf|image SIZE FILE
set -u
case $1 in
pdf)
	if command -v pdftoppm >/dev/null; then exec pdftoppm -f 1 -l 1 -singlefile -scale-to "$2" "$3"; fi
	exec mutool draw -q -w "$2" -h "$2" -c rgb -F pnm -o - "$3" 1
	;;
# Transparency lands on white paper; a small image is not enlarged.
image) exec convert "$3[0]" -thumbnail "$2x$2>" -background white -alpha remove -alpha off -colorspace sRGB -depth 8 ppm:- ;;
esac
exit 64
