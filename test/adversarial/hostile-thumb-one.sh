# A hostile renderer for the thumbnail batch, booted in place of src/guest/thumb-one.sh (through
# NOFEAR_GUEST_DIR): a file whose second line names a mode misbehaves that way, as a file that took over
# its renderer could; any other file is rendered as the real one does.
# Usage, as the real one: busybox sh thumb-one.sh pdf|image SIZE FILE
set -u
case $(sed -n 2p "$3") in
huge)
	# A page claiming 100000 x 100000 pixels, then bytes for as long as anyone reads them.
	printf 'P6\n100000 100000\n255\n'
	exec cat /dev/zero
	;;
malformed)
	# Not a binary PPM at all.
	printf 'P3\n2 2\n255\n0 0 0 255 255 255\n'
	exit 0
	;;
lying)
	# A valid header for 200 x 200, then a few bytes: the record ends short of the page.
	printf 'P6\n200 200\n255\n'
	head -c 300 /dev/zero
	exit 0
	;;
esac
exec pdftoppm -f 1 -l 1 -singlefile -scale-to "$2" "$3"
