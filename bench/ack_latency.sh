#!/bin/bash
# ack_latency.sh - acknowledgement latency at 8 and 32 SMTP sessions
#
# Starts the private Postfix of the tests with postdesk-milter on its MX
# port and in recording mode on the worker's relay, and postdesk-worker;
# then bench/ack_latency.py sends BENCH_COUNT new tickets at each
# concurrency of BENCH_CONC and prints p50/p90/p99 of the time from the
# end of each customer's DATA to the acknowledgement's arrival in the
# customer's Maildir, next to Postfix's own delivery delay of the same
# messages in the same run.  Targets (issue 3): p99 < 1 s at 8 sessions,
# < 2 s at 32.  Run as root after "make"; top_builddir points at the build.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
export PF_MAILBOXES="support cust postmaster" PF_INJECT_MILTER=1
. "$top_srcdir/tests/e2e/pdlib.sh"
COUNT=${BENCH_COUNT:-400}
WORK=$(mktemp -d /tmp/pd-acklat.XXXXXX)
chmod 755 "$WORK"
trap 'pd_e2e_teardown; rm -rf "$WORK"' EXIT
cat >"$WORK/extra.conf" <<CONF
CONF
pd_e2e_setup "$WORK" >"$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log"; exit 1; }
sed -i 's/^store_timeout = .*/store_timeout = 5s\nack_sender_window = 0s\nack_hourly_cap = 1000000/' "$PD_CONF"
pd_milter_stop && pd_milter_start && pd_worker_start || exit 1
echo "postdesk acknowledgement latency: $COUNT new tickets per run, $(nproc) CPUs"
for c in ${BENCH_CONC:-8 32}; do
	python3 "$top_srcdir/bench/ack_latency.py" "$PF_PORT" \
	    "$PF_DIR/mail/cust" "$PF_DIR/mail/support" "$COUNT" "$c"
done
