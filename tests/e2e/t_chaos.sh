#!/bin/bash
# t_chaos.sh - kill -9 the milter and the worker at random during heavy mail
#
# PURPOSE	PRODUCT.md "never lose mail", measured: for CHAOS_SECONDS
#		(default 120) tests/e2e/chaos.py plays customers and agents
#		through the real Postfix of the tests with CHAOS_SESSIONS
#		(default 32) SMTP sessions in parallel: new tickets, replies
#		by In-Reply-To or tag, agents' answers through SASL
#		submission with command lines (#priority, #note, #resolve,
#		...), survey clicks to support+csat-... addresses ([csat]
#		delay 3s, 24/7 business hours).  Meanwhile a killer loop
#		sends SIGKILL to postdesk-milter or postdesk-worker at random
#		moments (every CHAOS_KILL_MIN..CHAOS_KILL_MAX tenths of a
#		second), keeps it down a random moment and restarts it as
#		pdlib.sh does: one daemon at a time, as PRODUCT.md promises
#		("a crash of either daemon").  CHAOS_KILL_BOTH=1 also kills
#		both at once in one round of ten.  The random choices follow
#		CHAOS_SEED (printed; set it to repeat a run's choices, not its
#		timing); $WORK/kills.log has the times.
#		Postfix: with CHAOS_ACTION=tempfail (default) the MX and the
#		submission service answer 4xx while the milter is down
#		(milter default_action) and so does the milter when its store
#		fails (on_error); the sender retries, as an MTA does.  With
#		CHAOS_ACTION=accept they keep the shipped "accept": mail the
#		milter never saw passes unchanged.  The worker's relay keeps
#		the shipped lines (accept) unless CHAOS_RELAY_ACTION says
#		tempfail.  Queue retry times are pflib's (5 to 10 s).
#		Afterwards, once the outbox and the Postfix queue have
#		drained (bounded waits), chaos.py check counts: each message
#		delivered exactly once where it belongs (survey clicks:
#		recorded, not delivered; #note: the desk and the other agent
#		only), none lost, duplicated or misrouted; a ticket for every
#		new-ticket mail, each its own, every message of a
#		conversation in its ticket; exactly one acknowledgement per
#		new ticket (none where "ack-suppressed" was logged); every
#		outbox row sent was delivered exactly once; at most one
#		survey per resolution; PRAGMA integrity_check; no daemon
#		died on its own.  A negative control runs the check on a
#		copy with one message that never arrived and one delivered
#		twice, and requires it to see both.
# OUTPUT	TAP, and one line
#		  # chaos: sent N, delivered N, lost N, duplicated N, ...
#		scripts/check.sh runs it for 60 s in the plain build and
#		30 s in the ASan build, and not in the TSan build or make
#		distcheck (CHAOS_SECONDS=0 skips it), to keep CI short.
# BOUNDS	Traffic CHAOS_SECONDS; retries until 90 s after it; drain
#		waits 180 s; a watchdog ends the test at CHAOS_SECONDS + 600.
#
# SPDX-License-Identifier: MIT
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/pdlib.sh"

PLAN=17
: "${CHAOS_SECONDS:=120}"
: "${CHAOS_SESSIONS:=32}"
: "${CHAOS_ACTION:=tempfail}"
: "${CHAOS_RELAY_ACTION:=accept}"
: "${CHAOS_KILL_MIN:=10}"
: "${CHAOS_KILL_MAX:=50}"
: "${CHAOS_KILL_BOTH:=0}"
: "${CHAOS_SEED:=$(( ($(date +%s) + $$) % 100000 ))}"
CHAOS=$top_srcdir/tests/e2e/chaos.py
export PF_MAILBOXES="support help cust alice bob boss postmaster"
export PF_INJECT_MILTER=1 PF_SUBMISSION=1
[ "$CHAOS_ACTION" = tempfail ] && export PD_ON_ERROR=tempfail
[ "${CHAOS_SECONDS%.*}" != 0 ] ||
    tap_skip_all "CHAOS_SECONDS=0 (this build runs no crash run)"
