# The program Xpra starts in the guest: the job's argv, read from a file so that no shell ever parses
# it (Xpra runs its start commands through one), and its exit status kept for the agent.
export PATH=${NOFEAR_JOB_PATH:-/usr/local/bin:/usr/bin:/bin}
set --
while read -r encoded; do
	value=$(printf '%s' "$encoded" | /.bb/busybox base64 -d; echo x)
	set -- "$@" "${value%x}"
done </run/user/1000/nofear/gui-argv
"$@"
status=$?
echo "$status" >/run/user/1000/nofear/gui-status
exit $status
