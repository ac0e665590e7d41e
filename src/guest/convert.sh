# NoFear's converter, the job of a throwaway VM without network: renders the staged document with the
# host's own tools and writes its pages to stdout as pixels, in the format the host reads
# (src/convert/pixel-stream.ts): "nofear-pixels 1 PAGES", then one binary PPM (P6, 8 bits) per page,
# exactly as pdftoppm, mutool and ImageMagick write them. Problems go to stderr; the exit status says
# which kind (65: the document cannot be rendered, 69: a tool is missing). After the last page it waits
# for the host's "done" on stdin: virtio-serial drops what the host has not read when the VM powers off.
# With a fourth argument "password", the first line on stdin is the document's password (the host sends
# it there, never in an argv or a file); a document that wants one ends with 77, named by the host.
# Usage: busybox sh convert.sh pdf|image|office|mail DPI FILE [password]
set -u
kind=$1
dpi=$2
file=$3
password=

fail() {
	echo "nofear-convert: $2" >&2
	exit "$1"
}
have() {
	command -v "$1" >/dev/null 2>&1
}
if [ "${4:-}" = password ]; then
	IFS= read -r password || fail 70 "the host sent no password line"
fi
work=$(mktemp -d /tmp/nofear-convert.XXXXXX) || fail 70 "cannot make a work directory"

# An office document (or text) becomes a PDF first, through LibreOffice's UNO (office-pdf.py: the only way
# to give it a password), with a profile it can write. The password goes down a pipe (printf is the
# shell's own: no argv); office-pdf.py ends with 77 when the document is protected and it does not open.
if [ "$kind" = office ]; then
	have soffice || fail 69 "LibreOffice is not installed"
	echo "nofear-convert: converting to PDF with LibreOffice" >&2
	# The guest home's prepared profile (src/vm/office-profile.ts) spares LibreOffice its first-start work.
	mkdir -p "$work/.config" "$work/pdf" && cp -r /home/user/.config/libreoffice "$work/.config/" 2>/dev/null
	printf '%s\n' "$password" | HOME=$work /usr/bin/python3 /.nofear/office-pdf.py "$file" "$work/pdf/document.pdf" "$work" >&2
	status=$?
	case $status in
	0) ;;
	69 | 77) exit $status ;;
	*) fail 65 "LibreOffice could not convert the document (status $status)" ;;
	esac
	[ -f "$work/pdf/document.pdf" ] || fail 65 "LibreOffice wrote no PDF"
	file=$work/pdf/document.pdf
	kind=pdf
fi

# A message (.eml, .mbox, .msg) becomes a PDF first, rendered by NoFear's message view (no network, nothing fetched).
if [ "$kind" = mail ]; then
	echo "nofear-convert: rendering the message to PDF" >&2
	/usr/bin/python3 /.nofear/mail-view.py pdf "$file" "$work/message.pdf" >&2 || fail 65 "the message could not be rendered"
	file=$work/message.pdf
	kind=pdf
fi

# The password as each tool takes it (poppler tries it as the owner's and as the user's), or nothing.
pdfpw() {
	cmd=$1
	shift
	if [ -n "$password" ]; then "$cmd" -opw "$password" -upw "$password" "$@"; else "$cmd" "$@"; fi
}
mupw() {
	sub=$2
	shift 2
	if [ -n "$password" ]; then mutool "$sub" -p "$password" "$@"; else mutool "$sub" "$@"; fi
}
count() {
	case $1 in
	pdftoppm) pdfpw pdfinfo "$file" 2>/dev/null | sed -n 's/^Pages: *\([0-9][0-9]*\) *$/\1/p' ;;
	mutool) mupw mutool info "$file" 2>/dev/null | sed -n 's/^Pages: *\([0-9][0-9]*\) *$/\1/p' ;;
	imagemagick) identify -format '%n\n' "$file" 2>/dev/null | head -n 1 ;;
	esac
}

case $kind in
pdf)
	if have pdftoppm && have pdfinfo; then tool=pdftoppm; elif have mutool; then tool=mutool; else fail 69 "neither pdftoppm nor mutool is installed"; fi
	;;
image)
	have convert && have identify || fail 69 "ImageMagick is not installed"
	tool=imagemagick
	;;
*) fail 64 "unknown kind $kind" ;;
esac

# Protected: poppler says "Incorrect password", mutool "cannot authenticate password" (none given or a wrong one).
locked() {
	case $1 in
	pdftoppm) pdfpw pdfinfo "$file" 2>&1 >/dev/null | grep -qi 'incorrect password' ;;
	mutool) mupw mutool info "$file" 2>&1 >/dev/null | grep -qi 'password' ;;
	*) return 1 ;;
	esac
}
if [ $kind = pdf ] && locked $tool; then
	[ -n "$password" ] && fail 77 "the password does not open the document"
	fail 77 "the document is protected by a password"
fi
pages=$(count $tool)
case $pages in
'' | *[!0-9]*) fail 65 "cannot read the document (damaged?)" ;;
esac
printf 'nofear-pixels 1 %s\n' "$pages"
case $tool in
pdftoppm) pdfpw pdftoppm -r "$dpi" "$file" ;;
mutool) mupw mutool draw -q -r "$dpi" -c rgb -F pnm -o - "$file" ;;
# Frames of an animation are whole pictures (coalesce); transparency lands on white paper.
imagemagick) convert "$file" -coalesce -background white -alpha remove -alpha off -colorspace sRGB -depth 8 ppm:- ;;
esac
status=$?
[ $status = 0 ] || fail 65 "$tool could not render every page (status $status)"
read -r ack
[ "$ack" = done ] || fail 70 "the host did not confirm the pages"
exit 0
