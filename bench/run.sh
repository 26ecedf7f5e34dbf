#!/bin/bash
# run.sh - throughput of a private Postfix with no milter, a minimal milter
#          and postdesk-milter, and the milters' peak memory
#
# PURPOSE	Answers two questions with figures the script computes itself:
#		does postdesk slow support mail down much compared with any
#		milter that reads every message (target: postdesk/minimal
#		>= 0.85), and does it slow down mail that is not for a
#		support address compared with no milter at all (target:
#		postdesk/none >= 0.85)? It also reports each milter's peak
#		resident memory during a run (target at concurrency 32:
#		< 30 MB). See bench/README.md.
#
# METHOD	One private Postfix (tests/e2e/pflib.sh) per mode (none,
#		minimal, postdesk), all three running side by side on
#		loopback. For each repetition, recipient kind (support@,
#		other@) and concurrency, the modes are measured one right
#		after the other, so a slow spell of the machine hits all of
#		them alike. A run is smtp-source sending BENCH_COUNT messages;
#		its time is from just before smtp-source starts to the last
#		delivery into the Maildir (the newest file's ctime), taken
#		after the queue is empty and every message is there. The
#		table shows the median of the repetitions.
#
# ENVIRONMENT	BENCH_COUNT (2000) messages per run; BENCH_REPEAT (3);
#		BENCH_CONC ("1 8 32"); BENCH_MODES ("none minimal
#		postdesk"); BENCH_SIZE (4096) body bytes; BENCH_WARMUP (50)
#		untimed messages per mode and kind; BENCH_WAIT (300) seconds
#		allowed per run; BENCH_USER (nobody when run as root) user
#		the milters run as; BENCH_KEEP=1 keeps the work directory;
#		POSTDESK_MILTER, POSTDESKCTL (default:
#		$top_builddir/milter/postdesk-milter and
#		$top_builddir/cli/postdeskctl).
#
# EXIT		0 if every run delivered every message (targets missed are
#		reported in the table, not turned into a failure), 1
#		otherwise.
#
# SPDX-License-Identifier: MIT

set -eu

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$BENCH_DIR/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
POSTDESK_MILTER=${POSTDESK_MILTER:-$top_builddir/milter/postdesk-milter}
POSTDESKCTL=${POSTDESKCTL:-$top_builddir/cli/postdeskctl}
BENCH_COUNT=${BENCH_COUNT:-2000}
BENCH_REPEAT=${BENCH_REPEAT:-3}
BENCH_CONC=${BENCH_CONC:-1 8 32}
BENCH_MODES=${BENCH_MODES:-none minimal postdesk}
BENCH_SIZE=${BENCH_SIZE:-4096}
BENCH_WARMUP=${BENCH_WARMUP:-50}
BENCH_WAIT=${BENCH_WAIT:-300}
if [ "$(id -u)" = 0 ]; then
	BENCH_USER=${BENCH_USER-nobody}
else
	BENCH_USER=${BENCH_USER-}
fi
KINDS="support other"
SMTP_SOURCE=${SMTP_SOURCE:-/usr/sbin/smtp-source}

. "$top_srcdir/tests/e2e/pflib.sh"

WORK=
MILTER_PID=
FAILURES=0
READY_MODES=
# Per mode: MPID milter pid. Per mode/kind/conc key: SAMPLES (seconds of
# each repetition), SECS (median), RATE (msgs/s), SPREAD (+-%), RSS (MB),
# SKIP (why there is no figure).
declare -A MPID SAMPLES SECS RATE SPREAD RSS SKIP

# say - print a progress line on stderr (the table goes to stdout)
say()
{
	printf '# %s\n' "$*" >&2
}

# die - print a message and exit (the EXIT trap cleans up)
die()
{
	say "error: $*"
	exit 1
}

# cleanup - stop every milter and Postfix instance, remove the work dir
cleanup()
{
	local mode

	for mode in $BENCH_MODES; do
		MILTER_PID=${MPID[$mode]:-}
		stop_milter
		if [ -n "$WORK" ] && [ -d "$WORK/pf-$mode" ]; then
			pf_stop "$WORK/pf-$mode" || true
		fi
	done
	if [ -n "$WORK" ] && [ -z "${BENCH_KEEP:-}" ]; then
		rm -rf "$WORK"
	elif [ -n "$WORK" ]; then
		say "kept $WORK"
	fi
}

