# pdlib.sh - postdesk on top of pflib.sh: configuration, milter, Postfix
#
# PURPOSE	A sourced bash library for the end-to-end tests and the demo:
#		writes a postdesk.conf, runs "postdeskctl init", starts
#		postdesk-milter on a free loopback port and a private Postfix
#		(pflib.sh) with the milter attached through the shipped
#		config/postfix/main.cf.snippet, and stops it all again.
#
# API		pd_e2e_setup DIR [EXTRA-CONF-FILE]
#		    configure and start everything under DIR; sets PD_CONF,
#		    PD_MILTER_PORT, PD_MILTER_LOG and pflib's PF_* variables
#		pd_milter_start / pd_milter_stop   (re)start or stop the milter
#		pd_e2e_teardown                     stop everything (never hangs)
#		pdctl ARGS...                       run postdeskctl -c $PD_CONF
#		pd_wait_for N CMD...                retry CMD every 0.2 s
#		pd_send_trusted FROM RCPT FILE      send as a trusted agent
#		pd_e2e_tap_init PLAN / ok / check   TAP helpers with a watchdog
#
# ENV		top_srcdir, top_builddir (set by "make check"); PD_KEEP_TMP=1
#		keeps the work directory.  PD_INSTALLED=1 tests the installed
#		package (scripts/deb-test.sh): programs in /usr/sbin,
#		templates in /usr/share/postdesk/templates, Postfix lines in
#		/usr/share/doc/postdesk/examples.  PD_MILTER_BIN, PD_CTL_BIN,
#		PD_WORKER_BIN, PD_TEMPLATES and PD_PF_EXAMPLES set one each.
#
# SPDX-License-Identifier: MIT

top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/e2e/pflib.sh"

# Debian's own interpreter when there is one: a version manager's shim in
# front of python3 costs a third of a second per call, and tests call it
# often.
if [ -x /usr/bin/python3 ]; then
	python3() { /usr/bin/python3 "$@"; }
fi

if [ "${PD_INSTALLED:-0}" = 1 ]; then
	PD_MILTER_BIN=${PD_MILTER_BIN:-/usr/sbin/postdesk-milter}
	PD_CTL_BIN=${PD_CTL_BIN:-/usr/sbin/postdeskctl}
	PD_WORKER_BIN=${PD_WORKER_BIN:-/usr/sbin/postdesk-worker}
	PD_TEMPLATES=${PD_TEMPLATES:-/usr/share/postdesk/templates}
	PD_PF_EXAMPLES=${PD_PF_EXAMPLES:-/usr/share/doc/postdesk/examples}
fi
PD_MILTER_BIN=${PD_MILTER_BIN:-$top_builddir/milter/postdesk-milter}
PD_CTL_BIN=${PD_CTL_BIN:-$top_builddir/cli/postdeskctl}
PD_WORKER_BIN=${PD_WORKER_BIN:-$top_builddir/worker/postdesk-worker}
PD_TEMPLATES=${PD_TEMPLATES:-$top_srcdir/templates}
PD_PF_EXAMPLES=${PD_PF_EXAMPLES:-$top_srcdir/config/postfix}
PD_MILTER_PID=
PD_WORKER_PID=
: "${PF_MAILBOXES:=support help other postmaster}"
export PF_MAILBOXES

# pdctl - postdeskctl with the test configuration
pdctl()
{
	"$PD_CTL_BIN" -c "$PD_CONF" "$@"
}

# pd_write_conf DIR PORT [EXTRA] - the test's postdesk.conf
pd_write_conf()
{
	cat >"$1/postdesk.conf" <<CONF
[general]
database = $1/db/postdesk.db
key_file = $1/postdesk.key
templates = $PD_TEMPLATES
timezone = Europe/Moscow
language = ru
tag_prefix = PD
worker_socket = $1/worker.sock

[milter]
socket = $PD_MILTER_SOCKET      # a comment, as in the product's sample
on_error = ${PD_ON_ERROR:-accept}
store_timeout = 2s
authserv_id = mx.example.com
# The tests' customers connect from 127.0.0.1: only 127.0.0.2 is an
# agents' network (t_agent.sh sends from it on purpose).
trusted_networks = 127.0.0.2/32

[smtp]
relay = 127.0.0.1:${PD_RELAY_PORT:-10026}
timeout = 5s

[queue support]
address = support@example.com
name = Example Support
agents = alice@example.com, bob@example.com

[queue help]
address = help@example.com
name = Example Help
CONF
	if [ -n "${3:-}" ]; then
		cat "$3" >>"$1/postdesk.conf"
	fi
}

# pd_milter_wait - wait (bounded) until the milter's socket accepts
pd_milter_wait()
{
	local i

	case $PD_MILTER_SOCKET in
	unix:*)
		for i in $(seq 1 150); do
			[ -S "${PD_MILTER_SOCKET#unix:}" ] && return 0
			sleep 0.1
		done
		return 1 ;;
	*)	pf_port_wait "$PD_MILTER_PORT" 15 ;;
	esac
}

# pd_milter_start - start postdesk-milter, wait until its socket answers
pd_milter_start()
{
	"$PD_MILTER_BIN" -f -c "$PD_CONF" >>"$PD_MILTER_LOG" 2>&1 &
	PD_MILTER_PID=$!
	pd_milter_wait || {
		pf_msg "postdesk-milter did not start:"
		tail -5 "$PD_MILTER_LOG" >&2
		return 1
	}
}