pd_e2e_tap_init $PLAN $((${CHAOS_SECONDS%.*} + 600))
KILLS_MILTER=0
KILLS_WORKER=0
CRASHES=0
DRIVER=

# alive PID - the process exists and is not a zombie
alive()
{
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] &&
	    [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# chaos_cleanup - EXIT trap: the driver, then pdlib's clean-up
chaos_cleanup()
{
	[ -z "$DRIVER" ] || kill "$DRIVER" 2>/dev/null || true
	pd_e2e_cleanup
}
trap chaos_cleanup EXIT

# postfix_actions - the milter's default action on the MX and submission
# services (CHAOS_ACTION) and on the relay (CHAOS_RELAY_ACTION)
postfix_actions()
{
	local m="inet:127.0.0.1:$PD_MILTER_PORT" t="connect_timeout=10s,"

	t="$t command_timeout=10s, content_timeout=20s"
	postconf -c "$PF_DIR/etc" -e \
	    "postdesk_milter = { $m, default_action=$CHAOS_ACTION, $t }" \
	    "postdesk_relay_milter = { $m, default_action=$CHAOS_RELAY_ACTION, $t }" \
	    "milter_default_action = $CHAOS_ACTION" &&
	    postconf -c "$PF_DIR/etc" -P \
	    "127.0.0.1:$PF_INJECT_PORT/inet/smtpd_milters=\$postdesk_relay_milter" &&
	    postfix -c "$PF_DIR/etc" reload
}

# milter_restart / worker_restart - after a kill, bounded
milter_restart()
{
	PD_MILTER_PID=
	pd_milter_start >>"$WORK/test.log" 2>&1
}
worker_restart()
{
	PD_WORKER_PID=
	pd_worker_start >>"$WORK/test.log" 2>&1
}

# crashed WHAT PID - a daemon that died without our kill: count, show
crashed()
{
	CRASHES=$((CRASHES + 1))
	echo "# $1 (pid $2) died on its own; its log ends:"
	if [ "$1" = milter ]; then
		tail -5 "$PD_MILTER_LOG" | sed 's/^/#   /'
	else
		tail -5 "$PD_WORKER_LOG" | sed 's/^/#   /'
	fi
}

# ensure_up - restart whichever daemon is not running
ensure_up()
{
	if ! alive "$PD_MILTER_PID"; then
		[ -z "$PD_MILTER_PID" ] || crashed milter "$PD_MILTER_PID"
		milter_restart
	fi
	if ! alive "$PD_WORKER_PID"; then
		[ -z "$PD_WORKER_PID" ] || crashed worker "$PD_WORKER_PID"
		worker_restart
	fi
}

# kill9 WHAT - SIGKILL the milter or the worker, reap it
kill9()
{
	local pid

	if [ "$1" = milter ]; then
		pid=$PD_MILTER_PID
		KILLS_MILTER=$((KILLS_MILTER + 1))
	else
		pid=$PD_WORKER_PID
		KILLS_WORKER=$((KILLS_WORKER + 1))
	fi
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "$(date +%s.%N) killed $1 $pid" >>"$WORK/kills.log"
	if [ "$1" = milter ]; then PD_MILTER_PID=; else PD_WORKER_PID=; fi
}

# tenths N - sleep N tenths of a second
tenths()
{
	sleep "$(($1 / 10)).$(($1 % 10))"
}

# killer END - until END (epoch seconds): wait a random while, SIGKILL
# the milter or the worker (both with CHAOS_KILL_BOTH=1, one round in
# ten), stay down a random moment, restart.  The first two rounds take
# the milter, then the worker, so that even a short run kills each once.
killer()
{
	local end=$1 round=0 pick span

	span=$((CHAOS_KILL_MAX - CHAOS_KILL_MIN + 1))
	while [ "$(date +%s)" -lt "$end" ]; do
		tenths $((CHAOS_KILL_MIN + RANDOM % span))
		[ "$(date +%s)" -lt "$end" ] || break
		ensure_up
		round=$((round + 1))
		pick=$((RANDOM % 10))
		[ "$round" -ne 1 ] || pick=0
		[ "$round" -ne 2 ] || pick=5
		if [ "$pick" = 9 ] && [ "$CHAOS_KILL_BOTH" = 1 ]; then
			kill9 milter
			kill9 worker
		elif [ "$pick" -lt 5 ]; then
			kill9 milter
		else
			kill9 worker
		fi
		tenths $((RANDOM % 15))
		ensure_up
		echo "$(date +%s.%N) restarted" >>"$WORK/kills.log"
	done
}

# outbox_busy - rows the worker has still to send
outbox_busy()
{
	sqlite3 "$WORK/db/postdesk.db" "SELECT count(*) FROM outbox WHERE \
	    state IN ('pending', 'sending')" 2>/dev/null || echo 1
}

# drained - nothing left in the outbox (bounded by the caller)
drained()
{
	[ "$(outbox_busy)" = 0 ]
}

# wait_for N CMD... - run CMD every second until it succeeds, N times
wait_for()
{
	local n=$1

	shift
	for _ in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 1
	done
	return 1
}

# result NAME - a figure of chaos.py check
result()
{
	sed -n "s/^$1 //p" "$WORK/result" | head -1
}

# is_zero NAME... - every named figure is 0
is_zero()
{
	local n

	for n in "$@"; do
		[ "$(result "$n")" = 0 ] || return 1
	done
}

cat >"$WORK/extra.conf" <<'CONF'

[sla standard]
business_hours = 24/7

[csat]
delay = 3s
grades = 5
CONF
pd_e2e_setup "$WORK" "$WORK/extra.conf" >>"$WORK/test.log" 2>&1 &&
    pf_sasl_user alice@example.com chaos-secret &&
    pf_sasl_user bob@example.com chaos-secret &&
    sed -i -e 's/^store_timeout = .*/&\nack_sender_window = 0s\nack_hourly_cap = 1000000/' \
    -e 's/^agents = alice@example.com, bob@example.com$/&\nmanagers = boss@example.com/' \
    "$PD_CONF" &&
    pd_milter_stop && pd_milter_start >>"$WORK/test.log" 2>&1 &&
    postfix_actions >>"$WORK/test.log" 2>&1 && pd_worker_start
ok $? "Postfix (milter default_action=$CHAOS_ACTION, relay $CHAOS_RELAY_ACTION), milter (on_error=${PD_ON_ERROR:-accept}) and worker started"

echo "# chaos: seed $CHAOS_SEED, $CHAOS_SECONDS s of traffic," \
    "$CHAOS_SESSIONS sessions, kills$([ "$CHAOS_KILL_BOTH" = 1 ] &&
    echo ' (sometimes both)') every" \
    "$((CHAOS_KILL_MIN / 10)).$((CHAOS_KILL_MIN % 10))-$((CHAOS_KILL_MAX / 10)).$((CHAOS_KILL_MAX % 10)) s"