# now - seconds since the epoch with nanoseconds
now()
{
	date +%s.%N
}

# as_user - run a command as BENCH_USER (if set), replacing this process
#
# setpriv execs the command itself, so "(as_user CMD) &" leaves $!
# naming the command, not a wrapper.
as_user()
{
	if [ -n "$BENCH_USER" ]; then
		exec setpriv --reuid="$BENCH_USER" \
		    --regid="$(id -g "$BENCH_USER")" --clear-groups -- "$@"
	fi
	exec "$@"
}

# build_minimal - compile bench/minimal-milter.c into the work directory
build_minimal()
{
	mkdir -p "$WORK/bin"
	# shellcheck disable=SC2046
	cc -O2 -Wall -Wextra -o "$WORK/bin/minimal-milter" \
	    "$BENCH_DIR/minimal-milter.c" \
	    $(pkg-config --cflags --libs milter) -pthread ||
	    die "cannot build minimal-milter (libmilter-dev installed?)"
}

# postdesk_missing - print why mode postdesk cannot run, or nothing
postdesk_missing()
{
	if [ ! -x "$POSTDESK_MILTER" ]; then
		echo "$POSTDESK_MILTER not built"
	elif [ ! -x "$POSTDESKCTL" ]; then
		echo "$POSTDESKCTL not built"
	fi
}

# write_postdesk_conf - write DIR/postdesk.conf for a milter on PORT
write_postdesk_conf()
{
	local dir=$1 port=$2

	cat >"$dir/postdesk.conf" <<EOF
# Written by bench/run.sh for one benchmark run.
[general]
database = $dir/postdesk.db
key_file = $dir/postdesk.key
tag_prefix = PD
timezone = Europe/Moscow
language = en

[milter]
socket = inet:$port@127.0.0.1

[queue support]
address = support@example.com
name = Example Support
EOF
}

# start_milter - start the milter of MODE on PORT; sets MPID[MODE]
start_milter()
{
	local mode=$1 port=$2 dir=$WORK/$1

	mkdir -p "$dir"
	[ -z "$BENCH_USER" ] || chown "$BENCH_USER" "$dir"
	case $mode in
	none)
		return 0
		;;
	minimal)
		(as_user "$WORK/bin/minimal-milter" \
		    -p "inet:$port@127.0.0.1") 2>"$dir/milter.log" &
		;;
	postdesk)
		write_postdesk_conf "$dir" "$port"
		(as_user timeout 60 "$POSTDESKCTL" -c "$dir/postdesk.conf" \
		    init) >"$dir/init.log" 2>&1 ||
		    { cat "$dir/init.log" >&2; die "postdeskctl init failed"; }
		(as_user "$POSTDESK_MILTER" -f -c "$dir/postdesk.conf") \
		    >"$dir/milter.log" 2>&1 &
		;;
	esac
	MILTER_PID=$!
	MPID[$mode]=$MILTER_PID
	if ! wait_milter "$port" 15; then
		cat "$dir/milter.log" >&2
		die "$mode milter did not start"
	fi
}

# wait_milter - wait at most SECONDS for the milter to listen on PORT;
# fails at once if the milter process has exited
wait_milter()
{
	local port=$1 tries=$(($2 * 5))

	while [ "$tries" -gt 0 ]; do
		kill -0 "$MILTER_PID" 2>/dev/null || return 1
		pf_port_wait "$port" 0 2>/dev/null && return 0
		sleep 0.2
		tries=$((tries - 1))
	done
	return 1
}

