#!/bin/bash
# t_store_down.sh - the store unavailable: mail is still delivered
#
# PURPOSE	PRODUCT.md "never lose mail" through a real Postfix: with the
#		database locked by another process, removed, or the milter
#		killed, every message to support@ is delivered unchanged
#		(on_error = accept), within a few seconds, with one warning
#		naming the queue id; with on_error = tempfail the message is
#		refused with 451 4.3.0 so the client retries; when the
#		database is back, tagging resumes without a restart.
# OUTPUT	TAP.
#
# SPDX-License-Identifier: MIT
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/pdlib.sh"

PLAN=22
MC="python3 $top_srcdir/tests/e2e/mailcheck.py"
pd_e2e_tap_init $PLAN 150
LOCKER=

# msg NAME - a message with Message-ID <NAME@client>
msg()
{
	printf 'From: <ann@example.org>\nTo: support@example.com\nMessage-ID: <%s@client>\nSubject: Help %s\n\nbody of %s\n' \
	    "$1" "$1" "$1" >"$WORK/$1"
}

# timed_send NAME - send NAME to support@, print the seconds it took
timed_send()
{
	local t0 t1 rc=0

	t0=$(date +%s%N)
	pf_send ann@example.org support@example.com "$WORK/$1" \
	    >>"$WORK/test.log" 2>&1 || rc=$?
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
	return $rc
}

# untouched NAME - delivered to support@ without any postdesk change
untouched()
{
	local f

	pf_wait_queue_empty 30 || return 1
	f=$(grep -l -F "<$1@client>" "$PF_DIR/mail/support/new/"* | head -1)
	[ -n "$f" ] && [ "$($MC count "$f" X-Postdesk-Ticket)" = 0 ] &&
	    $MC subject-is "$f" "Help $1"
}

# tagged NAME - delivered with a ticket tag
tagged()
{
	local f

	pf_wait_queue_empty 30 || return 1
	f=$(grep -l -F "<$1@client>" "$PF_DIR/mail/support/new/"* | head -1)
	[ -n "$f" ] && [ "$($MC count "$f" X-Postdesk-Ticket)" = 1 ]
}

# lock_db - hold the write lock from another process until unlock_db
lock_db()
{
	rm -f "$WORK/locked"
	python3 - "$WORK/db/postdesk.db" "$WORK/locked" <<'PY' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
t = time.time()
while os.path.exists(sys.argv[2]) and time.time() - t < 60:
    time.sleep(0.05)
c.execute("ROLLBACK")
PY
	LOCKER=$!
	for _ in $(seq 1 100); do
		[ -e "$WORK/locked" ] && return 0
		sleep 0.05
	done
	return 1
}

unlock_db()
{
	rm -f "$WORK/locked"
	wait "$LOCKER" 2>/dev/null
}

# The database lives on a small tmpfs of its own, so that "disk full" and
# "read-only" can be made real below.
mkdir -p "$WORK/db"
if mount -t tmpfs -o size=2m,mode=0755 tmpfs "$WORK/db" 2>/dev/null; then
	PD_E2E_MOUNT=$WORK/db
fi
check "postdesk-milter and Postfix start" pd_e2e_setup "$WORK"
msg ok1
timed_send ok1 >/dev/null
check "baseline: mail is tagged" tagged ok1

check "another process holds the database's write lock" lock_db
msg lk1
MS=$(timed_send lk1)
ok $? "locked: message accepted"
ok "$([ "$MS" -lt 6000 ]; echo $?)" \
    "locked: SMTP session took ${MS} ms (store_timeout 2s, limit 6 s)"
check "locked: delivered unchanged" untouched lk1
QID=$(sed -n 's/.*cleanup\[[0-9]*\]: \([0-9A-Za-z]*\): message-id=<lk1@client>.*/\1/p' "$(pf_log)")
check "locked: one warning with the queue id ($QID)" test "$(grep -c \
    "postdesk/milter\[[0-9]*\]: $QID: warning: store unavailable" \
    "$PD_MILTER_LOG")" = 1
unlock_db
msg ok2
timed_send ok2 >/dev/null
check "lock released: tagging resumes" tagged ok2
ok "$(pdctl stats | grep -q '^errors_total{kind=store}  *1$'; echo $?)" \
    "lock released: the error is counted in postdeskctl stats"

rm -f "$WORK/db/postdesk.db" "$WORK/db/postdesk.db-wal" "$WORK/db/postdesk.db-shm"
msg rm1
timed_send rm1 >/dev/null
check "database removed: delivered unchanged" untouched rm1
check "database removed: warning logged" grep -q \
    "store unavailable.*on_error=accept" "$PD_MILTER_LOG"
pdctl init >/dev/null
msg ok3
timed_send ok3 >/dev/null
check "database recreated: tagging resumes without a restart" tagged ok3

# fill_db_fs - fill the database's file system to the last block
fill_db_fs()
{
	dd if=/dev/zero of="$WORK/db/filler" bs=4k >/dev/null 2>&1
	[ "$(df --output=avail "$WORK/db" | tail -1)" -eq 0 ]
}

if [ -n "${PD_E2E_MOUNT:-}" ]; then
	check "database file system filled" fill_db_fs
	msg full1
	timed_send full1 >/dev/null
	check "disk full: delivered unchanged" untouched full1
	rm -f "$WORK/db/filler"
	mount -o remount,ro "$WORK/db"
	msg ro1
	timed_send ro1 >/dev/null
	check "read-only database: delivered unchanged" untouched ro1
	check "two more store warnings logged" test "$(grep -c \
	    'warning: store unavailable' "$PD_MILTER_LOG")" -ge 4
	mount -o remount,rw "$WORK/db"
	msg ok4
	timed_send ok4 >/dev/null
	check "writable again: tagging resumes" tagged ok4
else
	for what in "file system filled" "disk full" "read-only" \
	    "warnings" "writable again"; do
		echo "ok $((TESTNO += 1)) # SKIP $what: cannot mount a tmpfs here"
	done
fi

pd_milter_stop
msg dn1
timed_send dn1 >/dev/null
check "milter down: Postfix delivers unchanged (default_action=accept)" \
    untouched dn1

sed -i 's/^on_error = .*/on_error = tempfail/' "$PD_CONF"
check "milter restarted with on_error = tempfail" pd_milter_start
lock_db
msg tf1
timed_send tf1 >/dev/null
ok "$([ $? -ne 0 ]; echo $?)" "tempfail: the client is refused for now"
check "tempfail: Postfix logged the 4.3.0 refusal" grep -q \
    "milter-reject: END-OF-MESSAGE.*4.3.0 Support desk temporarily" \
    "$(pf_log)"
unlock_db
ok "$(grep -q -F '<tf1@client>' "$PF_DIR/mail/support/new/"* 2>/dev/null; \
    [ $? -ne 0 ]; echo $?)" "tempfail: nothing delivered (the client keeps it)"

pd_e2e_done
