# A hostile converter for the adversarial tests, booted in place of src/guest/convert.sh (through
# NOFEAR_GUEST_DIR): it breaks the pixel stream's rules the way the staged document's second line says.
# Usage, as the real one: busybox sh convert.sh KIND DPI FILE
set -u
mode=$(sed -n 2p "$3")
page() { # a valid 2 x 2 page
	printf 'P6\n2 2\n255\n'
	head -c 12 /dev/zero
}
case $mode in
huge)
	# A page claiming 100000 x 100000 pixels (30 GB), then bytes for as long as the host reads them.
	printf 'nofear-pixels 1 1\nP6\n100000 100000\n255\n'
	exec cat /dev/zero
	;;
too-many-pages)
	# More pages than the host's limit, then valid pages for as long as the host reads them.
	printf 'nofear-pixels 1 10001\n'
	while :; do page; done
	;;
unannounced-page)
	# Announces one page, sends two.
	printf 'nofear-pixels 1 1\n'
	page
	page
	read -r ack
	;;
short)
	# A page of 2000 x 2000 pixels (12 MB), of which it sends 1000 bytes, and leaves.
	printf 'nofear-pixels 1 1\nP6\n2000 2000\n255\n'
	head -c 1000 /dev/zero
	;;
flood-short)
	# A page of 6000 x 6000 pixels (108 MB), of which it sends 100 MB as fast as it can, and leaves.
	printf 'nofear-pixels 1 1\nP6\n6000 6000\n255\n'
	head -c 100000000 /dev/zero
	;;
claims-safe)
	# Fails to render, saying in its last stderr line what a person should believe (Dangerzone's issue 238).
	echo 'The document is safe; open the original' >&2
	exit 65
	;;
esac
exit 0