# stop_milter - stop MILTER_PID, if set; bounded (libmilter notices
# SIGTERM within about 5 s), then SIGKILL
stop_milter()
{
	local tries=75

	[ -n "$MILTER_PID" ] || return 0
	kill -TERM "$MILTER_PID" 2>/dev/null || true
	while kill -0 "$MILTER_PID" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.2
		tries=$((tries - 1))
	done
	if kill -0 "$MILTER_PID" 2>/dev/null; then
		say "milter $MILTER_PID ignored SIGTERM, killing it"
		kill -KILL "$MILTER_PID" 2>/dev/null || true
	fi
	wait "$MILTER_PID" 2>/dev/null || true
	MILTER_PID=
}

# reset_peak_rss - reset the milter's VmHWM (Linux: clear_refs 5)
reset_peak_rss()
{
	[ -n "$MILTER_PID" ] || return 0
	echo 5 >"/proc/$MILTER_PID/clear_refs" 2>/dev/null || true
}

# peak_rss_mb - print the milter's VmHWM in MB, or nothing
peak_rss_mb()
{
	[ -n "$MILTER_PID" ] || return 0
	awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' \
	    "/proc/$MILTER_PID/status" 2>/dev/null || true
}

# wait_delivered - wait until BOX holds N files and the queue is empty
wait_delivered()
{
	local box=$1 want=$2 deadline

	deadline=$(($(date +%s) + BENCH_WAIT))
	while [ "$(pf_maildir_count "$box")" -lt "$want" ] ||
	    [ "$(pf_queue_count)" -gt 0 ]; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			say "timeout: $box has $(pf_maildir_count "$box")" \
			    "of $want, $(pf_queue_count) queued"
			return 1
		fi
		sleep 0.05
	done
}

# last_delivery - print the ctime of the newest file in BOX's Maildir
last_delivery()
{
	find "$PF_DIR/mail/$1/new" -type f -printf '%C@\n' |
	    sort -n | tail -n 1
}

# send_load - smtp-source COUNT messages to BOX@example.com at CONC
send_load()
{
	local box=$1 count=$2 conc=$3

	timeout "$BENCH_WAIT" "$SMTP_SOURCE" -s "$conc" -m "$count" \
	    -f bench@client.example -t "$box@example.com" \
	    -M client.example -S "Benchmark message to $box" \
	    -l "$BENCH_SIZE" "127.0.0.1:$PF_PORT" \
	    >>"$WORK/smtp-source.log" 2>&1
}

# select_mode - make MODE's Postfix and milter the current ones
select_mode()
{
	pf_use "$WORK/pf-$1"
	MILTER_PID=${MPID[$1]:-}
}

# run_one - one timed run of MODE/BOX/CONC; appends to SAMPLES, RSS
run_one()
{
	local key=$1/$2/$3 box=$2 t0 t1 secs mem

	select_mode "$1"
	rm -rf "$PF_DIR/mail/$box/new" "$PF_DIR/mail/$box/cur"
	reset_peak_rss
	t0=$(now)
	if ! send_load "$box" "$BENCH_COUNT" "$3" ||
	    ! wait_delivered "$box" "$BENCH_COUNT"; then
		say "$key: FAILED (see $WORK/smtp-source.log, $(pf_log))"
		SKIP[$key]=FAILED
		FAILURES=$((FAILURES + 1))
		return 0
	fi
	t1=$(last_delivery "$box")
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	SAMPLES[$key]="${SAMPLES[$key]:-} $secs"
	mem=$(peak_rss_mb)
	if [ -n "$mem" ] && awk -v m="$mem" -v o="${RSS[$key]:-0}" \
	    'BEGIN { exit !(m > o) }'; then
		RSS[$key]=$mem
	fi
	say "$key: $BENCH_COUNT msgs in $secs s"
}

# warm_up - untimed messages so every Postfix daemon is already running
warm_up()
{
	local box

	[ "$BENCH_WARMUP" -gt 0 ] || return 0
	for box in $KINDS; do
		if ! send_load "$box" "$BENCH_WARMUP" 4 ||
		    ! wait_delivered "$box" "$BENCH_WARMUP"; then
			die "warm-up to $box@ failed (see $(pf_log))"
		fi
	done
}

# skip_mode - mark every run of MODE as skipped with REASON
skip_mode()
{
	local mode=$1 reason=$2 box conc

	say "mode $mode skipped: $reason"
	for box in $KINDS; do
		for conc in $BENCH_CONC; do
			SKIP[$mode/$box/$conc]="skipped ($reason)"
		done
	done
}

