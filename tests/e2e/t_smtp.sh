#!/bin/bash
# t_smtp.sh - pd_smtp against a real Postfix, smtp-sink and dead relays
#
# PURPOSE	Drives lib/pd_smtp through tests/tools/smtp_send:
#		- into a private Postfix's inject listener (PF_INJECT_PORT,
#		  no milters): the body arrives intact, the queue id pd_smtp
#		  reports is the one Postfix logged for that Message-ID, the
#		  null sender arrives as "Return-Path: <>", an injection
#		  attempt sends nothing and leaves the session usable, one
#		  session carries two messages and ends with QUIT;
#		- into smtp-sink(1) told to refuse: 5xx at RCPT is
#		  EPERMFAIL and the session survives (RSET), 4xx at RCPT is
#		  ETEMP and ends the session, 421, 5xx after the data, a
#		  dropped connection and a relay that does not answer the
#		  end of data within the timeout;
#		- a closed port (ETEMP at once) and a listener that never
#		  speaks (ETEMP after the 2 s timeout, not libetpan's 300 s).
#		Negative controls: a wrong queue id and a changed body must
#		be detected.
#
# OUTPUT	TAP for Automake's tap-driver.sh.  Skipped without root,
#		Postfix, smtp-sink, python3 or the built driver.
#
# BOUNDS	A watchdog ends the test after 120 s; every server runs
#		under timeout(1); the EXIT trap stops Postfix and the
#		servers and removes the work directory (PD_KEEP_TMP=1 keeps
#		it).
#
# SPDX-License-Identifier: MIT

set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/e2e/pflib.sh"
. "$top_srcdir/tests/e2e/taplib.sh"

DRIVER=$top_builddir/tests/tools/smtp_send
PLAN=32
SERVER=

# stop_server - stop the current smtp-sink or python listener, if any
stop_server()
{
	if [ -n "$SERVER" ]; then
		kill "$SERVER" 2>/dev/null || true
		wait "$SERVER" 2>/dev/null || true
		SERVER=
	fi
}

# cleanup - stop everything this test started, remove the work dir
cleanup()
{
	stop_server
	if [ -n "$WORK" ]; then
		pf_stop "$WORK/pf" >/dev/null 2>&1 || true
	fi
	tap_cleanup_work
}

# drive NAME ARGS... - run the driver; stdout in NAME.out, ms in NAME.ms
drive()
{
	local name=$1 t0 t1

	shift
	echo "# smtp_send $*" >>"$WORK/test.log"
	t0=$(date +%s%N)
	timeout 30 "$DRIVER" "$@" >"$WORK/$name.out" 2>>"$WORK/test.log" ||
	    true
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000)) >"$WORK/$name.ms"
	sed "s/^/# $name: /" "$WORK/$name.out" >>"$WORK/test.log"
}

# out_is NAME TEXT - NAME.out is exactly TEXT (lines joined by "|")
out_is()
{
	[ "$(paste -sd'|' "$WORK/$1.out")" = "$2" ]
}

# out_like NAME ERE - NAME.out, lines joined by "|", matches ERE whole
out_like()
{
	paste -sd'|' "$WORK/$1.out" | grep -Eqx "$2"
}

# ms_between NAME LO HI - NAME took at least LO and less than HI ms
ms_between()
{
	local ms

	ms=$(cat "$WORK/$1.ms")
	echo "# $1 took $ms ms" >>"$WORK/test.log"
	[ "$ms" -ge "$2" ] && [ "$ms" -lt "$3" ]
}

# qid_of NAME [N] - the queue id on line N (default 1) of NAME.out
qid_of()
{
	sed -n "${2:-1}p" "$WORK/$1.out" | awk '{ print $2 }'
}

# logged_qids MSGID - queue ids Postfix's cleanup logged for MSGID
logged_qids()
{
	sed -n "s/.*\]: \([0-9A-Za-z]*\): message-id=<$1>\$/\1/p" "$(pf_log)"
}

# qid_matches QID MSGID - Postfix logged QID for MSGID, via the inject smtpd
qid_matches()
{
	[ -n "$1" ] && [ "$1" != - ] &&
	    logged_qids "$2" | grep -qxF "$1" &&
	    grep -q "postfix/inject/smtpd\[[0-9]*\]: $1: client=" "$(pf_log)"
}

