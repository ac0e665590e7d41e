# A hostile guest agent for the adversarial tests: it speaks the control protocol badly on purpose.
# The job's first argument names the misbehaviour.
export PATH=/.bb/bin
exec 3<>/dev/virtio-ports/org.nofear.control
echo "hello 1" >&3
mode=
while read -r verb a b <&3; do
	case $verb in
	arg) [ -z "$mode" ] && mode=$(printf '%s' "$a" | base64 -d) ;;
	arg-word) [ -z "$mode" ] && mode=$a ;;
	run) break ;;
	esac
done
echo started >&3
case $mode in
flood-line) head -c 50000000 /dev/zero | tr '\000' A >&3 ;;
flood-lines) while :; do echo "exit AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; done >&3 ;;
fake-exit) echo "exit 999 0 0" >&3 ;;
escape) printf 'exit 0 0 0 \033]0;evil\007\n' >&3 ;;
overclaim) echo "exit 0 1000000 0" >&3 ;;
flood-started)
	# Every line valid on its own, every one a repeat: the console says when it begins (NOFEAR_CONSOLE=1).
	echo nofear-flood-begins
	while :; do echo started; done >&3
	;;
hang) ;;
esac
# Never power off: the host has to end it.
while :; do sleep 1000; done
