# NoFear guest control agent: reads one job from the control port, runs it, reports its exit
# status and powers the VM off. Protocol (one line each, values base64 or plain words): see
# src/vm/control-protocol.ts. Between the hello and the job's start, and after its exit, shell builtins
# do what they can: each other command forks busybox, milliseconds apiece under TCG (init.sh says more).
export PATH=/.bb/bin

trace() {
	[ "$trace" = 1 ] || return 0
	read -r up _ </proc/uptime
	echo "nofear-trace $1 $up"
}

PORTS=/dev/virtio-ports
CONTROL=$PORTS/org.nofear.control
[ -e "$CONTROL" ] || { echo "nofear-agent: no control port"; poweroff -f; }

# The host holds the control port open for the VM's whole life; the write blocks until it connects.
exec 3<>"$CONTROL"
echo "hello 1" >&3
trace hello

decode() {
	# The trailing x survives command substitution, which would eat trailing newlines of the value.
	value=$(printf '%s' "$1" | base64 -d; echo x)
	value=${value%x}
}

# GUI: Xvfb and the Xpra server as the user, the bridge from the GUI port to the server's socket. Started
# as soon as the host says `gui 1` (a warm VM gets it long before its job), once; the program itself is
# started by this agent on the server's display when the job comes, never through Xpra (which would
# run it through a shell).
GUIDIR=/run/user/1000/nofear
XPRA_SOCKET=/run/user/1000/xpra.sock
X_SOCKET=/tmp/.X11-unix/X100
guidrop="/usr/bin/setpriv --reuid=1000 --regid=1000 --init-groups --"
gui_started=0
# With sound, GStreamer in Xpra's server sees only the plugins its wav path needs: scanning all of /usr's
# plugins into a fresh registry takes minutes under TCG. In the user's runtime dir: the server runs as the
# user, who cannot enter root's /run/nofear (there GStreamer found no plugin, so Xpra offered no codec).
GST_DIR=/run/user/1000/gst
sound_plugins() {
	mkdir -p "$GST_DIR"
	for lib in /usr/lib/x86_64-linux-gnu/gstreamer-1.0 /usr/lib64/gstreamer-1.0; do
		[ -d "$lib" ] || continue
		for p in coreelements app audioconvert audioresample volume pulseaudio wavenc wavparse; do
			[ -e "$lib/libgst$p.so" ] && ln -sf "$lib/libgst$p.so" "$GST_DIR/"
		done
		break
	done
	chown 1000:1000 "$GST_DIR"
}
# The host screen's size (`screen WxH`, before `gui 1`): programs place their windows on it.
screen=1920x1080
start_gui() {
	[ "$gui_started" = 1 ] && return
	gui_started=1
	# The server's log goes to the console only when tracing (benchmarks, debugging).
	guilog=/dev/null
	[ "$trace" = 1 ] && guilog=/dev/hvc0
	mkdir -p "$GUIDIR"
	chown 1000:1000 "$GUIDIR"
	guiport=$(readlink -f "$PORTS/org.nofear.gui")
	[ -c "$guiport" ] || { echo "error no-gui-port" >&3; poweroff -f; }
	chown 1000 "$guiport"
	xpra_extra=
	[ "$sound" = 1 ] && xpra_extra="--pulseaudio=yes --speaker=on --speaker-codec=wav" && sound_plugins
	# [gui] clipboard = to-guest: the host's CLIPBOARD in, never the guest's out (the host client also
	# refuses that direction, and sends only on the user's paste).
	[ "$clipboard" = 1 ] && xpra_extra="$xpra_extra --clipboard=yes --clipboard-direction=to-server"
	# XKB's compiled-keymap cache (xkbcomp.sh) in front of the real xkbcomp, at the path Xvfb runs.
	if [ -x /usr/bin/xkbcomp ] && : >/.nofear/xkbcomp.real && mount --bind /usr/bin/xkbcomp /.nofear/xkbcomp.real; then
		mount --bind /.nofear/xkbcomp /usr/bin/xkbcomp
	fi
	# The server's start-up is Python-heavy (~5 s under TCG): Xvfb and the bridge start beside it.
	(PATH=$jobpath exec $guidrop Xvfb :100 -screen 0 "${screen}x24" -nolisten tcp -noreset -extension GLX) >"$guilog" 2>&1 &
	(PATH=$jobpath exec $guidrop /usr/bin/python3 /.nofear/gui-bridge.py "$guiport" "$XPRA_SOCKET") >"$guilog" 2>&1 &
	# $xpra_extra is unquoted on purpose: fixed words.
	(
		# Xpra gives its recorder subprocess 5 s to report; under TCG its Python and GStreamer start takes
		# longer, and Xpra then kills it ("the sound source process has failed to start"): silence.
		[ "$sound" = 1 ] && export GST_PLUGIN_SYSTEM_PATH_1_0=$GST_DIR GST_PLUGIN_PATH_1_0= GST_REGISTRY_1_0=$GST_DIR/registry.bin XPRA_SOUND_START_TIMEOUT=300000
		# The server gives the host client 1.5 s to answer a paste, then hands the program nothing: short
		# for a busy TCG guest. Xpra 3.1 asserts the value is below 5000 when its clipboard module loads: at
		# 5000 or more the server runs with no clipboard at all (no paste ever reached the guest).
		[ "$clipboard" = 1 ] && export XPRA_CLIPBOARD_REMOTE_TIMEOUT=4900
		# The server never ends while the VM runs, but its start-up can fail: the program starts beside it, and
		# a window that goes away while Xpra lists the display's windows kills it ("cannot start the seamless
		# server: XError: BadWindow"). Start it again: the bridge replays the client's hello to the new one.
		# Three failed starts: the host is told at once, rather than waiting out its deadline.
		for try in 1 2 3; do
			# No Pillow: its Image.init() imports every image plugin in the server's init thread, which the
			# client's hello waits for (~4 s of the attach under TCG); rgb needs none of it (xpra.conf).
			# Its platform probes (lsb_release -a, file -b on its Python, uname -p: a dozen processes, ~0.2 s of
			# CPU natively, many times that under TCG, partly while the client's hello waits) find no-probe.sh
			# first in its PATH, which answers nothing. XPRA_UINPUT=0: on a display it did not start, Xpra runs
			# xprop before it listens, for the uinput device id an earlier server of its own would have left on
			# the root window; the agent's Xvfb never has one (the pointer is XTest's either way).
			(PATH=/.nofear/xpra-probes:$jobpath XPRA_UINPUT=0 XPRA_CONTENT_TYPE_DEFS='title:.*=text' XPRA_CODEC_FAIL_IMPORT=enc_pillow exec $guidrop xpra start :100 --use-display=yes --daemon=no --bind="$XPRA_SOCKET" $xpra_extra)
			echo "nofear-agent: the Xpra server ended (start $try of 3)"
			rm -f "$XPRA_SOCKET"
		done
		echo "error gui-server" >&3
		poweroff -f
	) >"$guilog" 2>&1 &
	(
		until [ -S "$XPRA_SOCKET" ]; do usleep 100000; done
		trace gui-server
		echo "progress gui-server" >&3
	) &
}

