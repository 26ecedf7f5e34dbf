#!/bin/bash
# t_agent.sh - agents answer from their own mail client, end to end
#
# PURPOSE	Through the real Postfix of the tests, now with a submission
#		service that requires SASL (pflib PF_SUBMISSION=1): a real
#		mutt replies to a ticket mail as the agent alice ("Reply
#		all", a command line at the top); the customer receives the
#		answer from the support address, tagged, without the command
#		line, and the ticket is pending with its first response set.
#		Then, by scripted SASL submissions: #note never reaches the
#		customer, not even when it is sent again with the same
#		Message-ID; a wrong command applies nothing and alice is told;
#		#assign to an unknown login is refused; commands in a
#		quoted-printable multipart/alternative answer are removed
#		from both parts; #resolve resolves.  The same mail sent
#		without authentication with alice's From changes nothing.
#		A customer's reply reopens the resolved ticket and
#		postdeskctl show counts it; an out-of-office reply reopens
#		nothing.  A client in trusted_networks (127.0.0.2 here) with
#		an agent's From is that agent.  postdeskctl resolve, assign
#		and priority do what the mail commands do.
# OUTPUT	TAP.
#
# SPDX-License-Identifier: MIT
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/pdlib.sh"
. "$top_srcdir/tests/e2e/muttlib.sh"

PLAN=50
MC="python3 $top_srcdir/tests/e2e/mailcheck.py"
export PF_MAILBOXES="support help cust alice bob postmaster"
export PF_INJECT_MILTER=1 PF_SUBMISSION=1
pd_e2e_tap_init $PLAN 300
trap 'mutt_cleanup; pd_e2e_cleanup' EXIT

# wait_for CMD... - pd_wait_for, 30 s at most
wait_for()
{
	pd_wait_for 150 "$@"
}

# count_is LOCAL N - the Maildir of LOCAL holds N messages
count_is()
{
	[ "$(pf_maildir_count "$1")" = "$2" ]
}

# field TAG NAME - a field of "postdeskctl show TAG --json"
field()
{
	pdctl show "$1" --json | python3 -c 'import json,sys
t = json.load(sys.stdin)["ticket"]
print(t.get(sys.argv[1]))' "$2"
}

# newest LOCAL - the newest delivered file of LOCAL
newest()
{
	ls -t "$PF_DIR/mail/$1/new/"* 2>/dev/null | head -1
}

# text_of FILE - every text part of FILE, decoded
text_of()
{
	python3 - "$1" <<'PY'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for p in m.walk():
    if p.get_content_maintype() == "text":
        sys.stdout.write(p.get_payload(decode=True).decode(
            p.get_content_charset() or "utf-8", "replace") + "\n")
PY
}

# agent_mail FILE SUBJECT BODY [TO] - a plain agent's mail from alice
agent_mail()
{
	printf 'From: Alice Agent <alice@example.com>\nTo: %s\nSubject: %s\nMessage-ID: <%s@agent>\n\n%b\n' \
	    "${4:-cust+1@example.com, support@example.com}" "$2" \
	    "$(basename "$1")" "$3" >"$1"
}

pd_e2e_setup "$WORK" >>"$WORK/test.log" 2>&1 &&
    pf_sasl_user alice@example.com alice-secret &&
    pf_sasl_user mallory@example.com mallory-secret &&
    pd_worker_start
ok $? "Postfix with SASL submission, milter and worker started"

# A customer opens a ticket.
printf 'From: Customer <cust+1@example.com>\nTo: support@example.com\nSubject: Printer on fire\nMessage-ID: <c1@client>\n\nIt burns.\n' >"$WORK/c1"
pf_send cust+1@example.com support@example.com "$WORK/c1"
wait_for count_is support 1
wait_for count_is cust 1		# the acknowledgement
T1=$(newest support)
TAG=$($MC header "$T1" X-Postdesk-Ticket)
ok "$([ -n "$TAG" ]; echo $?)" "ticket opened: [$TAG]"

# 1. mutt, "Reply all", with a command line at the top.
printf '#priority high\n\nHello, we are on it.\n' >"$WORK/reply1.txt"
mutt_reply "$PF_DIR/mail/support" "<c1@client>" "$WORK/reply1.txt" \
    alice@example.com alice-secret "Alice Agent <alice@example.com>" group \
    2>>"$WORK/test.log"
