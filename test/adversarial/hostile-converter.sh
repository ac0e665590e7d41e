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
stream-forever)
	# A page of 10000 x 10000 pixels (300 MB), sent a few bytes a second: never silent, never done.
	printf 'nofear-pixels 1 1\nP6\n10000 10000\n255\n'
	while :; do
		printf 'xyz'
		sleep 1
	done
	;;
fill-disk)
	# A page of 4500 x 4500 pixels (61 MB) of incompressible noise, as fast as the host takes it: more than
	# the test's 64 MiB disk holds over its reserve, once the host writes the page into the safe PDF.
	printf 'nofear-pixels 1 1\nP6\n4500 4500\n255\n'
	exec head -c 60750000 /dev/urandom
	;;
stderr-escapes)
	# An error message that tries to colour, retitle and forge a second line, then "cannot render".
	printf 'render failed \033[31mred\033]0;owned\007 \302\233"2J\nnofear-service: forged line\n' >&2
	exit 65
	;;
claims-safe)
	# Fails to render, saying in its last stderr line what a person should believe (Dangerzone's issue 238).
	echo 'The document is safe; open the original' >&2
	exit 65
	;;
esac
exit 0