# setup_mode - start MODE's milter and Postfix, warm up; or skip MODE
setup_mode()
{
	local mode=$1 port milter='' why

	if [ "$mode" = postdesk ]; then
		why=$(postdesk_missing)
		if [ -n "$why" ]; then
			skip_mode "$mode" "$why"
			return 0
		fi
	fi
	port=$(pf_free_ports 1)
	start_milter "$mode" "$port"
	[ "$mode" = none ] || milter="inet:127.0.0.1:$port"
	PF_MAILBOXES="$KINDS" pf_setup "$WORK/pf-$mode" "$milter" ||
	    die "pf_setup failed for mode $mode"
	pf_start || die "postfix did not start for mode $mode"
	say "mode $mode: smtpd 127.0.0.1:$PF_PORT${milter:+, milter $milter}"
	warm_up
	READY_MODES="$READY_MODES $mode"
}

# teardown_mode - check the log, stop MODE's Postfix and milter
teardown_mode()
{
	local mode=$1 n

	select_mode "$mode"
	n=$(grep -c 'milter' "$(pf_log)" || true)
	if [ "$n" -gt 0 ]; then
		say "warning: mode $mode: $n milter lines in $(pf_log):"
		grep 'milter' "$(pf_log)" | head -n 3 >&2
	fi
	pf_stop || die "postfix did not stop for mode $mode"
	stop_milter
	MPID[$mode]=
	if [ "$mode" = minimal ]; then
		sed 's/^/# /' "$WORK/$mode/milter.log" >&2
	fi
}

# median_and_spread - print "MEDIAN SPREAD%" of the numbers on stdin
#
# SPREAD is half the range in percent of the median: how far apart the
# repetitions were.
median_and_spread()
{
	sort -n | awk '
	{ v[NR] = $1 }
	END {
		if (NR == 0) exit 1
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f %.0f\n", m, 50 * (v[NR] - v[1]) / m
	}'
}

# summarise - turn SAMPLES into SECS, RATE and SPREAD for every key
summarise()
{
	local key ms

	for key in "${!SAMPLES[@]}"; do
		[ -z "${SKIP[$key]:-}" ] || continue
		ms=$(echo "${SAMPLES[$key]}" | tr ' ' '\n' | grep . |
		    median_and_spread)
		SECS[$key]=${ms% *}
		SPREAD[$key]=${ms#* }
		RATE[$key]=$(awk -v n="$BENCH_COUNT" -v s="${SECS[$key]}" \
		    'BEGIN { printf "%.1f", n / s }')
	done
}

# ratio - print A/B for run keys A and B with 2 decimals, or nothing
ratio()
{
	[ -n "${RATE[$1]:-}" ] && [ -n "${RATE[$2]:-}" ] || return 0
	awk -v a="${RATE[$1]}" -v b="${RATE[$2]}" \
	    'BEGIN { printf "%.2f", a / b }'
}

# verdict - print "ok" or "MISSED" for VALUE OP LIMIT (op: ge or lt)
verdict()
{
	[ -n "$1" ] || return 0
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		ok = (op == "ge") ? (v >= l) : (v < l)
		print ok ? "ok" : "MISSED"
	}'
}

# row_targets - print the "vs, ratio, target" cells of a postdesk row
row_targets()
{
	local mode=$1 box=$2 conc=$3 base r mem

	[ "$mode" = postdesk ] || return 0
	base=minimal
	[ "$box" = support ] || base=none
	r=$(ratio "$mode/$box/$conc" "$base/$box/$conc")
	mem=${RSS[$mode/$box/$conc]:-}
	printf '%-8s %5s %-6s' "$base" "${r:--}" "$(verdict "$r" ge 0.85)"
	if [ "$conc" = 32 ] && [ -n "$mem" ]; then
		printf ' rss<30MB %s' "$(verdict "$mem" lt 30)"
	fi
}