ok $? "mutt replied to the ticket mail as alice through SASL submission"
check "the customer receives the answer" wait_for count_is cust 2
A=$(newest cust)
check "From is the support address as 'Alice Agent via Example Support'" \
    grep -q '^From: Alice Agent via Example Support <support@example.com>' "$A"
check "Reply-To is the support address" \
    grep -qi '^Reply-To: *support@example.com' "$A"
ok "$($MC header "$A" Subject | grep -qF "[$TAG]"; echo $?)" \
    "the subject carries the tag"
check "threaded: In-Reply-To the customer's message" \
    grep -qi '^In-Reply-To: <c1@client>' "$A"
ok "$(text_of "$A" | grep -q 'we are on it' &&
    ! text_of "$A" | grep -q '^#priority'; echo $?)" \
    "the command line does not reach the customer"
ok "$(text_of "$A" | grep -q 'we are on it'; echo $?)" \
    "the answer's text does"
ok "$([ "$(field "$TAG" status)" = pending ]; echo $?)" \
    "status pending (waiting for the customer)"
ok "$([ "$(field "$TAG" priority)" = high ]; echo $?)" "#priority high applied"
ok "$([ "$(field "$TAG" first_response_at)" -gt 0 ]; echo $?)" \
    "first response time set"

# 2. #note: the desk only.
agent_mail "$WORK/n1" "Re: [$TAG] Printer on fire" \
    '#note\n\nThe customer is on the old firmware.'
BEFORE_SUP=$(pf_maildir_count support)
pf_send_auth alice@example.com alice-secret alice@example.com \
    cust+1@example.com,support@example.com "$WORK/n1" 2>>"$WORK/test.log"
ok $? "a #note is accepted on submission"
check "the note reaches the support address" \
    wait_for count_is support $((BEFORE_SUP + 1))
pf_wait_queue_empty 20
ok "$(count_is cust 2; echo $?)" "the note never reaches the customer"
check "the note reaches the other agent, bob" wait_for count_is bob 1
ok "$(grep -q 'action=note' "$PD_MILTER_LOG"; echo $?)" "milter logged the note"
# The same note again, same Message-ID: what a sender's retry looks like
# when its first try got a 451 after the milter had committed (the milter
# killed before it answered; t_chaos.sh).  Still the desk only.
pf_send_auth alice@example.com alice-secret alice@example.com \
    cust+1@example.com,support@example.com "$WORK/n1" 2>>"$WORK/test.log"
pf_wait_queue_empty 20
ok "$(count_is cust 2 && count_is bob 2 &&
    grep -q 'action=note, .*, repeat$' "$PD_MILTER_LOG"; echo $?)" \
    "a resent #note (same Message-ID) again reaches the desk, not the customer"

# 3. A wrong command: nothing applied, the customer gets nothing, alice
#    is told by the worker.
agent_mail "$WORK/b1" "Re: [$TAG] Printer on fire" \
    '#reslove\n\nDone, I think.'
pf_send_auth alice@example.com alice-secret alice@example.com \
    cust+1@example.com,support@example.com "$WORK/b1" 2>>"$WORK/test.log"
check "alice receives a notice about the wrong command" \
    wait_for count_is alice 1
ok "$(text_of "$(newest alice)" | grep -q 'reslove'; echo $?)" \
    "the notice names the line it did not understand"
ok "$(count_is cust 2; echo $?)" "the customer receives nothing"
ok "$([ "$(field "$TAG" status)" = pending ]; echo $?)" "status unchanged"

# 4. #assign to an unknown login: refused as a whole (no half-applied
#    #resolve either); to a known one: assigned.
agent_mail "$WORK/b2" "Re: [$TAG] Printer on fire" \
    '#resolve\n#assign carol\n\nCarol will look at it.'
pf_send_auth alice@example.com alice-secret alice@example.com \
    cust+1@example.com,support@example.com "$WORK/b2" 2>>"$WORK/test.log"
check "#assign carol: refused, alice told" wait_for count_is alice 2
ok "$([ "$(field "$TAG" status)" = pending ]; echo $?)" \
    "#resolve next to a refused #assign was not applied"
agent_mail "$WORK/g1" "Re: [$TAG] Printer on fire" \
    '#assign bob\n#note\n\nBob, yours.'
pf_send_auth alice@example.com alice-secret alice@example.com support@example.com \
    "$WORK/g1" 2>>"$WORK/test.log"
check "#assign bob applied" wait_for sh -c \
    "'$PD_CTL_BIN' -c '$PD_CONF' show '$TAG' --json | grep -q '\"assignee\":\"bob@example.com\"'"