# pd_milter_stop - stop the milter (SIGTERM, then SIGKILL), bounded
pd_milter_stop()
{
	local i

	[ -n "$PD_MILTER_PID" ] || return 0
	kill "$PD_MILTER_PID" 2>/dev/null || true
	for i in $(seq 1 100); do
		kill -0 "$PD_MILTER_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$PD_MILTER_PID" 2>/dev/null || true
	wait "$PD_MILTER_PID" 2>/dev/null || true
	PD_MILTER_PID=
}

# pd_e2e_setup DIR [EXTRA] - configuration, database, milter, Postfix; with
# PD_UNIX_SOCKET=1 the milter listens on a unix socket in DIR instead of a
# loopback port
pd_e2e_setup()
{
	local dir=$1 snippet pf_milter

	PD_MILTER_PORT=$(pf_free_ports 1) || return 1
	if [ "${PD_UNIX_SOCKET:-0}" = 1 ]; then
		# As in production: a directory group-owned by Postfix's
		# group, setgid so that the socket inherits that group.
		mkdir -p "$dir/run" && chgrp postfix "$dir/run" &&
		    chmod 2750 "$dir/run" || return 1
		PD_MILTER_SOCKET=unix:$dir/run/milter.sock
		pf_milter=$PD_MILTER_SOCKET
	else
		PD_MILTER_SOCKET=inet:$PD_MILTER_PORT@127.0.0.1
		pf_milter=inet:127.0.0.1:$PD_MILTER_PORT
	fi
	export PD_MILTER_SOCKET
	PD_CONF=$dir/postdesk.conf
	PD_MILTER_LOG=$dir/milter.log
	PD_WORKER_LOG=$dir/worker.log
	export PD_CONF PD_MILTER_PORT PD_MILTER_LOG PD_WORKER_LOG
	pd_write_conf "$dir" "$PD_MILTER_PORT" "${2:-}"
	pdctl init >/dev/null || return 1
	pd_milter_start || return 1
	# The shipped main.cf lines, pointed at this test's milter port.
	snippet=$dir/main.cf.snippet
	sed "s|inet:127\.0\.0\.1:8894|$pf_milter|" \
	    "$PD_PF_EXAMPLES/main.cf.snippet" >"$snippet" || return 1
	PF_MAIN_SNIPPET=$snippet pf_setup "$dir/pf" || return 1
	pf_start
}

# pd_worker_start - point [smtp] relay at the inject port, start the worker;
# returns once the new worker's socket is there (a worker killed with -9
# leaves its old one, which must not count)
pd_worker_start()
{
	sed -i "s/^relay = .*/relay = 127.0.0.1:$PF_INJECT_PORT/" "$PD_CONF"
	rm -f "$(dirname "$PD_CONF")/worker.sock"
	"$PD_WORKER_BIN" -f -c "$PD_CONF" >>"$PD_WORKER_LOG" 2>&1 &
	PD_WORKER_PID=$!
	for _ in $(seq 1 100); do
		[ -S "$(dirname "$PD_CONF")/worker.sock" ] && return 0
		kill -0 "$PD_WORKER_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# pd_worker_kill [SIGNAL] - stop the worker (default SIGTERM), bounded
pd_worker_kill()
{
	[ -n "$PD_WORKER_PID" ] || return 0
	kill "-${1:-TERM}" "$PD_WORKER_PID" 2>/dev/null || true
	for _ in $(seq 1 100); do
		kill -0 "$PD_WORKER_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -9 "$PD_WORKER_PID" 2>/dev/null || true
	wait "$PD_WORKER_PID" 2>/dev/null || true
	PD_WORKER_PID=
}

# pd_e2e_teardown - stop Postfix, the worker and the milter
pd_e2e_teardown()
{
	pd_worker_kill
	pd_milter_stop
	[ -z "${PF_DIR:-}" ] || pf_stop "$PF_DIR" >/dev/null 2>&1 || true
}

# pd_wait_for N CMD... - run CMD every 0.2 s until it succeeds, at most
# N times; CMD is run anew each time (a function, not an expansion)
pd_wait_for()
{
	local n=$1

	shift
	for _ in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# pd_send_trusted FROM RCPT FILE - send FILE over SMTP to PF_PORT from
# 127.0.0.2, the tests' trusted_networks: an agent by its From
pd_send_trusted()
{
	python3 - "$PF_PORT" "$1" "$2" "$3" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30,
                  source_address=("127.0.0.2", 0)) as s:
    s.sendmail(sys.argv[2], [sys.argv[3]], open(sys.argv[4], "rb").read())
PY
}

# --- TAP helpers: tests/e2e/taplib.sh -------------------------------
. "$top_srcdir/tests/e2e/taplib.sh"

# pd_e2e_cleanup - EXIT trap (also unmounts PD_E2E_MOUNT if a test set it)
pd_e2e_cleanup()
{
	pd_e2e_teardown
	[ -z "${PD_E2E_MOUNT:-}" ] || umount "$PD_E2E_MOUNT" 2>/dev/null || true
	tap_cleanup_work
}

# pd_e2e_tap_init PLAN SECONDS - plan, work dir, watchdog, trap; skips the
# whole plan when this machine cannot run a private Postfix
pd_e2e_tap_init()
{
	if [ "$(id -u)" -ne 0 ] || ! command -v postfix >/dev/null ||
	    [ ! -x "$PD_MILTER_BIN" ]; then
		echo "1..0 # SKIP needs root, postfix and a built milter"
		exit 0
	fi
	echo "1..$1"
	WORK=$(mktemp -d /tmp/pd-e2e.XXXXXX)
	chmod 755 "$WORK"
	trap pd_e2e_cleanup EXIT
	tap_watchdog "$2"
}

# pd_e2e_done - exit status from the results
pd_e2e_done()
{
	tap_done "$PLAN"
}