# The program's display: wait for Xvfb's socket (bounded), so that the program finds it.
wait_display() {
	tries=0
	until [ -S "$X_SOCKET" ]; do
		tries=$((tries + 1))
		[ $tries -gt 1200 ] && { echo "error no-display" >&3; poweroff -f; }
		usleep 50000
	done
}

# With sound, the program starts once Xpra's PulseAudio listens (bounded: without it, the program runs silent).
PULSE_SOCKET=/run/user/1000/xpra/pulse-100/pulse/native
wait_sound() {
	tries=0
	until [ -S "$PULSE_SOCKET" ] || [ $tries -gt 600 ]; do
		tries=$((tries + 1))
		usleep 50000
	done
}

user=user
stdio=pipe
cwd=
hostname=nofear
jobpath=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
rows=
cols=
marker=
gui=0
sound=0
clipboard=0
set --
while read -r verb a b <&3; do
	case $verb in
	arg) decode "$a"; set -- "$@" "$value" ;;
	# A value of plain characters comes as it is (control-protocol.ts says which): no decoding to fork for.
	arg-word) set -- "$@" "$a" ;;
	env | env-word)
		value=$a
		[ "$verb" = env ] && decode "$a"
		case $value in
		PATH=*) jobpath=${value#PATH=} ;;
		*) export "$value" ;;
		esac
		;;
	cwd) decode "$a"; cwd=$value ;;
	user) user=$a ;;
	stdio) stdio=$a ;;
	hostname) hostname=$a ;;
	winsize) rows=$a; cols=$b ;;
	marker) marker=$a ;;
	gui)
		gui=$a
		[ "$gui" = 1 ] && [ "$stdio" != tty ] && start_gui
		;;
	sound) sound=$a ;;
	clipboard) clipboard=$a ;;
	screen)
		case $a in
		[1-9][0-9][0-9]x[1-9][0-9][0-9] | [1-9][0-9][0-9][0-9]x[1-9][0-9][0-9] | [1-9][0-9][0-9][0-9]x[1-9][0-9][0-9][0-9] | [1-9][0-9][0-9][0-9][0-9]x[1-9][0-9][0-9][0-9]) screen=$a ;;
		esac
		;;
	poweroff) poweroff -f ;;
	run) break ;;
	esac
