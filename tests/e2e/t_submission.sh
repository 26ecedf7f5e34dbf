#!/bin/bash
# t_submission.sh - the agents' SASL submission service and a real mutt
#
# PURPOSE	Proves the harness the agent tests stand on, without
#		postdesk: pflib.sh's submission service (PF_SUBMISSION=1)
#		delivers mail sent after AUTH and logs sasl_username; it
#		refuses mail for an outside recipient without AUTH, and a
#		wrong password; muttlib.sh drives Debian's mutt to
#		"Reply all" to a message in a Maildir, and the reply reaches
#		the other recipients with In-Reply-To set to the original's
#		Message-ID and the agent's text above the quote; mutt's
#		batch mode (mutt_send) delivers a new message. The
#		configuration checks show that the service runs
#		$postdesk_milter when a snippet defines it and that nothing
#		changes without PF_SUBMISSION. Negative controls show that
#		the body check and mutt_reply can fail.
#
# OUTPUT	TAP, for Automake's tap-driver.sh. Without root, Postfix,
#		saslpasswd2, mutt or tmux the whole plan is skipped.
#
# BOUNDS	A watchdog ends the test after 120 s; each mutt run is
#		bounded by MUTT_TIMEOUT. The EXIT trap stops the instance
#		and any mutt left running and removes the work directory
#		(PD_KEEP_TMP=1 keeps it).
#
# SPDX-License-Identifier: MIT

set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/pflib.sh"
. "$top_srcdir/tests/e2e/muttlib.sh"
. "$top_srcdir/tests/e2e/taplib.sh"

PLAN=20
MC="python3 $top_srcdir/tests/e2e/mailcheck.py"
AGENT=alice@example.com
# The login differs from the address, so the log shows which one the
# client sent.
LOGIN=alice.agent@example.com
# A space and a dollar sign: the password must survive every quoting
# layer (sasldb, smtplib, muttrc).
# shellcheck disable=SC2016
PASSWORD='correct horse $battery'
ORIG_ID="t-sub-orig.$$@client.example"
AUTH_ID="t-sub-auth.$$@client.example"

# cleanup - stop mutt, the instance and the watchdog, remove the work dir
cleanup()
{
	mutt_cleanup
	if [ -n "$WORK" ]; then
		pf_stop "$WORK/pf" >/dev/null 2>&1 || true
	fi
	tap_cleanup_work
}

# write_messages - the test messages and the agent's answer
write_messages()
{
	printf '%s\n' "From: Alice Agent <$AGENT>" 'To: other@example.com' \
	    "Message-ID: <$AUTH_ID>" 'Subject: sent after AUTH' '' \
	    'Sent by an agent who logged in.' >"$WORK/auth.eml"
	printf '%s\n' 'From: Mallory <m@client.example>' \
	    'To: someone@outside.example' 'Subject: open relay?' '' \
	    'Relay me.' >"$WORK/relay.eml"
	printf '%s\n' 'From: Customer <cust@example.com>' \
	    'To: support@example.com' \
	    "Cc: Alice Agent <$AGENT>, other@example.com" \
	    "Message-ID: <$ORIG_ID>" 'Date: Sat, 22 Nov 2025 10:00:00 +0000' \
	    'Subject: Printer on fire' '' 'Hello, my printer is on fire.' \
	    >"$WORK/orig.eml"
	printf '%s\n' 'Hello, the printer is fixed: we replaced the fuser.' \
	    'Картридж тоже заменён.' '-- Alice, support' \
	    >"$WORK/answer.txt"
}

# ehlo_auth PORT - print the AUTH mechanisms 127.0.0.1:PORT offers
ehlo_auth()
{
	timeout 20 python3 - "$1" <<'EOF'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), "client.example",
                  timeout=15) as s:
    s.ehlo()
    print(s.esmtp_features.get("auth", "").strip())
EOF
}

# offers_auth - the submission port offers exactly PLAIN LOGIN, the MX none
offers_auth()
{
	local sub mx

	sub=$(ehlo_auth "$PF_SUBMISSION_PORT") &&
	    mx=$(ehlo_auth "$PF_PORT") || return 1
	echo "submission offers '$sub', MX offers '$mx'"
	[ "$sub" = "PLAIN LOGIN" ] && [ -z "$mx" ]
}

# file_with LOCAL HEADER VALUE - print the first of LOCAL's delivered
# files that has exactly one HEADER, equal to VALUE
file_with()
{
	local f

	for f in $(pf_maildir_files "$1"); do
		if [ "$($MC header "$f" "$2")" = "$3" ]; then
			echo "$f"
			return 0
		fi
	done
	return 1
}

