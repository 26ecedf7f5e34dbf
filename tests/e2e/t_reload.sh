#!/bin/bash
# t_reload.sh - SIGHUP reloads the configuration, SIGTERM stops cleanly
#
# PURPOSE	Through the real Postfix of the tests: a configuration made
#		invalid and signalled with SIGHUP is refused by the milter and
#		the worker, which keep serving with the running one; fixed
#		(with a new complaint keyword and a new queue name), it is
#		used for the next message and the next acknowledgement; a
#		change to a key that needs a restart (tag_prefix) is refused.
#		SIGTERM ends the milter within its bound, exit status 0.
# OUTPUT	TAP.
#
# SPDX-License-Identifier: MIT
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/pdlib.sh"

PLAN=14
MC="python3 $top_srcdir/tests/e2e/mailcheck.py"
export PF_MAILBOXES="support help cust postmaster"
export PF_INJECT_MILTER=1
pd_e2e_tap_init $PLAN 180

# wait_for CMD... - pd_wait_for, 20 s at most
wait_for()
{
	pd_wait_for 100 "$@"
}

# send N SUBJECT - a new ticket from cust+N; prints the delivered file
send()
{
	printf 'From: <cust+%s@example.com>\nTo: support@example.com\nSubject: %s\nMessage-ID: <%s@client>\n\nhello\n' \
	    "$1" "$2" "$1" >"$WORK/m$1"
	pf_send "cust+$1@example.com" support@example.com "$WORK/m$1" &&
	    pf_wait_queue_empty 20 &&
	    grep -l -F "<$1@client>" "$PF_DIR/mail/support/new/"* | head -1
}

# both_hup - SIGHUP to the milter and the worker
both_hup()
{
	kill -HUP "$PD_MILTER_PID" "$PD_WORKER_PID"
}

pd_e2e_setup "$WORK" >>"$WORK/test.log" 2>&1 && pd_worker_start
ok $? "milter, Postfix and worker started"
cp "$PD_CONF" "$WORK/good.conf"

# 1. A broken file: refused, the old one kept.
sed 's/^on_error = .*/on_error = sometimes/' "$WORK/good.conf" >"$PD_CONF"
both_hup
check "milter: bad file refused, running configuration kept" wait_for \
    grep -q 'reload: .*on_error.*keeping the running configuration' \
    "$PD_MILTER_LOG"
check "worker: bad file refused, running configuration kept" wait_for \
    grep -q 'reload: .*on_error.*keeping the running configuration' \
    "$PD_WORKER_LOG"
ok "$(kill -0 "$PD_MILTER_PID" && kill -0 "$PD_WORKER_PID"; echo $?)" \
    "both still running"
F=$(send 1 "zzqqx before")
ok "$([ -n "$F" ] && [ "$($MC header "$F" X-Postdesk-Priority)" = normal ]; echo $?)" \
    "still serving with the old configuration (no such keyword yet)"

# 2. Fixed, with a new complaint keyword and a new queue name: used.
sed -e 's/^\[general\]$/[general]\ncomplaint_keywords = zzqqx/' \
    -e 's/^name = Example Support$/name = Renamed Support/' \
    "$WORK/good.conf" >"$PD_CONF"
both_hup
check "milter: the fixed file is loaded" wait_for \
    grep -q 'reload: configuration .* loaded' "$PD_MILTER_LOG"
check "worker: the fixed file is loaded" wait_for \
    grep -q 'reload: configuration .* loaded' "$PD_WORKER_LOG"
F=$(send 2 "zzqqx after")
ok "$([ -n "$F" ] && [ "$($MC header "$F" X-Postdesk-Priority)" = high ]; echo $?)" \
    "the milter uses the new keyword"
check "the worker's next acknowledgement uses the new queue name" \
    wait_for sh -c "grep -l 'In-Reply-To: <2@client>' '$PF_DIR/mail/cust/new/'* 2>/dev/null | xargs -r grep -q '^From: Renamed Support'"

# 3. A key that needs a restart: refused.
sed 's/^tag_prefix = .*/tag_prefix = XX/' "$WORK/good.conf" >"$PD_CONF"
kill -HUP "$PD_MILTER_PID"
check "a tag_prefix change is refused on reload" wait_for \
    grep -q 'reload: .*tag_prefix.*keeping' "$PD_MILTER_LOG"
F=$(send 3 "after refused")
ok "$([ -n "$F" ] && $MC header "$F" X-Postdesk-Ticket | grep -q '^PD-'; echo $?)" \
    "tags keep the running prefix"

# 4. SIGTERM: the milter stops within its bound, exit status 0.
kill -TERM "$PD_MILTER_PID"
for _ in $(seq 1 150); do
	kill -0 "$PD_MILTER_PID" 2>/dev/null || break
	sleep 0.1
done
ok "$(kill -0 "$PD_MILTER_PID" 2>/dev/null; [ $? -ne 0 ]; echo $?)" \
    "SIGTERM: the milter exits within 15 s"
wait "$PD_MILTER_PID"
ok $? "SIGTERM: exit status 0"
PD_MILTER_PID=
check "SIGTERM: it logged its stop" grep -q 'stopped' "$PD_MILTER_LOG"

pd_e2e_done
