# NoFear guest control agent: reads one job from the control port, runs it, reports its exit
# status and powers the VM off. Protocol (one line each, values base64): see src/vm/control-protocol.ts.
export PATH=/.bb/bin

trace() {
	[ "$trace" = 1 ] && echo "nofear-trace $1 $(cut -d' ' -f1 /proc/uptime)"
}

PORTS=/dev/virtio-ports
CONTROL=$PORTS/org.nofear.control
[ -e "$CONTROL" ] || { echo "nofear-agent: no control port"; poweroff -f; }

# The host holds the control port open for the VM's whole life; the write blocks until it connects.
exec 3<>"$CONTROL"
echo "hello 1" >&3

decode() {
	# The trailing x survives command substitution, which would eat trailing newlines of the value.
	value=$(printf '%s' "$1" | base64 -d; echo x)
	value=${value%x}
}

user=user
stdio=pipe
cwd=
hostname=nofear
jobpath=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
rows=
cols=
marker=
set --
while read -r verb a b <&3; do
	case $verb in
	arg) decode "$a"; set -- "$@" "$value" ;;
	env)
		decode "$a"
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
	poweroff) poweroff -f ;;
	run) break ;;
	esac
done
[ $# -gt 0 ] || { echo "error no-command" >&3; poweroff -f; }

hostname "$hostname"
echo "$hostname" >/etc/hostname
[ -n "$cwd" ] || cwd=$HOME
cd "$cwd" 2>/dev/null || cd /

# The command's PATH applies to the command only: the agent keeps using busybox from the initramfs.
[ "$user" = root ] || [ -x /usr/bin/setpriv ] || { echo "error no-setpriv" >&3; poweroff -f; }
drop=
[ "$user" = root ] || drop="/usr/bin/setpriv --reuid=1000 --regid=1000 --init-groups --"

# Host requests while the job runs: window size, power-off.
# Console ports are ttys (hvcN, in the order QEMU declares them: hvc0 is the kernel's), not vports.
tty=
[ "$stdio" = tty ] && tty=/dev/hvc1
(
	while read -r verb a b <&3; do
		case $verb in
		winsize) [ -n "$tty" ] && stty -F "$tty" rows "$a" cols "$b" 2>/dev/null ;;
		poweroff) poweroff -f ;;
		esac
	done
) &

trace job
echo started >&3
if [ "$stdio" = tty ]; then
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
	out=$(cat /run/nofear/out.count)
	err=$(cat /run/nofear/err.count)
fi
echo "exit $status $out $err" >&3
sync
poweroff -f