# logged_sasl FILE LOGIN - the submission smtpd logged sasl_username=LOGIN
# for the queue id that FILE's Received header names ("with ESMTPA id")
logged_sasl()
{
	local qid re

	qid=$(sed -n 's/.* with ESMTPA id \([0-9A-Za-z]*\);*$/\1/p' "$1" |
	    head -n 1)
	echo "queue id '$qid'"
	re="postfix/submission/smtpd\[[0-9]+\]: $qid: client=[^ ]+, "
	re="${re}sasl_method=(PLAIN|LOGIN), sasl_username=${2//./\\.}\$"
	[ -n "$qid" ] && grep -E "$re" "$(pf_log)"
}

# send_without_auth - relay.eml to an outside recipient, no AUTH, to the
# submission port
send_without_auth()
{
	PF_SEND_PORT=$PF_SUBMISSION_PORT pf_send m@client.example \
	    someone@outside.example "$WORK/relay.eml"
}

# refused WHAT CODE CMD... - CMD fails with an SMTP reply CODE (say 535)
# in its "pflib:" message, so a refusal for another reason does not count
refused()
{
	local what=$1 code=$2 out

	shift 2
	if out=$("$@" 2>&1); then
		echo "$what: accepted"
		return 1
	fi
	echo "$what: $out"
	grep -q "($code, b'" <<<"$out"
}

# reply_everywhere - cust, support and other got the reply, alice did not
reply_everywhere()
{
	local box

	for box in cust support other; do
		file_with "$box" In-Reply-To "<$ORIG_ID>" || {
			echo "no reply in $box/"
			return 1
		}
	done
	! file_with alice In-Reply-To "<$ORIG_ID>"
}

# threads_to FILE ID - In-Reply-To is exactly <ID>, References names it
threads_to()
{
	local irt refs

	irt=$($MC header "$1" In-Reply-To)
	refs=$($MC header "$1" References)
	echo "In-Reply-To '$irt', References '$refs'"
	[ "$irt" = "<$2>" ] && [[ " $refs " == *" <$2> "* ]]
}

# body_starts_with FILE TEXT-FILE - the decoded body is TEXT-FILE's lines,
# an empty line, then the attribution and the quoted original
body_starts_with()
{
	python3 - "$1" "$2" <<'EOF'
import email, email.policy, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                     policy=email.policy.default)
body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
text = open(sys.argv[2], encoding="utf-8").read()
rest = body[len(text):] if body.startswith(text) else None
if rest is None or not rest.startswith("\n") or \
        "\n> Hello, my printer is on fire." not in rest:
    sys.exit("body does not start with the text:\n" + body)
EOF
}

# send_with_mutt - a new message to other@ through mutt_send (batch
# mode), delivered
send_with_mutt()
{
	mutt_send "$WORK/answer.txt" "$LOGIN" "$PASSWORD" \
	    "Alice Agent <$AGENT>" "mutt batch $$" other@example.com &&
	    pf_wait_queue_empty 20 &&
	    file_with other Subject "mutt batch $$"
}

# no_mutt_left - no process runs from a muttlib directory under WORK
no_mutt_left()
{
	! pgrep -f "$WORK/pd-mutt\." >/dev/null
}

# submission_milters - print the submission service's smtpd_milters
# override of instance DIR ("none" when it has none)
submission_milters()
{
	local dir=$1 port

	port=$(sed -n 's/^PF_SUBMISSION_PORT=//p' "$dir/pf.env")
	postconf -c "$dir/etc" -P "127.0.0.1:$port/inet/smtpd_milters" \
	    2>/dev/null | sed 's/.*= *//' | grep . || echo none
}

# config_checks - the milter choice and the unchanged default, in
# throw-away instances that are configured but never started
config_checks()
{
	local snippet=$WORK/snippet.cf got

	# shellcheck disable=SC2016
	printf '%s\n' 'postdesk_milter = inet:127.0.0.1:9' \
	    'smtpd_milters = $postdesk_milter' >"$snippet"
	got=$(PF_MAIN_SNIPPET=$snippet PF_SUBMISSION=1 \
	    pf_setup "$WORK/pf-milter" && submission_milters "$WORK/pf-milter")
	echo "with the snippet: $got"
	# shellcheck disable=SC2016
	[ "$got" = '$postdesk_milter' ] || return 1
	got=$(submission_milters "$WORK/pf")
	echo "without it: $got"
	[ "$got" = none ]
}

# default_unchanged - without PF_SUBMISSION: two services, no sasl dir,
# no submission port in pf.env or the environment
default_unchanged()
{
	(
		unset PF_SUBMISSION
		pf_setup "$WORK/pf-plain" || exit 1
		[ -z "${PF_SUBMISSION_PORT:-}" ] &&
		    [ ! -e "$WORK/pf-plain/etc/sasl" ] &&
		    ! grep -q submission "$WORK/pf-plain/etc/master.cf" &&
		    [ "$(grep -c '^127\.0\.0\.1:' \
		    "$WORK/pf-plain/etc/master.cf")" = 2 ] &&
		    [ "$(wc -l <"$WORK/pf-plain/pf.env")" = 3 ]
	)
}