# wait_log ERE [S] - wait at most S seconds (10) for ERE in the maillog
wait_log()
{
	local tries=$((${2:-10} * 10))

	while [ "$tries" -gt 0 ]; do
		grep -Eq "$1" "$(pf_log)" 2>/dev/null && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# delivered MSGID - the delivered files in support/ carrying MSGID
delivered()
{
	local f

	for f in $(pf_maildir_files support); do
		if grep -qiF "Message-ID: <$1>" "$f"; then
			echo "$f"
		fi
	done
}

# body_intact FILE MSGID - the delivered MSGID has FILE's body
body_intact()
{
	local f

	f=$(delivered "$2" | head -n 1)
	[ -n "$f" ] &&
	    [ "$(pf_body "$f" | sha256sum)" = "$(pf_body "$1" | sha256sum)" ]
}

# return_path_is MSGID VALUE - first Return-Path of delivered MSGID
return_path_is()
{
	local f

	f=$(delivered "$1" | head -n 1)
	[ -n "$f" ] &&
	    [ "$(grep -m1 '^Return-Path:' "$f" | tr -d '\r')" = \
	    "Return-Path: $2" ]
}

# start_sink PORT ARGS... - smtp-sink on 127.0.0.1:PORT for at most 60 s
start_sink()
{
	local port=$1

	shift
	timeout 60 smtp-sink -u nobody "$@" "127.0.0.1:$port" 10 \
	    >>"$WORK/sink.log" 2>&1 &
	SERVER=$!
	pf_port_wait "$port" 10
}

# start_silent PORT - a listener that accepts and never says a word
start_silent()
{
	timeout 60 python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
conns = []
while True:
    c, _ = s.accept()
    conns.append(c)
' "$1" >>"$WORK/test.log" 2>&1 &
	SERVER=$!
	pf_port_wait "$1" 10
}

# write_messages - m1 (LF, dots, UTF-8), m2 (CRLF), m3
write_messages()
{
	printf '%s\n' 'From: Alice <alice@client.example>' \
	    'To: support@example.com' 'Subject: pd_smtp one' \
	    'Message-ID: <t-smtp-1@client.example>' '' \
	    'Hello support,' '.' '..two dots' '.leading dot' \
	    'UTF-8: привет' '' 'last line' >"$WORK/m1"
	printf '%s\r\n' 'From: Postdesk <support@example.com>' \
	    'To: support@example.com' 'Subject: pd_smtp null sender' \
	    'Message-ID: <t-smtp-2@client.example>' \
	    'Auto-Submitted: auto-replied' '' 'ack body' >"$WORK/m2"
	printf '%s\n' 'From: Postdesk <support@example.com>' \
	    'To: support@example.com' 'Subject: pd_smtp reuse' \
	    'Message-ID: <t-smtp-3@client.example>' '' 'twice' >"$WORK/m3"
}

# postfix_tests - delivery through the inject listener
postfix_tests()
{
	local relay=127.0.0.1:$PF_INJECT_PORT q1 q2 q3a q3b

	drive p1 "$relay" support@example.com "$WORK/m1"
	check "m1: 250 with a queue id, OK" out_like p1 '250 [0-9A-Za-z]+ OK'
	drive p2 -f '' "$relay" support@example.com "$WORK/m2"
	check "m2 (null sender): 250 with a queue id, OK" \
	    out_like p2 '250 [0-9A-Za-z]+ OK'
	drive p3 -x -n 2 "$relay" support@example.com "$WORK/m3"
	check "m3: injection refused, session usable, then sent twice" \
	    out_like p3 'inject EINVAL usable=1(\|250 [0-9A-Za-z]+ OK){2}'
	check "queue empty: all delivered" pf_wait_queue_empty 20
	q1=$(qid_of p1)
	q2=$(qid_of p2)
	q3a=$(qid_of p3 2)
	q3b=$(qid_of p3 3)
	wait_log "$q3b: removed" 10 || true
	check "m1 body arrived intact (dots, UTF-8, no extra line)" \
	    body_intact "$WORK/m1" t-smtp-1@client.example
	check "m2 (CRLF) body arrived intact" \
	    body_intact "$WORK/m2" t-smtp-2@client.example
	check "m1 queue id $q1 is the one Postfix logged for m1" \
	    qid_matches "$q1" t-smtp-1@client.example
	check "m2 queue id $q2 is the one Postfix logged for m2" \
	    qid_matches "$q2" t-smtp-2@client.example
	check "m3 queue ids $q3a $q3b both logged for m3, and differ" \
	    eval 'qid_matches "$q3a" t-smtp-3@client.example &&
	    qid_matches "$q3b" t-smtp-3@client.example && [ "$q3a" != "$q3b" ]'
	check "m1 Return-Path is the sender" \
	    return_path_is t-smtp-1@client.example '<worker@example.com>'
	check "m2 Return-Path is <> (null sender)" \
	    return_path_is t-smtp-2@client.example '<>'
	check "m3 delivered twice" \
	    eval '[ "$(delivered t-smtp-3@client.example | wc -l)" -eq 2 ]'
	check "the injected RCPT x@y never reached Postfix" \
	    not grep -q 'x@y' "$(pf_log)"
	check "m3 session: EHLO, 2 x MAIL/RCPT/DATA, QUIT, nothing else" \
	    wait_log "inject/smtpd.*disconnect from .* ehlo=1 mail=2 \
rcpt=2 data=2 quit=1 commands=8\$" 10
	# Negative controls: the checks above can fail.
	check "negative control: m2's queue id does not match m1" \
	    not qid_matches "$q2" t-smtp-1@client.example
	check "negative control: a changed queue id is not found" \
	    not qid_matches "${q1}X" t-smtp-1@client.example
	sed 's/last line/last linE/' "$WORK/m1" >"$WORK/m1.changed"
	check "negative control: a one-byte body change is detected" \
	    not body_intact "$WORK/m1.changed" t-smtp-1@client.example
}

# sink_case NAME SINKARGS -- DRIVERARGS - one smtp-sink run
sink_case()
{
	local name=$1 port

	shift
	port=$(pf_free_ports 1)
	local sargs=()
	while [ "$1" != -- ]; do
		sargs+=("$1")
		shift
	done
	shift
	start_sink "$port" "${sargs[@]}" >>"$WORK/test.log" 2>&1 || true
	drive "$name" "$@" "127.0.0.1:$port" support@example.com "$WORK/m3"
	stop_server
}

# sink_tests - refusals and breakdowns from smtp-sink
sink_tests()
{
	sink_case s550 -f RCPT -B '550 5.1.1 <support@example.com>: no' -- \
	    -n 2
	check "5xx at RCPT: EPERMFAIL with 550, twice (RSET kept the session)" \
	    out_is s550 '550 - EPERMFAIL|550 - EPERMFAIL'
	sink_case s452 -r RCPT -b '452 4.3.1 Insufficient storage' -- -n 2
	check "4xx at RCPT: ETEMP with 452, then the session is unusable" \
	    out_is s452 '452 - ETEMP|0 - ETEMP'
	sink_case s421 -Q MAIL --
	check "421 at MAIL: ETEMP with 421" out_is s421 '421 - ETEMP'
	sink_case sdot -f . -B '554 5.7.1 content refused' -- -n 2
	check "5xx after the data: EPERMFAIL with 554, session survives" \
	    out_is sdot '554 - EPERMFAIL|554 - EPERMFAIL'
	sink_case sdrop -q DATA --
	check "connection dropped at DATA: ETEMP with code 0" \
	    out_is sdrop '0 - ETEMP'
	sink_case sslow -W .:20 -- -t 2
	check "no reply to the end of data: ETEMP with code 0" \
	    out_is sslow '0 - ETEMP'
	check "... after the 2 s timeout" ms_between sslow 1500 6000
	sink_case sok --
	check "control: the same sink without refusals accepts (250, OK)" \
	    out_like sok '250 .* OK'
}

# dead_tests - nothing listening; a listener that never speaks
dead_tests()
{
	local port

	port=$(pf_free_ports 1)
	drive closed -t 5 "127.0.0.1:$port" support@example.com "$WORK/m3"
	check "closed port: open fails with ETEMP" out_is closed '0 - ETEMP'
	check "... at once, well within the 5 s timeout" \
	    ms_between closed 0 2000
	port=$(pf_free_ports 1)
	start_silent "$port" >>"$WORK/test.log" 2>&1 || true
	drive silent -t 2 "127.0.0.1:$port" support@example.com "$WORK/m3"
	stop_server
	check "silent listener: open fails with ETEMP" out_is silent '0 - ETEMP'
	check "... after the 2 s timeout, not libetpan's 300 s" \
	    ms_between silent 1500 6000
}

main()
{
	[ "$(id -u)" = 0 ] || tap_skip_all "needs root for a private Postfix"
	command -v postfix >/dev/null || tap_skip_all "postfix not installed"
	command -v smtp-sink >/dev/null || tap_skip_all "smtp-sink not installed"
	command -v python3 >/dev/null || tap_skip_all "python3 not installed"
	[ -x "$DRIVER" ] || tap_skip_all "$DRIVER not built (make check)"

	WORK=$(mktemp -d "${TMPDIR:-/tmp}/pd-smtp.XXXXXX")
	chmod 0755 "$WORK"
	trap cleanup EXIT
	trap 'exit 1' INT TERM HUP
	tap_watchdog 120

	echo "1..$PLAN"
	write_messages
	check "pf_setup without milter" pf_setup "$WORK/pf"
	check "pf_start: both smtpd ports answer" pf_start
	echo "# instance $PF_DIR, smtpd $PF_PORT, inject $PF_INJECT_PORT"
	postfix_tests
	sink_tests
	dead_tests
	check "pf_stop leaves no process of the instance" pf_stop

	if [ "$FAILED" -gt 0 ]; then
		echo "# $FAILED failed; log: $WORK/test.log, maillog: $(pf_log)"
		sed 's/^/# /' "$WORK/test.log"
		return 1
	fi
}

main "$@"
