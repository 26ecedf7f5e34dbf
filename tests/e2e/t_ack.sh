#!/bin/bash
# t_ack.sh - the acknowledgement, end to end through a real Postfix
#
# PURPOSE	A new ticket yields exactly one acknowledgement at the
#		customer's side, delivered by postdesk-worker through the
#		relay service (postdesk-milter in recording mode): From the
#		queue, the tag in the Subject, In-Reply-To/References to the
#		customer's mail, Auto-Submitted: auto-replied, the null
#		reverse-path, 7-bit clean, the due time written for a person;
#		a reply to it threads into the ticket.  Mail that must not be
#		answered (auto-replies, bulk and list mail, a bounce and an
#		RFC 3834 reply from ../shared/corpus, the null sender, an
#		agent, a second ticket inside the sender window) gets none.
#		Then the crash run: new tickets while the worker is killed
#		with SIGKILL and restarted; every customer still receives
#		exactly one acknowledgement (counted by In-Reply-To at the
#		receiving Maildir).
# OUTPUT	TAP.
#
# SPDX-License-Identifier: MIT
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/pdlib.sh"

PLAN=32
MC="python3 $top_srcdir/tests/e2e/mailcheck.py"
CORPUS=${PD_CORPUS:-$top_srcdir/../shared/corpus}
export PF_MAILBOXES="support help other postmaster cust alice"
export PF_INJECT_MILTER=1
pd_e2e_tap_init $PLAN 240

# msg FILE FROM MSGID SUBJECT [HEADER...] - a customer's message
msg()
{
	local file=$WORK/$1 from=$2 id=$3 subject=$4 h

	shift 4
	{
		printf 'From: Customer <%s>\nTo: support@example.com\n' "$from"
		printf 'Message-ID: <%s>\nSubject: %s\n' "$id" "$subject"
		for h in "$@"; do printf '%s\n' "$h"; done
		printf '\nHello, something is wrong.\n'
	} >"$file"
}

# acks_for MSGID - delivered acknowledgements answering MSGID
acks_for()
{
	grep -l -i "^In-Reply-To: <$1>" "$PF_DIR/mail/cust/new/"* \
	    2>/dev/null | wc -l
}

