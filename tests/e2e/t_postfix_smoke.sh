#!/bin/bash
# t_postfix_smoke.sh - a private Postfix without milter delivers mail intact
#
# PURPOSE	Proves the end-to-end harness (pflib.sh) before any milter is
#		involved: three messages sent over SMTP land in the right
#		Maildirs with byte-identical bodies, and stopping the
#		instance leaves no process behind. Negative controls show
#		that the body comparison and the routing checks can fail.
#
# OUTPUT	TAP ("1..N", "ok N - ..."), for Automake's tap-driver.sh.
#		Without root or Postfix the whole plan is skipped.
#
# BOUNDS	A watchdog ends the test after 55 s; the EXIT trap always
#		stops the instance and removes the work directory (set
#		PD_KEEP_TMP=1 to keep it for inspection).
#
# SPDX-License-Identifier: MIT

set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/pflib.sh"
. "$top_srcdir/tests/e2e/taplib.sh"

PLAN=14

# cleanup - stop the instance and the watchdog, remove the work dir
cleanup()
{
	if [ -n "$WORK" ]; then
		pf_stop "$WORK/pf" >/dev/null 2>&1 || true
	fi
	tap_cleanup_work
}

# write_messages - create the three test messages in three line-ending styles
#
# m1 has LF endings, a lone "." line and a leading-dot line (dot-stuffing)
# and UTF-8 text; m2 has CRLF endings and trailing blanks; m3 has CR-only
# endings and no final line ending.
write_messages()
{
	printf '%s\n' 'From: Alice <alice@client.example>' \
	    'To: support@example.com' 'Subject: smoke one' '' \
	    'Hello support,' '.' '..two dots' '.leading dot' \
	    'UTF-8: привет, grüße' '' 'last line' >"$WORK/m1"
	printf '%s\r\n' 'From: Bob <bob@client.example>' \
	    'To: other@example.com' 'Subject: smoke two' '' \
	    'Body of message two   ' '' '  indented line' 'end' >"$WORK/m2"
	printf 'From: Carol <carol@client.example>\rTo: support+x@example.com'\
'\rSubject: smoke three\r\rthird body\r. not an end\rno final newline' \
	    >"$WORK/m3"
}

# delivered_with_body - true if LOCALPART has a file whose body equals FILE's
delivered_with_body()
{
	local box=$1 want f

	want=$(pf_body "$2" | sha256sum)
	for f in $(pf_maildir_files "$box"); do
		if [ "$(pf_body "$f" | sha256sum)" = "$want" ]; then
			return 0
		fi
	done
	return 1
}

# count_is - true if LOCALPART holds exactly N delivered files
count_is()
{
	[ "$(pf_maildir_count "$1")" -eq "$2" ]
}

# no_process_left - true if instance DIR has no process any more
no_process_left()
{
	[ -z "$(pf_pids "$1")" ]
}

main()
{
	[ "$(id -u)" = 0 ] || tap_skip_all "needs root for a private Postfix"
	command -v postfix >/dev/null || tap_skip_all "postfix not installed"
	command -v python3 >/dev/null || tap_skip_all "python3 not installed"

	WORK=$(mktemp -d "${TMPDIR:-/tmp}/pd-smoke.XXXXXX")
	chmod 0755 "$WORK"
	trap cleanup EXIT
	trap 'exit 1' INT TERM HUP
	tap_watchdog 55

	echo "1..$PLAN"
	write_messages
	check "pf_setup without milter" pf_setup "$WORK/pf"
	check "pf_start: both smtpd ports answer" pf_start
	echo "# instance $PF_DIR, smtpd $PF_PORT, inject $PF_INJECT_PORT"

	check "send to support@" pf_send alice@client.example \
	    support@example.com "$WORK/m1"
	check "send to other@" pf_send bob@client.example \
	    other@example.com "$WORK/m2"
	check "send to support+x@" pf_send carol@client.example \
	    support+x@example.com "$WORK/m3"
	check "queue empty: all delivered" pf_wait_queue_empty 20

	check "support/ holds 2 messages, other/ holds 1" \
	    eval 'count_is support 2 && count_is other 1'
	check "body of support@ mail (LF) byte-identical in support/" \
	    delivered_with_body support "$WORK/m1"
	check "body of other@ mail (CRLF) byte-identical in other/" \
	    delivered_with_body other "$WORK/m2"
	check "body of support+x@ mail (CR) byte-identical in support/" \
	    delivered_with_body support "$WORK/m3"

	# Negative controls: a changed body must not match, and a
	# message for another mailbox must not show up in support/.
	sed 's/last line/last linE/' "$WORK/m1" >"$WORK/m1.changed"
	check "negative control: a one-byte change is detected" \
	    not delivered_with_body support "$WORK/m1.changed"
	check "negative control: other@ mail is not in support/" \
	    not delivered_with_body support "$WORK/m2"
	# shellcheck disable=SC2016
	check "negative control: nobody-such@ refused, support/ unchanged" \
	    eval 'not pf_send x@client.example nobody-such@example.com \
	    "$WORK/m1" && count_is support 2'

	# shellcheck disable=SC2016
	check "pf_stop leaves no process of the instance" \
	    eval 'pf_stop && no_process_left "$PF_DIR"'

	if [ "$FAILED" -gt 0 ]; then
		echo "# $FAILED failed; log: $WORK/test.log, maillog: $(pf_log)"
		sed 's/^/# /' "$WORK/test.log"
		return 1
	fi
}

main "$@"
