#!/bin/bash
# t_csat.sh - the satisfaction survey, end to end through a real Postfix
#
# PURPOSE	With [csat] delay = 4s and 24/7 business hours: a resolution
#		sends the survey after the delay and not before (five
#		one-click mailto: grades, Auto-Submitted: auto-generated, the
#		tag in the subject, the customer's message and the agent's
#		answer quoted); "clicking" a
#		grade (mail to its address over SMTP) records it and no agent
#		mailbox receives anything; a second click replaces the grade;
#		an altered token records nothing and the mail goes to the
#		desk as ordinary mail; a comment with a low grade reaches the
#		queue's managers; a reopen before the delay cancels the
#		survey.  postdeskctl csat shows the answers.
# OUTPUT	TAP.
#
# SPDX-License-Identifier: MIT
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/pdlib.sh"

PLAN=29
MC="python3 $top_srcdir/tests/e2e/mailcheck.py"
export PF_MAILBOXES="support help cust alice bob boss postmaster"
export PF_INJECT_MILTER=1
pd_e2e_tap_init $PLAN 240

# surveys_for TAG - delivered surveys of ticket TAG in the cust Maildir
surveys_for()
{
	grep -l '^Auto-Submitted: auto-generated' "$PF_DIR/mail/cust/new/"* \
	    2>/dev/null | xargs -r grep -l -F "[$1]" | wc -l
}

# survey_has TAG N - N surveys of TAG arrived
survey_has()
{
	[ "$(surveys_for "$1")" -ge "$2" ]
}

# open_ticket N - a customer's new ticket; prints its tag
open_ticket()
{
	printf 'From: Customer <cust+%s@example.com>\nTo: support@example.com\nSubject: Scanner %s jams\nMessage-ID: <t%s@client>\n\nIt jams.\n' \
	    "$1" "$1" "$1" >"$WORK/t$1"
	pf_send "cust+$1@example.com" support@example.com "$WORK/t$1" &&
	    pf_wait_queue_empty 20 &&
	    $MC header "$(grep -l -F "<t$1@client>" \
	    "$PF_DIR/mail/support/new/"* | head -1)" X-Postdesk-Ticket
}

# answer_and_resolve N TAG - an agent (trusted network) answers, resolves
answer_and_resolve()
{
	printf 'From: Alice <alice@example.com>\nTo: cust+%s@example.com\nSubject: Re: [%s] Scanner\nMessage-ID: <a%s@agent>\n\n#resolve\n\nClean the rollers, please.\n' \
	    "$1" "$2" "$1" >"$WORK/a$1"
	pd_send_trusted alice@example.com "cust+$1@example.com" "$WORK/a$1"
}

# support_grew - the desk received mail since SUP was counted
support_grew()
{
	[ "$(pf_maildir_count support)" -gt "$SUP" ]
}

# click FROM ADDRESS [COMMENT] - the customer's mail to a grade address
click()
{
	printf 'From: <%s>\nTo: <%s>\nSubject: Grade\nMessage-ID: <click%s@client>\n\n%b\n\n> quoted survey text\n' \
	    "$1" "$2" "$RANDOM$RANDOM" "${3:-}" >"$WORK/click"
	pf_send "$1" "$2" "$WORK/click"
}

# grade_address FILE GRADE - the mailto address of GRADE in a survey
grade_address()
{
	python3 - "$1" "$2" <<'PY'
import email, re, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
body = m.get_payload(decode=True).decode()
for line in body.splitlines():
    g = re.match(r"\s*(\d) - .*mailto:([^?\s]+)", line)
    if g and g.group(1) == sys.argv[2]:
        print(g.group(2))
PY
}

cat >"$WORK/extra.conf" <<'CONF'

[sla standard]
business_hours = 24/7

[csat]
delay = 4s
grades = 5
CONF
pd_e2e_setup "$WORK" "$WORK/extra.conf" >>"$WORK/test.log" 2>&1 &&
    sed -i 's/^agents = alice@example.com, bob@example.com$/&\nmanagers = boss@example.com/' "$PD_CONF" &&
    sed -i 's/^trusted_networks = .*/trusted_networks = 127.0.0.2\/32/' "$PD_CONF" &&
    pd_milter_stop && pd_milter_start && pd_worker_start
ok $? "Postfix, milter (delay 4s, 24/7) and worker started"