RANDOM=$CHAOS_SEED
T0=$(date +%s)
END=$((T0 + ${CHAOS_SECONDS%.*}))
timeout $((${CHAOS_SECONDS%.*} + 300)) python3 "$CHAOS" drive --mx "$PF_PORT" \
    --sub "$PF_SUBMISSION_PORT" --mail "$PF_DIR/mail" \
    --journal "$WORK/journal.json" --seconds "$CHAOS_SECONDS" \
    --seed "$CHAOS_SEED" --sessions "$CHAOS_SESSIONS" \
    >"$WORK/drive.out" 2>&1 &
DRIVER=$!
killer "$END"
ensure_up
ok "$([ "$CRASHES" = 0 ]; echo $?)" \
    "no daemon died but by our SIGKILL during the traffic ($CRASHES did)"
ok "$([ "$KILLS_MILTER" -gt 0 ] && [ "$KILLS_WORKER" -gt 0 ]; echo $?)" \
    "killed the milter $KILLS_MILTER times, the worker $KILLS_WORKER times"
wait "$DRIVER"
ok $? "the driver ended: $(tail -1 "$WORK/drive.out")"
DRIVER=
T1=$(date +%s)
check "the outbox drained (nothing pending or sending, 180 s at most)" \
    wait_for 180 drained