# wait_acks N - wait (bounded) until the cust Maildir holds N messages
wait_acks()
{
	local i

	for i in $(seq 1 200); do
		[ "$(pf_maildir_count cust)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# outbox_settled - nothing pending or sending in the outbox
outbox_settled()
{
	! pdctl queue --json | grep -q '"state":"\(pending\|sending\)"'
}

pd_e2e_setup "$WORK" >>"$WORK/test.log" 2>&1 && pd_worker_start
ok $? "milter, Postfix (milter on the relay too) and worker started (relay port $PF_INJECT_PORT)"

# "Принтер горит": a Cyrillic subject, so the acknowledgement is Russian
msg m1 cust+1@example.com m1@client "=?UTF-8?B?0J/RgNC40L3RgtC10YAg0LPQvtGA0LjRgg==?="
T0=$(date +%s%N)
pf_send cust+1@example.com support@example.com "$WORK/m1"
check "the acknowledgement arrives" wait_acks 1
MS=$(( ($(date +%s%N) - T0) / 1000000 ))
ok "$([ "$MS" -lt 5000 ]; echo $?)" "within 5 s of sending ($MS ms)"
A=$(pf_maildir_files cust | head -1)
F1=$(grep -l -F '<m1@client>' "$PF_DIR/mail/support/new/"* | head -1)
TAG=$($MC header "$F1" X-Postdesk-Ticket)
check "From is the queue's name and address" grep -q \
    '^From: Example Support <support@example.com>' "$A"
ok "$($MC header "$A" Subject | grep -qF "[$TAG]"; echo $?)" \
    "Subject carries the tag [$TAG]"
check "In-Reply-To is the customer's Message-ID" \
    grep -qi '^In-Reply-To: <m1@client>' "$A"
ok "$($MC header "$A" References | grep -qF '<m1@client>'; echo $?)" \
    "References name the customer's message"
check "Auto-Submitted: auto-replied" grep -q '^Auto-Submitted: auto-replied' "$A"
check "sent with the null reverse-path" grep -q '^Return-Path: <>' "$A"
check "7-bit clean, text/plain in UTF-8" sh -c "! LC_ALL=C grep -q \
    '[^[:print:][:space:]]' '$A' && grep -qi 'charset=\"*utf-8' '$A'"
BODY=$(python3 -c 'import email,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb")); print(m.get_payload(decode=True).decode())' "$A")
ok "$(printf '%s' "$BODY" | grep -qE 'Мы ответим (сегодня|завтра|в|во) .*до [0-9]{2}:[0-9]{2}'; echo $?)" \
    "the body names the due time for a person: $(printf '%s' "$BODY" | grep 'Мы ответим')"
ok "$(printf '%s' "$BODY" | grep -q 'Принтер'; [ $? -ne 0 ]; echo $?)" \
    "an unauthenticated sender's subject is not quoted"
check "postdeskctl queue shows it sent" sh -c \
    "'$PD_CTL_BIN' -c '$PD_CONF' queue | grep -q ' ack .*sent'"
pdctl render ack --ticket "$TAG" >"$WORK/render.eml" 2>>"$WORK/test.log"
ok "$(python3 - "$A" "$WORK/render.eml" <<'PY'
import email, sys
a, r = (email.message_from_binary_file(open(p, "rb")) for p in sys.argv[1:])
same = all(a.get(h) == r.get(h) for h in
           ("Subject", "From", "To", "Message-Id", "In-Reply-To", "References"))
same = same and a.get_payload(decode=True) == r.get_payload(decode=True)
sys.exit(0 if same else 1)
PY
echo $?)" "postdeskctl render ack prints the acknowledgement as it was sent"
ACKID=$($MC header "$A" Message-ID)
msg r1 cust+1@example.com r1@client "Re: thanks" "In-Reply-To: $ACKID"
pf_send cust+1@example.com support@example.com "$WORK/r1" &&
    pf_wait_queue_empty 30
R1=$(grep -l -F '<r1@client>' "$PF_DIR/mail/support/new/"* | head -1)
ok "$([ "$($MC header "$R1" X-Postdesk-Ticket)" = "$TAG" ]; echo $?)" \
    "a reply to the acknowledgement threads into $TAG"

# Suppression: each of these opens a ticket and gets no acknowledgement.
msg s1 cust+s1@example.com s1@client "Out" "Auto-Submitted: auto-replied"
msg s2 cust+s2@example.com s2@client "News" "Precedence: bulk"
msg s3 cust+s3@example.com s3@client "List" "List-Id: <l.example.com>"
msg s4 alice@example.com s4@client "From an agent"
msg s5 cust+1@example.com s5@client "Second ticket inside the window"
msg s6 cust+s6@example.com s6@client "Failed DMARC" \
    "Authentication-Results: mx.example.com; spf=fail smtp.mailfrom=example.com; dmarc=fail header.from=example.com"
for s in s1 s2 s3 s4 s5 s6; do
	pf_send "$(sed -n 's/^From: Customer <\(.*\)>/\1/p' "$WORK/$s")" \
	    support@example.com "$WORK/$s"
done
msg n1 cust+n1@example.com n1@client "From the null sender"
pf_send "" support@example.com "$WORK/n1"
# From the corpus: an RFC 3834 auto-reply and a Sendmail bounce (sent with
# an ordinary envelope sender, so only their headers can stop the ack).
for c in rfc3834-04 lhost-sendmail-01; do
	pf_send "cust+$c@example.com" support@example.com \
	    "$CORPUS/sisimai/maildir/bsd/$c.eml" ||
	    echo "# corpus message $c not sent"
done
pf_wait_queue_empty 30
sleep 2
ok "$([ "$(pf_maildir_count cust)" = 1 ]; echo $?)" \
    "no acknowledgement for auto-replies, bulk, list, agent, rate limit, failed DMARC, corpus bounce and RFC 3834 reply ($(pf_maildir_count cust) in the Maildir)"
for r in auto-submitted precedence list agent rate-sender null-sender \
    auth-failed report; do
	if [ "$r" = report ] && [ ! -d "$CORPUS" ]; then
		ok 0 "# SKIP no corpus at $CORPUS"
		continue
	fi
	check "milter logged ack=$r" grep -q "ack=$r" "$PD_MILTER_LOG"
done
ok "$(pdctl stats | grep -q '^acks_suppressed_total{reason=auto-submitted}  *1$' &&
    pdctl stats | grep -q '^acks_suppressed_total{reason=list}  *1$'; echo $?)" \
    "postdeskctl stats counts suppressed acknowledgements by reason"

