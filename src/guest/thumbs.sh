# NoFear's thumbnailer, the job of a throwaway VM without network: renders the first page of each staged
# file, one after another and small, with the host's own tools (thumb-one.sh), and writes each as one
# record the host reads (src/convert/thumb-stream.ts): "nofear-thumbs 1 COUNT", then per file
# "thumb INDEX BYTES" and BYTES bytes, a pixel stream of one page ("nofear-pixels 1 1" and one binary PPM),
# or none when the file could not be rendered. A file's renderer gets 60 s and MAXBYTES+1 bytes at most:
# a file that makes its renderer loop or flood costs its own thumbnail and not the others'.
# After the last record it waits for the host's "done" on stdin (virtio-serial drops what is unread).
# Usage: busybox sh thumbs.sh SIZE MAXBYTES KIND FILE [KIND FILE ...]
set -u
size=$1
max=$2
shift 2
bb=/.bb/busybox
work=$(mktemp -d /tmp/nofear-thumbs.XXXXXX) || exit 70
printf 'nofear-thumbs 1 %s\n' $(($# / 2))
i=0
while [ $# -ge 2 ]; do
	rm -f "$work/failed"
	{
		printf 'nofear-pixels 1 1\n'
		$bb timeout 60 $bb sh /.nofear/thumb-one.sh "$1" "$size" "$2" 2>/dev/null || : >"$work/failed"
	} | $bb head -c $((max + 1)) >"$work/out"
	# Not rendered (or cut short by head, which ends the renderer): no pixels at all for this one.
	[ -e "$work/failed" ] && : >"$work/out"
	printf 'thumb %s %s\n' "$i" "$($bb wc -c <"$work/out" | $bb tr -d ' ')"
	cat "$work/out"
	i=$((i + 1))
	shift 2
done
read -r ack
[ "$ack" = done ] || exit 70
exit 0