# 5. Quoted-printable multipart/alternative: commands gone from both parts.
python3 - "$WORK/h1" "$TAG" <<'PY'
import sys
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email import charset
charset.add_charset("utf-8", charset.QP, charset.QP)
m = MIMEMultipart("alternative")
m["From"] = "Alice Agent <alice@example.com>"
m["To"] = "cust+1@example.com, support@example.com"
m["Subject"] = "Re: [%s] Printer on fire" % sys.argv[2]
m["Message-ID"] = "<h1@agent>"
m.attach(MIMEText("#pending\n\nPlease try the new driver — версия 2.\n",
                  "plain", "utf-8"))
m.attach(MIMEText("<html><body><div>#pending</div><div><br></div>"
                  "<div>Please try the new driver &mdash; версия 2.</div>"
                  "</body></html>", "html", "utf-8"))
open(sys.argv[1], "wb").write(m.as_bytes())
PY
pf_send_auth alice@example.com alice-secret alice@example.com \
    cust+1@example.com,support@example.com "$WORK/h1" 2>>"$WORK/test.log"
check "the HTML answer reaches the customer" wait_for count_is cust 3
H=$(newest cust)
ok "$(text_of "$H" | grep -q 'версия' &&
    ! text_of "$H" | grep -q '#pending'; echo $?)" \
    "no command in the plain or the HTML part"
ok "$(text_of "$H" | grep -c 'версия 2' | grep -q '^2$'; echo $?)" \
    "both parts keep their text"

# 5b. A signed answer: the command applies, the body stays as it is, and
#     alice is told.
python3 - "$WORK/s1" "$TAG" <<'PY'
import sys
body = ("--sig1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "#open\r\n\r\nLooking again.\r\n--sig1\r\n"
        "Content-Type: application/pgp-signature\r\n\r\n"
        "-----BEGIN PGP SIGNATURE-----\r\nAAAA\r\n"
        "-----END PGP SIGNATURE-----\r\n--sig1--\r\n")
head = ("From: Alice Agent <alice@example.com>\r\n"
        "To: cust+1@example.com, support@example.com\r\n"
        "Subject: Re: [%s] Printer on fire\r\nMessage-ID: <s1@agent>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/signed; "
        "boundary=sig1; micalg=pgp-sha256; "
        "protocol=\"application/pgp-signature\"\r\n\r\n" % sys.argv[2])
open(sys.argv[1], "w").write(head + body)
PY
pf_send_auth alice@example.com alice-secret alice@example.com \
    cust+1@example.com,support@example.com "$WORK/s1" 2>>"$WORK/test.log"
check "signed: the customer receives it" wait_for count_is cust 4
ok "$(text_of "$(newest cust)" | grep -q '^#open' &&
    [ "$(field "$TAG" status)" = open ]; echo $?)" \
    "signed: #open applied, the body left untouched"
check "signed: alice is told" wait_for count_is alice 3

# 6. #resolve by mutt-like plain submission.
agent_mail "$WORK/r1" "Re: [$TAG] Printer on fire" '#resolve\n\nFixed.'
pf_send_auth alice@example.com alice-secret alice@example.com \
    cust+1@example.com,support@example.com "$WORK/r1" 2>>"$WORK/test.log"
check "#resolve resolves" wait_for sh -c \
    "'$PD_CTL_BIN' -c '$PD_CONF' show '$TAG' --json | grep -q '\"status\":\"resolved\"'"

# 7. Forged: the same kind of mail from outside, no AUTH, alice's From.
wait_for count_is cust 5
printf 'From: Alice Agent <alice@example.com>\nTo: support@example.com\nSubject: Re: [%s] Printer on fire\nMessage-ID: <forged@outside>\n\n#open\n#assign mallory\n#priority low\n\nReopening.\n' \
    "$TAG" >"$WORK/f1"
pf_send alice@example.com support@example.com "$WORK/f1"
pf_wait_queue_empty 20
F=$(grep -l -F '<forged@outside>' "$PF_DIR/mail/support/new/"* | head -1)
ok "$([ -n "$F" ] && grep -q '^#open' "$F"; echo $?)" \
    "forged agent mail reaches the desk as text, commands intact"
ok "$([ "$(field "$TAG" status)" = resolved ] &&
    [ "$(field "$TAG" priority)" = high ] &&
    [ "$(field "$TAG" assignee)" = bob@example.com ]; echo $?)" \
    "forged agent mail changes nothing (status, priority, assignee)"
