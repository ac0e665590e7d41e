#!/.bb/busybox sh
# XKB's compiled-keymap cache for the guest's X server, in front of the real xkbcomp (the agent binds
# this over /usr/bin/xkbcomp, the path Xvfb runs). Xvfb compiles its keymap when it starts, and again
# when the Xpra server sets the host client's: the same text both times (evdev, pc105, us), each compile
# 2.4-10 s of the guest's CPU under TCG. Keyed by the server's arguments and the keymap text it writes
# on stdin. First the keymaps the host compiled into the image (src/vm/guest-keymap.ts, read-only), then
# the ones this VM compiled (in its memory, written by the user the X server runs as: one trust domain);
# a miss runs the real xkbcomp.
export PATH=/.bb/bin
REAL=/.nofear/xkbcomp.real
SEEDED=/.nofear/xkm
CACHE=/run/user/1000/xkm
out=
for arg; do out=$arg; done
# Only the server's form (`-xkm - ... OUT.xkm`, the keymap on stdin) is cached.
case " $* " in
*" -xkm - "*.xkm" ") ;;
*) exec "$REAL" "$@" ;;
esac
# The trailing x survives command substitution, which would eat trailing newlines.
input=$(cat; echo x)
input=${input%x}
key=$( (printf '%s\n' "$@"; printf '%s' "$input") | sha256sum)
key=${key%% *}
# On stderr (the console when tracing): whether the cache served it, and the guest's uptime.
read -r started _ </proc/uptime
for cached in "$SEEDED/$key.xkm" "$CACHE/$key.xkm"; do
	if [ -f "$cached" ] && cp "$cached" "$out"; then
		echo "nofear-xkbcomp: cached keymap ($cached) at $started" >&2
		exit 0
	fi
done
printf '%s' "$input" | "$REAL" "$@" || exit
read -r done _ </proc/uptime
echo "nofear-xkbcomp: compiled from $started to $done" >&2
mkdir -p "$CACHE" && cp "$out" "$CACHE/.$key.$$" && mv "$CACHE/.$key.$$" "$CACHE/$key.xkm"
exit 0
