#!/bin/bash
# t_ack_faults.sh - acknowledgements when the relay fails, and mail loops
#
# PURPOSE	Relay down: the acknowledgement waits in the outbox (pending,
#		with the reason) and goes out once the relay is back; nothing
#		is lost.  Relay answering 5xx: the row is failed with the
#		reply and not retried by itself; "postdeskctl queue retry"
#		sends it.  Two auto-responders facing each other: a naive
#		responder that answers every acknowledgement with a fresh
#		message (no threading headers, no Auto-Submitted) gets a
#		bounded number of acknowledgements back.  The relay dropping
#		the worker's open session (its smtpd killed) costs nothing:
#		the next acknowledgement goes out at once on a new session
#		instead of waiting out the retry backoff.  The relay passing
#		the worker's mail without its milter (as Postfix does for the
#		rest of a session whose milter died): the worker records the
#		Message-ID itself, so a copy resent after a crash before its
#		own bookkeeping is still dropped as a repeat.
# OUTPUT	TAP.
#
# SPDX-License-Identifier: MIT
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/pdlib.sh"

PLAN=19
export PF_MAILBOXES="support help other postmaster cust robot"
export PF_INJECT_MILTER=1
pd_e2e_tap_init $PLAN 240

# msg NAME FROM - a new-ticket message <NAME@client>
msg()
{
	printf 'From: <%s>\nTo: support@example.com\nMessage-ID: <%s@client>\nSubject: %s\n\nhello\n' \
	    "$2" "$1" "$1" >"$WORK/$1"
}

# row_state MSGID-PREFIX - state of the newest outbox row
row_state()
{
	pdctl queue --json | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p' | head -1
}

# cust_has N - the customers' Maildir holds at least N messages
cust_has()
{
	[ "$(pf_maildir_count cust)" -ge "$1" ]
}

# wait_for CMD... - pd_wait_for, 60 s at most
wait_for()
{
	pd_wait_for 300 "$@"
}

check "milter and Postfix start" pd_e2e_setup "$WORK"

# 1. Relay down: a closed port.  The worker keeps the row pending.
DEAD=$(pf_free_ports 1)
REAL=$PF_INJECT_PORT
PF_INJECT_PORT=$DEAD pd_worker_start
msg d1 cust+d1@example.com
pf_send cust+d1@example.com support@example.com "$WORK/d1"
check "relay down: the row is retried later, not lost" wait_for sh -c \
    "'$PD_CTL_BIN' -c '$PD_CONF' queue --json | grep -q '\"attempts\":1,.*\"state\":\"pending\"\\|\"state\":\"pending\",\"attempts\":1'"
check "relay down: the reason is recorded" sh -c \
    "'$PD_CTL_BIN' -c '$PD_CONF' queue | grep -qi 'refused\\|connect'"
pd_worker_kill
# Back: the row is due after its backoff (30 s); the worker wakes for it.
PF_INJECT_PORT=$REAL pd_worker_start
check "relay back: the acknowledgement goes out after the backoff" \
    wait_for cust_has 1
ok "$([ "$(row_state)" = sent ]; echo $?)" "relay back: row sent"
pd_worker_kill

# 2. Relay answers 5xx: Postfix's smtp-sink refusing every recipient.
SINK=$(pf_free_ports 1)
timeout 120 smtp-sink -u nobody -f rcpt 127.0.0.1:"$SINK" 10 \
    >>"$WORK/sink.log" 2>&1 &
SINK_PID=$!
pf_port_wait "$SINK" 10
PF_INJECT_PORT=$SINK pd_worker_start
msg f1 cust+f1@example.com
pf_send cust+f1@example.com support@example.com "$WORK/f1"
check "relay 5xx: the row fails" wait_for sh -c \
    "'$PD_CTL_BIN' -c '$PD_CONF' queue --status failed | grep -q '5[0-9][0-9]'"
sleep 2
ok "$(pdctl queue --status failed --json | grep -q '"attempts":1,'; \
    echo $?)" \
    "relay 5xx: not retried by itself"
kill "$SINK_PID" 2>/dev/null
pd_worker_kill
PF_INJECT_PORT=$REAL pd_worker_start
ID=$(pdctl queue --status failed --json | sed -n 's/.*"id":\([0-9]*\).*/\1/p' | head -1)
check "queue retry $ID puts it back" pdctl queue retry "$ID"
check "and it is delivered" wait_for cust_has 2

