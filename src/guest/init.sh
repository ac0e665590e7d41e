#!/.bb/busybox sh
# NoFear guest init (PID 1): modules, the host's exports behind overlays, a generated /etc,
# then the control agent. Anything that goes wrong powers the VM off: the host reports it.
# Every command that is not a shell builtin forks busybox, and a fork costs milliseconds under TCG: what
# a builtin can do (read, echo, test, ${var//x/y}) is done by one, so `nofear -t true` stays near the
# boot floor (NOFEAR_TRACE=1 shows the phases).

/.bb/busybox mkdir -p /.bb/bin
/.bb/busybox --install -s /.bb/bin
export PATH=/.bb/bin
umask 022

mount -t proc -o nosuid,nodev,noexec proc /proc
# The kernel's boot ends here (traced once the console is open).
read -r init_up _ </proc/uptime
mount -t sysfs -o nosuid,nodev,noexec sys /sys
mount -t devtmpfs -o nosuid,mode=0755 dev /dev

upper=tmpfs
rwsize=256m
net=none
trace=0
read -r cmdline </proc/cmdline
for word in $cmdline; do
	case $word in
	nofear.upper=*) upper=${word#nofear.upper=} ;;
	nofear.rwsize=*) rwsize=${word#nofear.rwsize=} ;;
	nofear.net=*) net=${word#nofear.net=} ;;
	nofear.trace=1) trace=1 ;;
	esac
done

groups=base
[ "$upper" = disk ] && groups="$groups disk"
[ "$net" = user ] && groups="$groups net"
for group in $groups; do
	while read -r module; do
		insmod "/.nofear/modules/$module.ko" 2>/dev/null
	done <"/.nofear/modules.$group"
done

# hvc0 appears once virtio_console has probed; it can exist a moment before it opens. A failed
# redirection of a special builtin (:, exec) would kill PID 1; of `true` (a regular one) it fails only.
tries=0
until [ -c /dev/hvc0 ] && true >/dev/hvc0 2>/dev/null; do
	tries=$((tries + 1))
	[ $tries -gt 400 ] && poweroff -f
	usleep 5000
done
exec </dev/null >/dev/hvc0 2>&1

# Boot phases on the console, for benchmarks (NOFEAR_TRACE=1): the guest's uptime, read by a builtin.
trace() {
	[ "$trace" = 1 ] || return 0
	read -r up _ </proc/uptime
	echo "nofear-trace $1 $up"
}
export trace
[ "$trace" = 1 ] && echo "nofear-trace init $init_up"
trace console

fatal() {
	echo "nofear-init: $*"
	poweroff -f
}

# Named virtio ports, as udev would link them.
mkdir -p /dev/virtio-ports
for port in /sys/class/virtio-ports/vport*; do
	[ -r "$port/name" ] || continue
	read -r name <"$port/name"
	ln -sf "/dev/${port##*/}" "/dev/virtio-ports/$name"
done
trace ports

# The writable layer: a tmpfs for a throwaway VM, the profile's disk for a persistent one.
mkdir -p /.rw
if [ "$upper" = disk ]; then
	[ -b /dev/vda ] || fatal "profile disk missing"
	mount -t ext4 -o nosuid,nodev /dev/vda /.rw || fatal "cannot mount the profile disk"
else
	mount -t tmpfs -o mode=0755,size="$rwsize" rw /.rw || fatal "cannot mount the writable layer"
fi
mkdir -p /.rw/upper /.rw/work

# overlay DIR LOWER: DIR becomes writable, writes landing in /.rw, never in LOWER.
overlay() {
	mkdir -p "/.rw/upper/$1" "/.rw/work/$1" "/$1"
	mount -t overlay -o "lowerdir=$2,upperdir=/.rw/upper/$1,workdir=/.rw/work/$1,redirect_dir=on" "nofear-$1" "/$1" ||
		fatal "cannot mount the overlay on /$1"
}

for tagfile in /sys/bus/virtio/drivers/9pnet_virtio/*/mount_tag; do
	[ -r "$tagfile" ] || continue
	# The tag ends in a NUL on some kernels: read skips NULs.
	read -r tag <"$tagfile"
	case $tag in
	nf_sys_*)
		name=${tag#nf_sys_}
		mkdir -p "/.lower/$name"
		mount -t 9p -o trans=virtio,version=9p2000.L,ro,nosuid,nodev,cache=loose "$tag" "/.lower/$name" ||
			fatal "cannot mount the host's /$name"
		overlay "$name" "/.lower/$name"
		;;
	nf_shared)
		mkdir -p /shared
		mount -t 9p -o trans=virtio,version=9p2000.L,nosuid,nodev,cache=none,access=client nf_shared /shared ||
			fatal "cannot mount the shared folder"
		chown 1000:1000 /shared
		;;
	nf_export)
		mkdir -p /staging
		mount -t 9p -o trans=virtio,version=9p2000.L,ro,nosuid,nodev,noexec,cache=none nf_export /staging ||
			fatal "cannot mount the staging export"
		;;
	nf_edit)
		# A copy to edit (--edit): writable; the host keeps the guest's owners and modes as xattrs (mapped-xattr).
		mkdir -p /staging
		mount -t 9p -o trans=virtio,version=9p2000.L,nosuid,nodev,noexec,cache=none,access=client nf_edit /staging ||
			fatal "cannot mount the staging export"
		chown -R 1000:1000 /staging
		;;
	esac
done

trace mounted
# Merged-/usr hosts: /bin, /lib... are symlinks into /usr (listed at image build time).
while read -r link target; do
	[ -e "/$link" ] || ln -s "$target" "/$link"
done </.nofear/links

# A persistent profile keeps /etc, /home, /root and /var too.
if [ "$upper" = disk ]; then
	for dir in etc home root var; do
		mkdir -p "/.base/$dir"
		mount --bind "/$dir" "/.base/$dir"
		overlay "$dir" "/.base/$dir"
	done
fi

mkdir -p /tmp /run /dev/pts /dev/shm /run/user/1000
mount -t tmpfs -o mode=1777,nosuid,nodev tmp /tmp
mount -t tmpfs -o mode=0755,nosuid,nodev run /run
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm
mkdir -p /run/user/1000 /run/nofear
chown 1000:1000 /run/user/1000
chmod 700 /run/user/1000 /run/nofear
chown -R 1000:1000 /home/user 2>/dev/null
read -r uuid </proc/sys/kernel/random/uuid
echo "${uuid//-/}" >/etc/machine-id
ip link set lo up
if [ "$net" = user ]; then
	# QEMU's user network: fixed addresses, DNS at 10.0.2.3 (see /etc/resolv.conf).
	ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2
fi

trace init-done
exec /.bb/busybox sh /.nofear/agent.sh
