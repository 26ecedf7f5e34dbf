#!/bin/bash
# load.sh - postdesk-milter's memory and errors under a long parallel load
#
# PURPOSE	Does the milter hold steady when a real Postfix hands it
#		LOAD_SESSIONS (default 100) SMTP sessions at once for
#		LOAD_SECONDS (default 180) of mixed support mail?  The mail
#		is tests/e2e/chaos.py's (new tickets, customers' replies,
#		agents' answers with command lines through SASL submission,
#		#note, #resolve, survey clicks), with LOAD_BURSTS of the
#		sessions (default half) sending several new tickets per
#		session back to back; postdesk-worker sends the
#		acknowledgements and surveys meanwhile.  Nothing is killed.
#		Every LOAD_SAMPLE seconds (default 3) the milter's VmRSS is
#		read from /proc.  See bench/README.md.
# OUTPUT	Progress on stderr ("# ..."); three "load:" lines on stdout:
#		messages, RSS (peak; after warm-up, the first sample once
#		LOAD_WARM percent (default 20) of the time has passed; final,
#		the last sample within LOAD_SECONDS, while every session still
#		sends; growth from warm-up to final in percent), and errors:
#		SMTP errors (5xx, or given up after retries), temporary
#		failures (4xx seen by the senders), warning and error lines
#		in the milter's log, milter lines in Postfix's log, and
#		messages lost or duplicated (chaos.py check, once the queues
#		drained).
# EXIT		0 when there was no error of any kind and the growth is at
#		most LOAD_GROWTH percent (default 5); 1 otherwise.
# ENVIRONMENT	LOAD_SECONDS, LOAD_SESSIONS, LOAD_BURSTS, LOAD_SAMPLE,
#		LOAD_WARM, LOAD_GROWTH, LOAD_SEED (chaos.py's choices),
#		LOAD_KEEP=1 keeps the work directory; top_builddir (the
#		build to measure, default the source tree).
#
# SPDX-License-Identifier: MIT
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export PF_MAILBOXES="support help cust alice bob boss other postmaster"
export PF_INJECT_MILTER=1 PF_SUBMISSION=1
. "$top_srcdir/tests/e2e/pdlib.sh"

: "${LOAD_SECONDS:=180}"
: "${LOAD_SESSIONS:=100}"
: "${LOAD_BURSTS:=$((LOAD_SESSIONS / 2))}"
: "${LOAD_SAMPLE:=3}"
: "${LOAD_WARM:=20}"
: "${LOAD_GROWTH:=5}"
: "${LOAD_SEED:=$(( ($(date +%s) + $$) % 100000 ))}"
CHAOS=$top_srcdir/tests/e2e/chaos.py
WORK=
SAMPLER=

# say - a progress line on stderr
say()
{
	printf '# %s\n' "$*" >&2
}

# cleanup - stop the sampler, the daemons, Postfix; remove the work dir
cleanup()
{
	[ -z "$SAMPLER" ] || kill "$SAMPLER" 2>/dev/null || true
	pd_e2e_teardown
	if [ -n "$WORK" ] && [ -z "${LOAD_KEEP:-}" ]; then
		rm -rf "$WORK"
	elif [ -n "$WORK" ]; then
		say "kept $WORK"
	fi
}

# setup - Postfix with room for the sessions, milter, worker
setup()
{
	cat >"$WORK/extra.conf" <<'CONF'

[sla standard]
business_hours = 24/7

[csat]
delay = 5s
grades = 5
CONF
	pd_e2e_setup "$WORK" "$WORK/extra.conf" >"$WORK/setup.log" 2>&1 &&
	    pf_sasl_user alice@example.com chaos-secret &&
	    pf_sasl_user bob@example.com chaos-secret &&
	    sed -i -e 's/^store_timeout = .*/store_timeout = 5s\nack_sender_window = 0s\nack_hourly_cap = 1000000/' \
	    "$PD_CONF" &&
	    pd_milter_stop && pd_milter_start >>"$WORK/setup.log" 2>&1 &&
	    postconf -c "$PF_DIR/etc" -e "default_process_limit = 300" &&
	    postfix -c "$PF_DIR/etc" reload >>"$WORK/setup.log" 2>&1 &&
	    pd_worker_start || { cat "$WORK/setup.log" >&2; return 1; }
}

# sampler START - every LOAD_SAMPLE s, "SECONDS KB THREADS DBFILES": the
# milter's VmRSS, its threads, and its open descriptors of the database
# files (the database and its -wal per SQLite connection, one -shm, and
# any SQLite keeps open for a while after a connection closed)
sampler()
{
	local start=$1 kb thr db

	while kill -0 "$PD_MILTER_PID" 2>/dev/null; do
		kb=$(awk '/^VmRSS:/ { print $2 }' \
		    "/proc/$PD_MILTER_PID/status" 2>/dev/null)
		thr=$(awk '/^Threads:/ { print $2 }' \
		    "/proc/$PD_MILTER_PID/status" 2>/dev/null)
		db=$(find "/proc/$PD_MILTER_PID/fd" -lname "$WORK/db/*" \
		    2>/dev/null | wc -l)
		[ -z "$kb" ] || echo "$(($(date +%s) - start)) $kb $thr $db"
		sleep "$LOAD_SAMPLE"
	done
}

# drained - nothing pending or sending in the outbox
drained()
{
	[ "$(sqlite3 "$WORK/db/postdesk.db" "SELECT count(*) FROM outbox \
	    WHERE state IN ('pending', 'sending')" 2>/dev/null)" = 0 ]
}

# wait_drained - outbox and Postfix queue empty, bounded
wait_drained()
{
	local i

	for i in $(seq 1 180); do
		drained && break
		sleep 1
	done
	pf_wait_queue_empty 120 2>/dev/null
}

