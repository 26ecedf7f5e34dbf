#!/bin/bash
# t_sla.sh - SLA warnings, breaches and the managers' digest, end to end
#
# PURPOSE	Through a real Postfix, with 24/7 hours and targets of
#		seconds (first response 40 s, resolution 70 s, warnings
#		20 s before): an unassigned, unanswered ticket warns both
#		agents before each target and records each breach, never
#		before its time and within the minute after it; a ticket
#		answered at once warns nobody (its resolution clock stops
#		while it waits for the customer); a ticket assigned to bob
#		warns bob alone.  postdeskctl tickets --breached and digest
#		--print/--html/--send show the same.  With [digest] schedule
#		= hourly, the worker sends the period's digest to the
#		manager when it starts (multipart/alternative, text and
#		HTML), once, even after kill -9 and a restart; a period
#		missed while it was down is sent when it starts again.
# OUTPUT	TAP.
#
# SPDX-License-Identifier: MIT
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/pdlib.sh"

PLAN=23
MC="python3 $top_srcdir/tests/e2e/mailcheck.py"
export PF_MAILBOXES="support help cust alice bob boss postmaster"
export PF_INJECT_MILTER=1
pd_e2e_tap_init $PLAN 300

# sql QUERY - one value from the test's database
sql()
{
	sqlite3 -cmd '.timeout 5000' "$WORK/db/postdesk.db" "$1"
}

# digests - digests delivered to the manager
digests()
{
	grep -l -i '^Content-Type: multipart/alternative' \
	    "$PF_DIR/mail/boss/new/"* 2>/dev/null | wc -l
}

# digests_are N - exactly N digests arrived
digests_are()
{
	[ "$(digests)" = "$1" ]
}

# open_ticket N - a customer's new ticket; prints its number
open_ticket()
{
	printf 'From: Customer <cust+%s@example.com>\nTo: support@example.com\nSubject: Printer %s is offline\nMessage-ID: <s%s@client>\n\nIt is offline.\n' \
	    "$1" "$1" "$1" >"$WORK/t$1"
	pf_send "cust+$1@example.com" support@example.com "$WORK/t$1" ||
	    return 1
	sql "SELECT ticket_id FROM messages WHERE message_id = 's$1@client'"
}

# tag_of ID - the tag of ticket ID as the milter wrote it
tag_of()
{
	$MC header "$(grep -l -F "<s$1@client>" "$PF_DIR/mail/support/new/"* |
	    head -1)" X-Postdesk-Ticket
}

# answer N TAG - an agent (trusted network) answers the customer
answer()
{
	printf 'From: Alice <alice@example.com>\nTo: cust+%s@example.com\nSubject: Re: [%s] Printer\nMessage-ID: <a%s@agent>\n\nRestart it, please.\n' \
	    "$1" "$2" "$1" >"$WORK/a$1"
	pd_send_trusted alice@example.com "cust+$1@example.com" "$WORK/a$1"
}

# in_window VALUE LOW - LOW <= VALUE < LOW + 60 (VALUE may be empty)
in_window()
{
	[ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -lt $(($2 + 60)) ]
}

cat >"$WORK/extra.conf" <<'CONF'

[sla standard]
business_hours = 24/7
first_response = urgent 40s, high 40s, normal 40s, low 40s
resolution = urgent 70s, high 70s, normal 70s, low 70s
warn_before = 20s

[digest]
schedule = hourly
CONF
pd_e2e_setup "$WORK" "$WORK/extra.conf" >>"$WORK/test.log" 2>&1 &&
    sed -i 's/^agents = alice@example.com, bob@example.com$/&\nmanagers = boss@example.com/' "$PD_CONF" &&
    pd_milter_stop && pd_milter_start && pd_worker_start
ok $? "Postfix, milter (targets of seconds, hourly digest) and worker"

# 1. The digest of the hour that ended goes out when the worker starts.
check "the worker sends the period's digest to the manager at start" \
    pd_wait_for 150 digests_are 1
D=$(grep -l -i '^Content-Type: multipart/alternative' \
    "$PF_DIR/mail/boss/new/"* | head -1)
ok "$(python3 - "$D" <<'PY'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
types = [p.get_content_type() for p in m.walk()]
ok = (m.get_content_type() == "multipart/alternative"
      and "text/plain" in types and "text/html" in types
      and m["Auto-Submitted"] == "auto-generated")
sys.exit(0 if ok else 1)
PY
echo $?)" "the digest is multipart/alternative: text and HTML, auto-generated"
pd_worker_kill KILL && pd_worker_start && sleep 3
ok "$(digests_are 1; echo $?)" "after kill -9 and a restart: still one digest"
pd_worker_kill
sql "UPDATE digests SET period_end = period_end - 3600"
pd_worker_start
check "a digest missed while the worker was down is sent at start" \
    pd_wait_for 150 digests_are 2
pd_worker_kill && pd_worker_start && sleep 3
ok "$(digests_are 2; echo $?)" "and only once"

# 2. Three tickets: unassigned and silent, answered at once, bob's.
N1=$(open_ticket 1)
N2=$(open_ticket 2)
N3=$(open_ticket 3)
pf_wait_queue_empty 20
T1=$(tag_of 1)
T2=$(tag_of 2)
T3=$(tag_of 3)
ok "$([ -n "$N1" ] && [ -n "$T2" ] && [ -n "$T3" ]; echo $?)" \
    "three tickets opened ($T1, $T2, $T3)"