main()
{
	local f

	[ "$(id -u)" = 0 ] || tap_skip_all "needs root for a private Postfix"
	for f in postfix python3 saslpasswd2 mutt tmux; do
		command -v "$f" >/dev/null ||
		    tap_skip_all "$f not installed (scripts/install-deps.sh)"
	done

	WORK=$(mktemp -d "${TMPDIR:-/tmp}/pd-e2e.XXXXXX")
	chmod 0755 "$WORK"
	export TMPDIR=$WORK
	trap cleanup EXIT
	trap 'exit 1' INT HUP
	tap_watchdog 120

	echo "1..$PLAN"
	write_messages
	export PF_MAILBOXES="support other alice cust"
	PF_SUBMISSION=1 pf_setup "$WORK/pf" >>"$WORK/test.log" 2>&1
	ok $? "pf_setup with PF_SUBMISSION=1 (port ${PF_SUBMISSION_PORT:-none})"
	check "pf_sasl_user adds $LOGIN" pf_sasl_user "$LOGIN" "$PASSWORD"
	check "pf_start: MX, inject and submission ports answer" pf_start
	check "submission offers AUTH PLAIN LOGIN without TLS, the MX no AUTH" \
	    offers_auth

	check "authenticated submission accepted" pf_send_auth "$LOGIN" \
	    "$PASSWORD" "$AGENT" other@example.com "$WORK/auth.eml"
	pf_wait_queue_empty 20 >>"$WORK/test.log" 2>&1
	AUTHMAIL=$(file_with other Message-ID "<$AUTH_ID>")
	ok $? "the authenticated mail is delivered to other/"
	check "its log line shows sasl_username=$LOGIN" \
	    logged_sasl "${AUTHMAIL:-/dev/null}" "$LOGIN"
	check "without AUTH, mail to an outside recipient is refused (554)" \
	    refused "no AUTH" 554 send_without_auth
	check "a wrong password is refused (535)" refused "wrong password" \
	    535 pf_send_auth "$LOGIN" "correct horse battery" "$AGENT" \
	    other@example.com "$WORK/auth.eml"

	pf_send cust@example.com "$AGENT" "$WORK/orig.eml" \
	    >>"$WORK/test.log" 2>&1 && pf_wait_queue_empty 20 \
	    >>"$WORK/test.log" 2>&1
	check "mutt sends a Reply all to <$ORIG_ID> from alice's Maildir" \
	    mutt_reply "$PF_DIR/mail/alice" "<$ORIG_ID>" "$WORK/answer.txt" \
	    "$LOGIN" "$PASSWORD" "Alice Agent <$AGENT>" group
	pf_wait_queue_empty 20 >>"$WORK/test.log" 2>&1
	check "the reply reaches cust, support and other, not alice" \
	    reply_everywhere
	REPLY=$(file_with other In-Reply-To "<$ORIG_ID>")
	check "In-Reply-To is the original's Message-ID" \
	    threads_to "${REPLY:-/dev/null}" "$ORIG_ID"
	check "the answer text is at the top of the body, the quote below" \
	    body_starts_with "${REPLY:-/dev/null}" "$WORK/answer.txt"
	check "the reply's log line shows sasl_username=$LOGIN" \
	    logged_sasl "${REPLY:-/dev/null}" "$LOGIN"
	check "mutt_send (batch mode) delivers a new message" send_with_mutt

	# Negative controls: the body check sees a one-byte change, and
	# mutt_reply fails (quickly, with mutt's screen on stderr) when
	# no message matches.
	sed 's/fuser/fuseR/' "$WORK/answer.txt" >"$WORK/answer.changed"
	check "negative control: a one-byte change in the text is detected" \
	    not body_starts_with "${REPLY:-/dev/null}" "$WORK/answer.changed"
	# shellcheck disable=SC2016
	check "negative control: mutt_reply fails when nothing matches" \
	    eval 'MUTT_TIMEOUT=10 not mutt_reply "$PF_DIR/mail/alice" \
	    "<no-such-$ORIG_ID>" "$WORK/answer.txt" "$LOGIN" "$PASSWORD" \
	    "$AGENT" group'
	check "no mutt or tmux left running" no_mutt_left
	check "submission runs \$postdesk_milter only if the snippet has it" \
	    config_checks
	check "without PF_SUBMISSION nothing of it is configured" \
	    default_unchanged

	if [ "$FAILED" -gt 0 ]; then
		echo "# $FAILED failed; log: $WORK/test.log, maillog: $(pf_log)"
		sed 's/^/# /' "$WORK/test.log"
	fi
	tap_done "$PLAN"
}

main "$@"