# Authentication-Results count only from [milter] authserv_id: a failure
# stamped by another host suppresses nothing; a pass from ours lets the
# acknowledgement quote the customer's subject.
msg a1 cust+a1@example.com a1@client "Stranger's verdict" \
    "Authentication-Results: other.example; spf=fail smtp.mailfrom=example.com; dmarc=fail header.from=example.com"
msg a2 cust+a2@example.com a2@client "Scanner jams" \
    "Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com"
pf_send cust+a1@example.com support@example.com "$WORK/a1"
pf_send cust+a2@example.com support@example.com "$WORK/a2"
check "a failure from another authserv-id suppresses nothing" \
    wait_acks 3
ok "$([ "$(acks_for a1@client)" = 1 ]; echo $?)" \
    "exactly one acknowledgement for it"
A2=$(grep -l -i '^In-Reply-To: <a2@client>' "$PF_DIR/mail/cust/new/"* | head -1)
ok "$([ -n "$A2" ] && python3 -c 'import email,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb")); sys.exit(0 if "Scanner jams" in m.get_payload(decode=True).decode() else 1)' "$A2"; echo $?)" \
    "an authenticated sender's subject is quoted"
ok "$([ -n "$A2" ] && python3 -c 'import email,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb")); sys.exit(0 if "We will answer" in m.get_payload(decode=True).decode() else 1)' "$A2"; echo $?)" \
    "a Latin subject gets the English acknowledgement (queue language ru)"

# The crash run: 30 new tickets, the worker killed with SIGKILL 3 times.
N=30
BEFORE=$(pf_maildir_count cust)
for i in $(seq 1 $N); do
	msg "k$i" "cust+k$i@example.com" "k$i@client" "Crash test $i"
done
SENDERS=
for i in $(seq 1 $N); do
	pf_send "cust+k$i@example.com" support@example.com "$WORK/k$i" &
	SENDERS="$SENDERS $!"
	if [ $((i % 10)) = 5 ]; then
		sleep 0.$((RANDOM % 9 + 1))
		pd_worker_kill KILL
		pd_worker_start
	fi
done
# shellcheck disable=SC2086
wait $SENDERS
pf_wait_queue_empty 60
for _ in $(seq 1 100); do outbox_settled && break; sleep 0.2; done
pf_wait_queue_empty 60
ok "$(outbox_settled; echo $?)" "crash run: nothing left pending in the outbox"
DUP=0
MISS=0
for i in $(seq 1 $N); do
	c=$(acks_for "k$i@client")
	[ "$c" -gt 1 ] && DUP=$((DUP + 1))
	[ "$c" -lt 1 ] && MISS=$((MISS + 1))
done
ok "$([ $DUP = 0 ] && [ $MISS = 0 ]; echo $?)" \
    "crash run: each of $N customers has exactly one acknowledgement (duplicates $DUP, missing $MISS)"
ok "$([ "$(pf_maildir_count cust)" = $((BEFORE + N)) ]; echo $?)" \
    "crash run: $((BEFORE + N)) acknowledgements in all"

pd_e2e_done
