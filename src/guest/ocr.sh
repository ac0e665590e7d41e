# NoFear's OCR, the job of a second throwaway VM without network: it sees only the pages' pixels, as
# PNGs the host wrote (never the original document), runs tesseract over them and writes its TSV to
# stdout, then "nofear-ocr-end"; the host reads it as src/convert/ocr-words.ts says. Like the
# converter, it waits for the host's "done" before it exits.
# Usage: busybox sh ocr.sh LANGUAGE
set -u
language=$1
command -v tesseract >/dev/null 2>&1 || {
	echo "nofear-ocr: tesseract is not installed" >&2
	exit 69
}
work=$(mktemp -d /tmp/nofear-ocr.XXXXXX) || exit 70
ls /staging/page-*.png >"$work/pages" || exit 65
# One tesseract for all pages (its model loads once); one thread per page is all a small VM has.
OMP_THREAD_LIMIT=1 tesseract "$work/pages" stdout -l "$language" tsv || {
	echo "nofear-ocr: tesseract failed" >&2
	exit 65
}
echo nofear-ocr-end
read -r ack
[ "$ack" = done ] || exit 70
exit 0
