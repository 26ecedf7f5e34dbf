# taplib.sh - TAP helpers shared by the shell tests
#
# PURPOSE	One copy of what every shell test needs to speak TAP to
#		Automake's tap-driver.sh: numbered results, a command run as
#		one result, a bounded run time, and the clean-up of the work
#		directory.
# API		ok STATUS DESCRIPTION	one result (STATUS 0 = ok)
#		check DESCRIPTION CMD...	run CMD (output to $WORK/test.log)
#		not CMD...		invert CMD's status (negative controls)
#		tap_skip_all REASON	"1..0 # SKIP REASON" and exit 0
#		tap_watchdog SECONDS	SIGTERM to this shell after SECONDS;
#					its TERM trap prints "Bail out!"
#		tap_cleanup_work	stop the watchdog, remove $WORK (kept
#					with PD_KEEP_TMP=1)
#		tap_done PLAN		exit status from the results
#
# SPDX-License-Identifier: MIT

TESTNO=0
FAILED=0
WORK=
WATCHDOG=

# ok STATUS DESCRIPTION - one TAP line
ok()
{
	local status=$1

	shift
	TESTNO=$((TESTNO + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $TESTNO - $*"
	else
		echo "not ok $TESTNO - $*"
		FAILED=$((FAILED + 1))
	fi
}

# check DESCRIPTION CMD... - run CMD quietly as one result
check()
{
	local desc=$1 status=0

	shift
	"$@" >>"$WORK/test.log" 2>&1 || status=$?
	ok "$status" "$desc"
}

# not CMD... - succeed when CMD fails
not()
{
	! "$@"
}

# tap_skip_all REASON - skip the whole plan
tap_skip_all()
{
	echo "1..0 # SKIP $*"
	exit 0
}

# tap_watchdog SECONDS - end this shell after SECONDS.  The watchdog must
# not hold our stdout open, or the TAP reader would wait for it long after
# the test ended; killing it (tap_cleanup_work) ends it before its kill.
tap_watchdog()
{
	TAP_LIMIT=$1
	trap 'echo "Bail out! watchdog: test ran over $TAP_LIMIT s"; exit 1' \
	    TERM
	( exec >/dev/null 2>&1; sleep "$1" && kill -TERM $$ ) &
	WATCHDOG=$!
}

# tap_cleanup_work - stop the watchdog, remove or keep the work directory
tap_cleanup_work()
{
	[ -z "$WATCHDOG" ] || kill "$WATCHDOG" 2>/dev/null || true
	# a failure's helpers wrote why into test.log: keep it in the TAP log
	if [ "${FAILED:-0}" -gt 0 ] && [ -s "${WORK:-}/test.log" ]; then
		echo "# last lines of $WORK/test.log:"
		tail -40 "$WORK/test.log" | sed 's/^/#   /'
	fi
	if [ -n "$WORK" ] && [ -z "${PD_KEEP_TMP:-}" ]; then
		rm -rf "$WORK"
	elif [ -n "$WORK" ]; then
		echo "# kept $WORK"
	fi
}

# tap_done PLAN - true when every planned test ran and passed
tap_done()
{
	[ "$TESTNO" -eq "$1" ] || echo "# ran $TESTNO of $1 tests"
	[ "$FAILED" -eq 0 ] && [ "$TESTNO" -eq "$1" ]
}