# 3. The relay drops the worker's open session.  One connection, so the
#    session that sent k1 is the one k2 meets dropped.
pd_worker_kill
sed -i 's/^timeout = 5s$/timeout = 5s\nconnections = 1/' "$PD_CONF"
PF_INJECT_PORT=$REAL pd_worker_start
msg k1 cust+k1@example.com
pf_send cust+k1@example.com support@example.com "$WORK/k1"
check "dropped session: a first acknowledgement opens it" wait_for cust_has 3
pkill -f "smtpd -n 127.0.0.1:$REAL " && sleep 0.5
msg k2 cust+k2@example.com
pf_send cust+k2@example.com support@example.com "$WORK/k2"
check "dropped session: the next one still arrives within 12 s" \
    pd_wait_for 60 cust_has 4
ok "$(pdctl queue --json | grep -F '"to":"cust+k2@example.com"' | \
    grep -qF '"state":"sent","attempts":1,'; echo $?)" \
    "dropped session: sent on the first attempt, no backoff"

# 4. A naive auto-responder at robot@ answers every mail it gets with a
#    fresh message to support@ (new subject, no threading, no
#    Auto-Submitted) for 15 s.
BEFORE=$(pf_maildir_count robot)
msg loop0 robot@example.com
pf_send robot@example.com support@example.com "$WORK/loop0"
END=$(( $(date +%s) + 15 ))
n=0
while [ "$(date +%s)" -lt "$END" ]; do
	c=$(pf_maildir_count robot)
	while [ "$n" -lt "$c" ]; do
		n=$((n + 1))
		msg "loop$n" robot@example.com
		pf_send robot@example.com support@example.com "$WORK/loop$n"
	done
	sleep 0.3
done
GOT=$(( $(pf_maildir_count robot) - BEFORE ))
ok "$([ "$GOT" -le 1 ]; echo $?)" \
    "auto-responder loop: $GOT acknowledgement(s) in 15 s (bounded: one per sender per window)"

# 5. The relay without its milter (Postfix skips a milter that died for
#    the rest of the session): the 250 comes with no record in relayed.
#    The worker must record the Message-ID itself.  Then its crash before
#    its own commit is played (the row back to "sending", lease expired,
#    the milter back on the relay): the resend must be dropped there.
# relay_milters VALUE - the relay's smtpd_milters for sessions from now
# on (the worker replaces its session, idle for over 5 s by then)
relay_milters()
{
	postconf -c "$PF_DIR/etc" -P \
	    "127.0.0.1:$REAL/inet/smtpd_milters=$1" &&
	    postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1 && sleep 6
}
# db SQL - a query on the test database
db()
{
	sqlite3 -cmd '.timeout 5000' "$WORK/db/postdesk.db" "$1"
}
relay_milters ""
BEFORE=$(pf_maildir_count cust)
msg u1 cust+u1@example.com
pf_send cust+u1@example.com support@example.com "$WORK/u1"
check "relay without its milter: the acknowledgement arrives" \
    wait_for cust_has $((BEFORE + 1))
UID1=$(db "SELECT message_id FROM outbox WHERE recipient = \
    'cust+u1@example.com'")
check "relay without its milter: the row is sent" wait_for sh -c \
    "[ \"\$(sqlite3 -cmd '.timeout 5000' '$WORK/db/postdesk.db' \
    \"SELECT state FROM outbox WHERE message_id = '$UID1'\")\" = sent ]"
ok "$([ "$(db "SELECT count(*) FROM relayed WHERE message_id = '$UID1' \
    AND queue_id IS NOT NULL")" = 1 ]; echo $?)" \
    "relay without its milter: the worker recorded <$UID1> with the queue id"
ok "$(grep -q "message-id=<$UID1> without its milter" "$PD_WORKER_LOG"; \
    echo $?)" "relay without its milter: the worker logged a warning"
pd_worker_kill KILL
db "UPDATE outbox SET state = 'sending', lease_until = 0 \
    WHERE message_id = '$UID1'"
relay_milters '$postdesk_milter'
PF_INJECT_PORT=$REAL pd_worker_start
check "crash replayed: the resend is dropped by the relay as a repeat" \
    wait_for grep -q "message-id=<$UID1>, action=dropped-repeat" \
    "$PD_MILTER_LOG"
sleep 2
ok "$([ "$(pf_maildir_count cust)" = $((BEFORE + 1)) ]; echo $?)" \
    "crash replayed: the customer has one acknowledgement, not two"

pd_e2e_done