# 1. Resolve: the survey arrives after the delay, not before.
T1=$(open_ticket 1)
answer_and_resolve 1 "$T1"
pf_wait_queue_empty 20
sleep 1
ok "$([ "$(surveys_for "$T1")" = 0 ]; echo $?)" "no survey before the delay"
check "the survey arrives after the delay" pd_wait_for 100 survey_has "$T1" 1
S=$(grep -l '^Auto-Submitted: auto-generated' "$PF_DIR/mail/cust/new/"* |
    xargs grep -l -F "[$T1]" | head -1)
ok "$($MC header "$S" Subject | grep -qF "[$T1]"; echo $?)" \
    "the survey's subject carries the tag"
ok "$([ "$(grade_address "$S" 5 | grep -c '+csat-')" = 1 ] &&
    [ "$(grade_address "$S" 1 | grep -c '+csat-')" = 1 ]; echo $?)" \
    "five one-click grades, each a signed plus-address"
ok "$(python3 -c 'import email,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb")); sys.exit(0 if "> Clean the rollers" in m.get_payload(decode=True).decode() else 1)' "$S"; echo $?)" \
    "the agent's answer is quoted"
ok "$(python3 -c 'import email,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb")); sys.exit(0 if "> It jams." in m.get_payload(decode=True).decode() else 1)' "$S"; echo $?)" \
    "the customer's own message is quoted"

# 2. A click records the grade; nobody at the desk receives it.
SUP=$(pf_maildir_count support)
ALICE=$(pf_maildir_count alice)
G5=$(grade_address "$S" 5)
click cust+1@example.com "$G5"
pf_wait_queue_empty 20
ok "$(pdctl csat --json | grep -q '"5":1'; echo $?)" "a click records grade 5"
ok "$([ "$(pf_maildir_count support)" = "$SUP" ] &&
    [ "$(pf_maildir_count alice)" = "$ALICE" ]; echo $?)" \
    "no agent mailbox receives the click"
ok "$(pdctl show "$T1" | grep -q '^status    resolved'; echo $?)" \
    "the click neither opens nor reopens a ticket"

# 3. A second click replaces the first.
click cust+1@example.com "$(grade_address "$S" 4)"
pf_wait_queue_empty 20
ok "$(pdctl csat --json | grep -q '"4":1,"5":0'; echo $?)" \
    "a second click replaces the grade"

# 4. An altered token: nothing recorded, ordinary mail to the desk.
# change the token's first character to another one
BAD=$(printf '%s' "$G5" | sed -e 's/-x\([0-9a-z]*\)@/-y\1@/;t' \
    -e 's/-[0-9a-z]\([0-9a-z]*\)@/-x\1@/')
ok "$([ "$BAD" != "$G5" ]; echo $?)" "an altered token ($BAD)"
click cust+1@example.com "$BAD"
pf_wait_queue_empty 20
ok "$(pdctl csat --json | grep -q '"4":1,"5":0'; echo $?)" \
    "the altered token records nothing"
check "... and the mail reaches the desk as ordinary mail" \
    pd_wait_for 50 support_grew
check "the milter logged the bad token" \
    grep -q 'token that does not verify' "$PD_MILTER_LOG"

# 5. A low grade with a comment reaches the managers.
T2=$(open_ticket 2)
answer_and_resolve 2 "$T2"
check "the second ticket's survey arrives" pd_wait_for 100 survey_has "$T2" 1
S2=$(grep -l '^Auto-Submitted: auto-generated' "$PF_DIR/mail/cust/new/"* |
    xargs grep -l -F "[$T2]" | head -1)
click cust+2@example.com "$(grade_address "$S2" 1)" "The answer came far too late."
# low_grade_mails - the manager's mail that is not the SLA digest (the
# worker sends the day's digest to boss when it starts)
low_grade_mails()
{
	grep -L -i '^Content-Type: multipart/alternative' \
	    "$PF_DIR/mail/boss/new/"* 2>/dev/null
}
# has_low_grade_mail - the manager received the low grade
has_low_grade_mail()
{
	[ -n "$(low_grade_mails)" ]
}
check "a low grade with a comment reaches the manager" \
    pd_wait_for 50 has_low_grade_mail
ok "$(grep -q 'far too late' "$(low_grade_mails | head -1)"; echo $?)" \
    "... with the customer's comment"
ok "$(pdctl csat | grep -q 'grade 1: The answer came far too late.'; echo $?)" \
    "postdeskctl csat lists the comment"

# 5b. A reply to the survey (its Reply-To) with just a digit is a grade;
#     any other reply is ordinary mail for the desk.
RT=$($MC header "$S2" Reply-To | sed 's/.*<\(.*\)>.*/\1/')
ok "$(printf '%s' "$RT" | grep -q '+csat-[0-9]*-0-'; echo $?)" \
    "the survey's Reply-To is its grade-0 address"