done
trace job-read
[ $# -gt 0 ] || { echo "error no-command" >&3; poweroff -f; }
# A ready edit VM's copy was staged by the host after init gave /staging to the guest's user: give it now
# (mapped-xattr keeps the owner as an attribute on the host; nothing from the file has run yet).
while read -r source target _; do
	[ "$source $target" = "nf_edit /staging" ] && chown -R 1000:1000 /staging && break
done </proc/mounts

# The kernel's hostname as hostname(1) sets it, without forking it.
echo "$hostname" >/proc/sys/kernel/hostname
echo "$hostname" >/etc/hostname
[ -n "$cwd" ] || cwd=$HOME
cd "$cwd" 2>/dev/null || cd /

# The command's PATH applies to the command only: the agent keeps using busybox from the initramfs.
[ "$user" = root ] || [ -x /usr/bin/setpriv ] || { echo "error no-setpriv" >&3; poweroff -f; }
drop=
[ "$user" = root ] || drop="/usr/bin/setpriv --reuid=1000 --regid=1000 --init-groups --"

# A program on the job's display, as the job's user, with the job's environment (the GUI job itself, and
# what the host launches beside it). What Xpra's start-env would give a child: X11 toolkits, no
# accessibility bus, no client-side decorations. With sound, the program plays to the Xpra server's own
# PulseAudio (its socket: Xpra's runtime dir for :100). $drop is unquoted on purpose: fixed words.
on_display() {
	[ "$sound" = 1 ] && export PULSE_SERVER=unix:$PULSE_SOCKET
	PATH=$jobpath DISPLAY=:100 GDK_BACKEND=x11 QT_QPA_PLATFORM=xcb NO_AT_BRIDGE=1 GTK_CSD=0 exec $drop "$@"
}

# Host requests while the job runs: window size, power-off, and (a GUI job) another program beside it, a
# second link for the browser that runs: `launch-arg` lines (base64, each one argument, never a shell's
# words), then `launch N`, answered `launched N` once it started. Its exit is nobody's status: the job's is.
# Console ports are ttys (hvcN, in the order QEMU declares them: hvc0 is the kernel's), not vports.
tty=
[ "$stdio" = tty ] && tty=/dev/hvc1
(
	set --
	while read -r verb a b <&3; do
		case $verb in
		winsize) [ -n "$tty" ] && stty -F "$tty" rows "$a" cols "$b" 2>/dev/null ;;
		poweroff) poweroff -f ;;
		launch-arg) decode "$a"; set -- "$@" "$value" ;;
		launch)
			case $a in
			'' | *[!0-9]*) ;;
			*)
				if [ "$gui" = 1 ] && [ "$stdio" != tty ] && [ $# -gt 0 ]; then
					(on_display "$@") </dev/null >/dev/null 2>&1 &
					echo "launched $a" >&3
				fi
				;;
			esac
			set --
			;;
		esac
	done
) &

trace job
echo started >&3
if [ "$gui" = 1 ] && [ "$stdio" != tty ]; then
	start_gui
	wait_display
	[ "$sound" = 1 ] && wait_sound
	# A window program's stdout reaches the host only when asked (NoFear's message view exports attachments there).
	guiout=/dev/null
	[ "$stdio" = pipe ] && guiout=$PORTS/org.nofear.stdout
	(on_display "$@") </dev/null >"$guiout" 2>/dev/null
	status=$?
	out=0
	err=0
elif [ "$stdio" = tty ]; then
	if [ "$gui" = 1 ]; then
		# The debugging shell of the original NoFear: GUI programs started from it are forwarded.
		start_gui
		export DISPLAY=:100
	fi
	# A tty forgets its size when its last opener closes it: hold it open while setting the size.
	exec 4<>"$tty"
	[ -n "$rows" ] && stty -F "$tty" rows "$rows" cols "$cols" 2>/dev/null
	# $drop is unquoted on purpose: fixed words, split into the command that drops to the user.
	(PATH=$jobpath exec setsid -c $drop "$@") <>"$tty" >&0 2>&0
	status=$?
	printf '\033]nofear-end;%s\007' "$marker" >"$tty"
	out=0
	err=0
elif [ "$stdio" = none ]; then
	# No host stdio (the service, GUI programs): output goes nowhere, never onto the console.
	(PATH=$jobpath exec $drop "$@") </dev/null >/dev/null 2>&1
	status=$?
	out=0
	err=0
else
	# Counting the bytes lets the host wait for all of them before it exits: virtio-serial does not
	# tell the host when the guest closes a port.
	mkfifo /run/nofear/out /run/nofear/err
	tee "$PORTS/org.nofear.stdout" </run/nofear/out | wc -c >/run/nofear/out.count &
	outpid=$!
	tee "$PORTS/org.nofear.stderr" </run/nofear/err | wc -c >/run/nofear/err.count &
	errpid=$!
	(PATH=$jobpath exec $drop "$@") <"$PORTS/org.nofear.stdin" >/run/nofear/out 2>/run/nofear/err
	status=$?
	wait $outpid $errpid
	read -r out </run/nofear/out.count
	read -r err </run/nofear/err.count
fi
echo "exit $status $out $err" >&3
trace exit
# poweroff -f syncs first (only -n would skip it): a profile's disk keeps what the job wrote.
poweroff -f
