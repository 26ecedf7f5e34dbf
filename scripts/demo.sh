#!/bin/bash
# demo.sh - the first command of README.md: install, build, and show the
# desk working.  Starts a private Postfix on 127.0.0.1:2525 with
# postdesk-milter attached (the shipped main.cf lines), SQLite as the store,
# delivery into Maildirs under demo/, and postdesk-worker handing its mail
# to the relay service; sends a sample mail to support@example.com and
# shows the tagged message, the ticket and the customer's acknowledgement.
# "scripts/demo.sh stop" stops it again.  Run as root.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
demo=$top/demo
build=$top/_build/demo

# demo_stop - stop Postfix and the milter of an earlier demo run
demo_stop() {
	[ -f "$demo/pf/pf.env" ] || return 0
	top_srcdir=$top top_builddir=$build
	. "$top/tests/e2e/pflib.sh"
	pf_stop "$demo/pf" >/dev/null 2>&1
	for p in milter worker; do
		[ -f "$demo/$p.pid" ] && kill "$(cat "$demo/$p.pid")" 2>/dev/null
		rm -f "$demo/$p.pid"
	done
	echo "demo stopped"
}

if [ "${1:-}" = stop ]; then
	demo_stop
	exit 0
fi

cd "$top" || exit 1
"$top/scripts/install-deps.sh" || exit 1
echo "=== building in $build"
./autogen.sh >/dev/null 2>&1 || { echo "autogen.sh failed" >&2; exit 1; }
mkdir -p "$build"
(cd "$build" && "$top/configure" -q && make -j2 >make.log 2>&1) ||
    { tail -30 "$build/make.log"; exit 1; }

demo_stop >/dev/null 2>&1
rm -rf "$demo"
mkdir -p "$demo" && chmod 755 "$demo"
export top_srcdir=$top top_builddir=$build PF_WANT_PORT=2525
export PF_INJECT_MILTER=1 PF_MAILBOXES="support anna postmaster"
. "$top/tests/e2e/pdlib.sh"
if pf_port_wait 2525 0 2>/dev/null; then
	echo "127.0.0.1:2525 is already in use; stop that first" >&2
	exit 1
fi
echo "=== starting postdesk-milter and a private Postfix on 127.0.0.1:2525"
pd_e2e_setup "$demo" && pd_worker_start ||
    { echo "demo setup failed" >&2; exit 1; }
echo "$PD_MILTER_PID" >"$demo/milter.pid"
echo "$PD_WORKER_PID" >"$demo/worker.pid"
disown -a

cat >"$demo/sample.eml" <<'MAIL'
From: Anna Petrova <anna@example.com>
To: Example Support <support@example.com>
Subject: Re: Invoice 2026-114 is wrong
Message-ID: <demo-1@example.com>

Hello, the invoice lists twelve licences but we bought ten.
Anna
MAIL
echo "=== sending $demo/sample.eml to support@example.com"
pf_send anna@example.com support@example.com "$demo/sample.eml" &&
    pf_wait_queue_empty 30 || { echo "sending failed" >&2; exit 1; }
f=$(pf_maildir_files support | tail -1)
echo "=== delivered: $f"
sed -n '/^$/q;p' "$f" | grep -E '^(Subject|X-Postdesk-[A-Za-z]*|From|To|Message-ID):'
echo "=== postdeskctl tickets"
pdctl tickets
echo "=== milter log ($PD_MILTER_LOG)"
tail -2 "$PD_MILTER_LOG"
for _ in $(seq 1 50); do
	[ "$(pf_maildir_count anna)" -ge 1 ] && break
	sleep 0.1
done
a=$(pf_maildir_files anna | tail -1)
echo "=== the customer's acknowledgement: $a"
python3 - "$a" <<'PY'
import email, email.header, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for h in ("From", "To", "Subject", "In-Reply-To", "Auto-Submitted"):
    print("%s: %s" % (h, email.header.make_header(
        email.header.decode_header(m.get(h, "")))))
print()
print(m.get_payload(decode=True).decode())
PY
echo "=== worker log ($PD_WORKER_LOG)"
tail -1 "$PD_WORKER_LOG"
cat <<EOF

The demo keeps running: send more mail with
  swaks --server 127.0.0.1:2525 --to support@example.com --from anna@example.com
  $build/cli/postdeskctl -c $PD_CONF tickets
and stop it with: scripts/demo.sh stop
EOF