click cust+2@example.com "$RT" "3"
pf_wait_queue_empty 20
ok "$(pdctl csat --json | grep -q '"1":0,"2":0,"3":1'; echo $?)" \
    "a reply with just a digit records that grade"
SUP=$(pf_maildir_count support)
click cust+2@example.com "$RT" "Thanks, but the scanner still jams."
check "a reply in words reaches the desk" \
    pd_wait_for 50 support_grew

# 6. A reopen before the delay cancels the survey.
T3=$(open_ticket 3)
answer_and_resolve 3 "$T3"
pf_wait_queue_empty 20
printf 'From: Customer <cust+3@example.com>\nTo: support@example.com\nSubject: Re: [%s] Scanner\nMessage-ID: <r3@client>\n\nStill jams.\n' \
    "$T3" >"$WORK/r3"
pf_send cust+3@example.com support@example.com "$WORK/r3"
pf_wait_queue_empty 20
sleep 7
N3=$(printf '%s' "$T3" | cut -d- -f2)
ok "$([ "$(surveys_for "$T3")" = 0 ] &&
    pdctl queue --json | grep -q "\"kind\":\"csat\",\"ticket\":$N3,[^}]*\"state\":\"cancelled\""; echo $?)" \
    "a reopen before the delay cancels the survey; none arrives"

# 7. The worker down past the working-day limit: the survey is dropped,
#    logged, never sent.  (The limit is a working day away; the test
#    moves the row's expiry into the past while the worker is down.)
pd_worker_kill
T4=$(open_ticket 4)
answer_and_resolve 4 "$T4"
pf_wait_queue_empty 20
N4=$(printf '%s' "$T4" | cut -d- -f2)
sqlite3 "$WORK/db/postdesk.db" "UPDATE outbox SET expires_at = strftime('%s','now') - 1 WHERE kind = 'csat' AND ticket_id = $N4" 2>>"$WORK/test.log"
sleep 5
pd_worker_start
check "worker back after the limit: the survey is dropped" pd_wait_for 50 sh -c \
    "'$PD_CTL_BIN' -c '$PD_CONF' queue --json | grep -q '\"kind\":\"csat\",\"ticket\":$N4,[^}]*\"state\":\"cancelled\"'"
ok "$(grep -q "PD-$N4: .*kind=csat.*status=dropped (expired" "$PD_WORKER_LOG" &&
    [ "$(surveys_for "$T4")" = 0 ]; echo $?)" "... logged, and never sent"

# 8. No survey to an address the relay refused before.
T5=$(open_ticket 5)
N5=$(printf '%s' "$T5" | cut -d- -f2)
sqlite3 "$WORK/db/postdesk.db" "INSERT INTO outbox (kind, ticket_id, recipient, message_id, due_at, state, created_at, last_error) VALUES ('ack', $N5, 'cust+5@example.com', 'bounced5@test', 0, 'failed', 0, '550 5.1.1 no such user')" 2>>"$WORK/test.log"
answer_and_resolve 5 "$T5"
pf_wait_queue_empty 20
ok "$(! pdctl queue --json | grep -q "\"kind\":\"csat\",\"ticket\":$N5," &&
    sqlite3 "$WORK/db/postdesk.db" "SELECT detail FROM events WHERE ticket_id = $N5 AND kind = 'survey'" | grep -q '^bounced$'; echo $?)" \
    "no survey to an address that bounced (logged as such)"
ok "$(pdctl stats | grep -q '^surveys_total{state=cancelled}  *[1-9]'; echo $?)" \
    "postdeskctl stats counts surveys"

# 9. kill -9 of the worker while surveys go out: each customer receives
#    exactly one (the relay drops a resend by its Message-ID).
TAGS=
for i in $(seq 20 31); do
	T=$(open_ticket "$i")
	answer_and_resolve "$i" "$T"
	TAGS="$TAGS $T"
done
for _ in 1 2 3 4; do
	sleep 1.3
	pd_worker_kill KILL
	pd_worker_start
done
check "crash run: every survey left the outbox" pd_wait_for 150 sh -c \
    "! '$PD_CTL_BIN' -c '$PD_CONF' queue --json | grep -q '\"kind\":\"csat\",[^}]*\"state\":\"\\(pending\\|sending\\)\"'"
pf_wait_queue_empty 30
BADN=0
for T in $TAGS; do
	[ "$(surveys_for "$T")" = 1 ] || BADN=$((BADN + 1))
done
ok "$([ "$BADN" = 0 ]; echo $?)" \
    "crash run: each of 12 customers has exactly one survey ($BADN wrong)"

pd_e2e_done