# print_row - print the table row of MODE/BOX/CONC
print_row()
{
	local mode=$1 box=$2 conc=$3 key=$1/$2/$3

	if [ -n "${SKIP[$key]:-}" ]; then
		printf '%-9s %-8s %4s  %s\n' "$mode" "$box" "$conc" \
		    "${SKIP[$key]}"
		return 0
	fi
	printf '%-9s %-8s %4s %6s %8s %9s %4s %7s  %s\n' "$mode" "$box" \
	    "$conc" "$BENCH_COUNT" "${SECS[$key]}" "${RATE[$key]}" \
	    "${SPREAD[$key]}" "${RSS[$key]:--}" \
	    "$(row_targets "$mode" "$box" "$conc")" | sed 's/ *$//'
}

# print_table - one row per mode x kind x concurrency, computed figures
print_table()
{
	local mode box conc

	printf '\npostdesk bench: %s msgs/run, median of %s, %s-byte body,' \
	    "$BENCH_COUNT" "$BENCH_REPEAT" "$BENCH_SIZE"
	printf ' %s CPUs, Postfix %s\n' "$(nproc)" \
	    "$(postconf -d -h mail_version 2>/dev/null || echo '?')"
	printf '%-9s %-8s %4s %6s %8s %9s %4s %7s  %-8s %5s %s\n' \
	    mode rcpt conc msgs secs msgs/s '+-%' rss_MB vs ratio '>=0.85'
	for mode in $BENCH_MODES; do
		for box in $KINDS; do
			for conc in $BENCH_CONC; do
				print_row "$mode" "$box" "$conc"
			done
		done
	done
	echo "ratio = postdesk msgs/s / msgs/s of mode 'vs' (same rcpt," \
	    "conc); +-% = half the range of the repetitions;" \
	    "rss_MB = milter VmHWM during the run (max over repetitions)."
}

# rotate - print the words after N rotated left by N places
rotate()
{
	local n=$1

	shift
	n=$((n % $#))
	printf '%s\n' "${@:n+1}" "${@:1:n}"
}

# measure - every repetition, kind and concurrency, modes back to back
#
# The order of the modes rotates with each repetition, so that no mode
# always runs right after the same other one (the previous run's disk
# writeback and idle processes are still around).
measure()
{
	local rep box conc mode order

	for rep in $(seq 1 "$BENCH_REPEAT"); do
		# shellcheck disable=SC2086
		order=$(rotate $((rep - 1)) $READY_MODES)
		say "repetition $rep of $BENCH_REPEAT," \
		    "order: ${order//$'\n'/ }"
		for box in $KINDS; do
			for conc in $BENCH_CONC; do
				for mode in $order; do
					run_one "$mode" "$box" "$conc"
				done
			done
		done
	done
}

# check_env - refuse to start without what the benchmark needs
check_env()
{
	local n

	[ "$(id -u)" = 0 ] || die "needs root (private Postfix instance)"
	[ -x "$SMTP_SOURCE" ] || die "$SMTP_SOURCE not found (postfix)"
	for n in "$BENCH_COUNT" "$BENCH_REPEAT" "$BENCH_WARMUP"; do
		case $n in
		''|*[!0-9]*) die "BENCH_COUNT, BENCH_REPEAT, BENCH_WARMUP" \
		    "must be numbers" ;;
		esac
	done
	if [ "$BENCH_COUNT" -eq 0 ] || [ "$BENCH_REPEAT" -eq 0 ]; then
		die "BENCH_COUNT and BENCH_REPEAT must be positive"
	fi
	for n in $BENCH_MODES; do
		case $n in
		none|minimal|postdesk) ;;
		*) die "unknown mode $n (none, minimal, postdesk)" ;;
		esac
	done
}

main()
{
	local mode

	check_env
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/pd-bench.XXXXXX")
	chmod 0755 "$WORK"
	trap cleanup EXIT
	trap 'exit 1' INT TERM HUP
	build_minimal
	for mode in $BENCH_MODES; do
		setup_mode "$mode"
	done
	measure
	for mode in $READY_MODES; do
		teardown_mode "$mode"
	done
	summarise
	print_table
	[ "$FAILURES" -eq 0 ]
}

main "$@"