# result NAME - a figure of chaos.py check
result()
{
	sed -n "s/^$1 //p" "$WORK/result" | head -1
}

# rss_line - the RSS figures from the samples.  Final is the last sample
# within LOAD_SECONDS: after that chaos.py's sessions end one by one, and
# a sample of those last seconds would compare a lighter load with the
# full one at warm-up (a milter that frees memory when connections close
# would pass however much it grew under the load).
rss_line()
{
	awk -v secs="$LOAD_SECONDS" -v warm="$LOAD_WARM" '
	{ t[NR] = $1; kb[NR] = $2; thr = $3; db = $4; if ($2 > peak) peak = $2 }
	END {
		for (i = 1; i <= NR; i++)
			if (t[i] >= secs * warm / 100) { w = i; break }
		if (!w) w = NR
		for (f = NR; f > w && t[f] > secs; f--)
			;
		g = kb[w] ? 100 * (kb[f] - kb[w]) / kb[w] : 0
		printf "load: milter RSS peak %.1f MB, after warm-up (%d s) " \
		    "%.1f MB, final (%d s) %.1f MB, growth %+.1f%% " \
		    "(%d samples; at the end %d threads, %d database " \
		    "descriptors)\n", peak / 1024, t[w], kb[w] / 1024,
		    t[f], kb[f] / 1024, g, NR, thr, db
	}' "$WORK/rss"
}

main()
{
	local t0 t1 line growth smtp temp mlog plog lost dup errors rc=0

	[ "$(id -u)" = 0 ] || { say "needs root (private Postfix)"; exit 1; }
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/pd-load.XXXXXX")
	chmod 755 "$WORK"
	trap cleanup EXIT
	trap 'exit 1' INT TERM HUP
	setup || exit 1
	say "Postfix on 127.0.0.1:$PF_PORT (submission $PF_SUBMISSION_PORT)," \
	    "milter pid $PD_MILTER_PID; $LOAD_SESSIONS sessions" \
	    "($LOAD_BURSTS in bursts) for $LOAD_SECONDS s, seed $LOAD_SEED"
	t0=$(date +%s)
	plog=$(wc -l <"$(pf_log)")
	sampler "$t0" >"$WORK/rss" &
	SAMPLER=$!
	python3 "$CHAOS" drive --mx "$PF_PORT" --sub "$PF_SUBMISSION_PORT" \
	    --mail "$PF_DIR/mail" --journal "$WORK/journal.json" \
	    --seconds "$LOAD_SECONDS" --seed "$LOAD_SEED" \
	    --sessions "$LOAD_SESSIONS" --bursts "$LOAD_BURSTS" \
	    --grace 60 >"$WORK/drive.out" 2>&1
	t1=$(date +%s)
	kill "$SAMPLER" 2>/dev/null
	wait "$SAMPLER" 2>/dev/null
	SAMPLER=
	say "$(tail -1 "$WORK/drive.out")"
	say "draining the outbox and the Postfix queue"
	wait_drained
	python3 "$CHAOS" check --mail "$PF_DIR/mail" \
	    --journal "$WORK/journal.json" --db "$WORK/db/postdesk.db" \
	    --mode accept --result "$WORK/result" >"$WORK/check.out" 2>&1
	# the samples of the traffic only
	awk -v end=$((t1 - t0)) '$1 <= end' "$WORK/rss" >"$WORK/rss.t" &&
	    mv "$WORK/rss.t" "$WORK/rss"
	if ! grep -q '^integrity ' "$WORK/result" 2>/dev/null; then
		say "chaos.py check failed:"
		sed 's/^/# /' "$WORK/check.out" >&2
		return 1
	fi
	smtp=$(( $(result refused) + $(result gave_up) ))
	temp=$(python3 -c 'import json,sys
print(sum(r["temp"] for r in json.load(open(sys.argv[1]))))' \
	    "$WORK/journal.json")
	mlog=$(grep -c -E '(warning|error|fatal):' "$PD_MILTER_LOG")
	# Postfix's milter warnings since the traffic began (the set-up
	# restarts the milter once, which a smtpd may have noticed)
	plog=$(tail -n +"$((plog + 1))" "$(pf_log)" |
	    grep -c -E 'warning: .*milter')
	lost=$(( $(result lost) + $(result outbox_lost) ))
	dup=$(( $(result duplicated) + $(result outbox_dup) ))
	echo "load: $LOAD_SESSIONS sessions, $((t1 - t0)) s: sent" \
	    "$(result sent) messages ($(awk -v n="$(result sent)" \
	    -v s=$((t1 - t0)) 'BEGIN { printf "%.0f", n / s }')/s)," \
	    "$(result new_sent) new tickets, $(result clicks) survey clicks;" \
	    "worker sent $(result outbox_sent)"
	line=$(rss_line)
	echo "$line"
	growth=$(echo "$line" | sed -n 's/.*growth \([-+][0-9.]*\)%.*/\1/p')
	errors=$((smtp + temp + mlog + plog + lost + dup))
	echo "load: errors $errors: SMTP $smtp, tempfails $temp, milter" \
	    "log $mlog, Postfix milter warnings $plog, lost $lost," \
	    "duplicated $dup"
	if [ "$mlog" -gt 0 ]; then
		grep -E '(warning|error|fatal):' "$PD_MILTER_LOG" | head -3 |
		    sed 's/^/# /' >&2
	fi
	[ "$errors" -eq 0 ] || rc=1
	awk -v g="${growth:-0}" -v l="$LOAD_GROWTH" \
	    'BEGIN { exit !(g > l) }' && rc=1
	return $rc
}

main "$@"