check "the Postfix queue drained (120 s at most)" pf_wait_queue_empty 120
echo "# traffic and retries $((T1 - T0)) s, drain $(($(date +%s) - T1)) s"
ok "$(alive "$PD_MILTER_PID" && alive "$PD_WORKER_PID"; echo $?)" \
    "milter and worker still running after the drain"

python3 "$CHAOS" check --mail "$PF_DIR/mail" --journal "$WORK/journal.json" \
    --db "$WORK/db/postdesk.db" --mode "$CHAOS_ACTION" \
    --result "$WORK/result" >"$WORK/check.out" 2>&1
ok $? "chaos.py check ran"
grep '^problem:' "$WORK/check.out" | head -20 | sed 's/^/# /'
ok "$([ "$(result sent)" -gt 0 ] && is_zero refused gave_up; echo $?)" \
    "every message accepted in the end: sent $(result sent), refused $(result refused), gave up $(result gave_up)"
ok "$(is_zero lost; echo $?)" "none lost ($(result lost))"
ok "$(is_zero duplicated; echo $?)" \
    "none duplicated ($(result duplicated); unsure after a lost reply: $(result unsure))"
ok "$(is_zero misrouted unfiltered; echo $?)" \
    "none misrouted ($(result misrouted)), none passed the milter by ($(result unfiltered))"
ok "$(is_zero tickets_missing tickets_shared misthreaded; echo $?)" \
    "a ticket of its own for each of $(result new_sent) new-ticket mails: $(result tickets) (missing $(result tickets_missing), shared $(result tickets_shared), misthreaded $(result misthreaded))"
ok "$(is_zero acks_wrong; echo $?)" \
    "one acknowledgement per new ticket: $(result acks) (suppressed $(result acks_suppressed), wrong $(result acks_wrong))"
ok "$(is_zero outbox_lost outbox_dup outbox_left outbox_failed \
    surveys_over worker_unknown stray &&
    [ "$(result clicks)" = \
    "$(($(result clicks_recorded) + $(result clicks_passed)))" ]; echo $?)" \
    "worker mail: $(result outbox_sent) sent, lost $(result outbox_lost), duplicated $(result outbox_dup); surveys $(result surveys) for $(result resolutions) resolutions (over $(result surveys_over)); clicks recorded $(result clicks_recorded) of $(result clicks) (passed unrecorded: $(result clicks_passed))"
ok "$([ "$(result integrity)" = ok ]; echo $?)" \
    "PRAGMA integrity_check: $(result integrity)"

# Negative control: the same check must see a message that never arrived
# and a delivered file that is there twice.
python3 "$CHAOS" check --mail "$PF_DIR/mail" --journal "$WORK/journal.json" \
    --db "$WORK/db/postdesk.db" --mode "$CHAOS_ACTION" --fake-loss \
    --result "$WORK/result.neg" >"$WORK/check.neg" 2>&1
ok "$(grep -qx "lost $(($(result lost) + 1))" "$WORK/result.neg" &&
    grep -qx "duplicated $(($(result duplicated) + 1))" "$WORK/result.neg"
    echo $?)" "negative control: the check sees 1 more lost and 1 more duplicated message"

echo "# chaos: sent $(result sent), delivered $(result delivered)," \
    "lost $(result lost), duplicated $(result duplicated)," \
    "tickets $(result tickets), acks $(result acks)," \
    "surveys $(result surveys), kills milter $KILLS_MILTER" \
    "worker $KILLS_WORKER"
pd_e2e_done