ok "$(count_is cust 5; echo $?)" "forged agent mail sends nothing"
# mallory has a SASL login but is nobody's agent: a customer.
agent_mail "$WORK/m1" "Re: [$TAG] Printer on fire" '#priority low\n\nHi.' \
    support@example.com
pf_send_auth mallory@example.com mallory-secret alice@example.com support@example.com \
    "$WORK/m1" 2>>"$WORK/test.log"
pf_wait_queue_empty 20
ok "$([ "$(field "$TAG" priority)" = high ]; echo $?)" \
    "a SASL login that is no agent's changes nothing either"

# 8. Customers: an out-of-office reopens nothing, a real reply reopens
#    and is counted.
printf 'From: Customer <cust+1@example.com>\nTo: support@example.com\nSubject: Auto: Re: [%s] Printer on fire\nMessage-ID: <ooo@client>\nAuto-Submitted: auto-replied\n\nI am away.\n' \
    "$TAG" >"$WORK/o1"
pf_send cust+1@example.com support@example.com "$WORK/o1"
pf_wait_queue_empty 20
ok "$([ "$(field "$TAG" status)" = resolved ]; echo $?)" \
    "an out-of-office reply reopens nothing"
printf 'From: Customer <cust+1@example.com>\nTo: support@example.com\nSubject: Re: [%s] Printer on fire\nMessage-ID: <c2@client>\n\nIt burns again.\n' \
    "$TAG" >"$WORK/c2"
pf_send cust+1@example.com support@example.com "$WORK/c2"
pf_wait_queue_empty 20
ok "$([ "$(field "$TAG" status)" = open ]; echo $?)" \
    "a customer's reply reopens the resolved ticket"
ok "$(pdctl show "$TAG" | grep -q '^reopened  1$'; echo $?)" \
    "postdeskctl show counts the reopen"

# 9. A trusted network: 127.0.0.2 with an agent's From is that agent.
agent_mail "$WORK/t1" "Re: [$TAG] Printer on fire" '#pending\n\nTry again?'
python3 - "$PF_PORT" "$WORK/t1" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30,
                  source_address=("127.0.0.2", 0)) as s:
    s.sendmail("alice@example.com", ["cust+1@example.com",
               "support@example.com"], open(sys.argv[2], "rb").read())
PY
ok $? "sent from 127.0.0.2 (trusted_networks)"
check "the trusted agent's answer is applied" wait_for sh -c \
    "'$PD_CTL_BIN' -c '$PD_CONF' show '$TAG' --json | grep -q '\"status\":\"pending\"'"

# 10. postdeskctl does what the commands do, with the same checks.
check "postdeskctl priority $TAG urgent" pdctl priority "$TAG" urgent
check "postdeskctl assign $TAG alice" pdctl assign "$TAG" alice
check "postdeskctl assign $TAG carol is refused" not pdctl assign "$TAG" carol
check "postdeskctl resolve $TAG" pdctl resolve "$TAG"
ok "$([ "$(field "$TAG" status)" = resolved ] &&
    [ "$(field "$TAG" priority)" = urgent ] &&
    [ "$(field "$TAG" assignee)" = alice@example.com ]; echo $?)" \
    "postdeskctl's changes are in the ticket"

# 11. The counters tell the same story.
pdctl stats >"$WORK/stats.txt" 2>>"$WORK/test.log"
ok "$(grep -q '^reopens_total  *1$' "$WORK/stats.txt" &&
    grep -q '^commands_refused_total  *2$' "$WORK/stats.txt" &&
    grep -q '^notes_total  *2$' "$WORK/stats.txt"; echo $?)" \
    "postdeskctl stats: reopens 1, refused commands 2, notes 2"
ok "$(awk '$1 == "agent_answers_total" && $2 >= 4 { f = 1 } END { exit !f }' \
    "$WORK/stats.txt"; echo $?)" "postdeskctl stats: agents' answers counted"
pdctl metrics --output "$WORK/postdesk.prom" 2>>"$WORK/test.log"
ok "$(python3 - "$WORK/postdesk.prom" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
pat = re.compile(r'^postdesk_[a-z_]+(\{[a-z_]+="[^"]*"\})? [0-9]+$')
ok = lines and all(l.startswith("# TYPE postdesk_") or pat.match(l)
                   for l in lines)
ok = ok and any(l == "postdesk_reopens_total 1" for l in lines)
sys.exit(0 if ok else 1)
PY
echo $?)" "postdeskctl metrics: Prometheus text format, same figures"

pd_e2e_done