answer 2 "$T2"
pdctl assign "$T3" bob >>"$WORK/test.log" 2>&1
C1=$(sql "SELECT created_at FROM tickets WHERE id = $N1")
C3=$(sql "SELECT created_at FROM tickets WHERE id = $N3")

# resolution_breached ID - ticket ID has its resolution breach recorded
resolution_breached()
{
	[ "$(sql "SELECT count(*) FROM events WHERE ticket_id = $1 AND
	    kind = 'breach' AND detail = 'resolution'")" = 1 ]
}
check "ticket 1's resolution breach is recorded" \
    pd_wait_for 600 resolution_breached "$N1"
pf_wait_queue_empty 20

W1=$(sql "SELECT group_concat(recipient || '@' || created_at, ' ')
    FROM (SELECT recipient, created_at FROM outbox WHERE ticket_id = $N1
    AND kind = 'warning' ORDER BY created_at, recipient)")
echo "# ticket 1 created $C1, warnings: $W1" >&2
FRW=$(sql "SELECT min(created_at) FROM outbox WHERE ticket_id = $N1 AND
    kind = 'warning'")
RSW=$(sql "SELECT max(created_at) FROM outbox WHERE ticket_id = $N1 AND
    kind = 'warning'")
ok "$([ "$(sql "SELECT count(*) FROM outbox WHERE ticket_id = $N1 AND
    kind = 'warning'")" = 4 ] && [ "$(sql "SELECT count(DISTINCT recipient)
    FROM outbox WHERE ticket_id = $N1 AND kind = 'warning'")" = 2 ]
    echo $?)" "unassigned: both agents warned, once per target"
ok "$(in_window "$FRW" $((C1 + 20)); echo $?)" \
    "first-response warning at 20 s before its due time, within the minute"
ok "$(in_window "$RSW" $((C1 + 50)); echo $?)" \
    "resolution warning at 20 s before its due time, within the minute"
BFR=$(sql "SELECT at FROM events WHERE ticket_id = $N1 AND kind = 'breach'
    AND detail = 'first-response'")
BRS=$(sql "SELECT at FROM events WHERE ticket_id = $N1 AND kind = 'breach'
    AND detail = 'resolution'")
ok "$(in_window "$BFR" $((C1 + 40)); echo $?)" \
    "first-response breach at its due time, within the minute"
ok "$(in_window "$BRS" $((C1 + 70)); echo $?)" \
    "resolution breach at its due time, within the minute"
ok "$([ "$(sql "SELECT count(*) FROM outbox WHERE ticket_id = $N1 AND
    kind = 'warning' AND state = 'sent'")" = 4 ] &&
    grep -l -F "[$T1]" "$PF_DIR/mail/alice/new/"* 2>/dev/null |
    xargs -r grep -l 'SLA' | grep -q . &&
    grep -l -F "[$T1]" "$PF_DIR/mail/bob/new/"* 2>/dev/null | grep -q .
    echo $?)" "the warnings reached alice's and bob's mailboxes"
ok "$([ "$(sql "SELECT count(*) FROM outbox WHERE ticket_id = $N2 AND
    kind = 'warning'")" = 0 ] && [ "$(sql "SELECT count(*) FROM events
    WHERE ticket_id = $N2 AND kind = 'breach'")" = 0 ]; echo $?)" \
    "answered at once: no warning, no breach (the clock waits on the customer)"
ok "$([ "$(sql "SELECT group_concat(DISTINCT recipient) FROM outbox
    WHERE ticket_id = $N3 AND kind = 'warning'")" = bob@example.com ]
    echo $?)" "assigned to bob: only bob is warned"
B3=$(sql "SELECT min(at) FROM events WHERE ticket_id = $N3 AND
    kind = 'breach'")
ok "$(in_window "$B3" $((C3 + 40)); echo $?)" "ticket 3's first breach on time"

# 3. postdeskctl shows the same.
pdctl tickets --breached >"$WORK/breached" 2>&1
ok "$(grep -qF "$T1" "$WORK/breached" && ! grep -qF "$T2" "$WORK/breached"
    echo $?)" "tickets --breached lists ticket 1, not the answered one"
pdctl digest --print --since 1h >"$WORK/digest.txt" 2>&1
ok "$(grep -qF "$T1" "$WORK/digest.txt"; echo $?)" \
    "digest --print lists the breached ticket"
pdctl digest --html "$WORK/digest.html" >>"$WORK/test.log" 2>&1
ok "$(grep -qi '<html' "$WORK/digest.html" && grep -qF "$T1" \
    "$WORK/digest.html"; echo $?)" "digest --html writes the HTML"
pdctl digest --send >>"$WORK/test.log" 2>&1
check "digest --send reaches the manager" pd_wait_for 150 digests_are 3
ok "$(pdctl stats | grep -q '^breaches_total{target=first-response}  *2$' &&
    pdctl stats | grep -q '^sla_warnings_total  *[56]$'; echo $?)" \
    "stats counts the breaches by target and the warnings"
ok "$(grep -q 'sla=breach, target=resolution' "$PD_WORKER_LOG"; echo $?)" \
    "the worker logs each breach"
