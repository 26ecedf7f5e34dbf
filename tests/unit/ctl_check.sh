#!/bin/bash
# ctl_check.sh - postdeskctl init/check and the milter's start-up checks
#
# PURPOSE	Bad configuration is a clear message naming file, line and key
#		and a non-zero exit, from "postdeskctl check" and from both
#		daemons alike; init creates a 0600 key and the
#		database; check passes on what init made and fails on a
#		missing key, an unsafe key or a missing database.
# OUTPUT	TAP.
#
# SPDX-License-Identifier: MIT
set -u
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
CTL=$top_builddir/cli/postdeskctl
MILTER=$top_builddir/milter/postdesk-milter
WORKER=$top_builddir/worker/postdesk-worker
W=$(mktemp -d /tmp/pd-ctl.XXXXXX)
trap 'rm -rf "$W"' EXIT
n=0
fails=0

# t STATUS DESC - one TAP line
t() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"; fails=$((fails + 1)); fi
}

# expect CODE PATTERN DESC CMD... - CMD exits CODE and prints PATTERN
expect() {
	local code=$1 pat=$2 desc=$3 out rc

	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$code" ] && printf '%s' "$out" | grep -qE -- "$pat"; then
		t 0 "$desc"
	else
		t 1 "$desc"
		echo "#   exit $rc, output: $(printf '%s' "$out" | head -3)"
	fi
}

echo "1..14"
cat >"$W/good.conf" <<CONF
[general]
database = $W/db/postdesk.db
key_file = $W/keys/postdesk.key
templates = ${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/templates
[milter]
socket = inet:1@127.0.0.1
[queue support]
address = support@example.com
CONF
sed 's/^socket = .*/socket = inet:1@127.0.0.1\non_error = maybe/' \
    "$W/good.conf" >"$W/bad.conf"

expect 78 "bad.conf:7: \[milter\] on_error: expected \"accept\" or \"tempfail\", got \"maybe\"" \
    "check: bad value names file, line, section and key (EX_CONFIG)" \
    "$CTL" -c "$W/bad.conf" check
expect 78 "fatal: .*bad.conf:7: \[milter\] on_error" \
    "milter: exits non-zero naming file, line and key" \
    "$MILTER" -c "$W/bad.conf"
expect 78 "fatal: .*bad.conf:7: \[milter\] on_error" \
    "worker: exits non-zero naming file, line and key" \
    "$WORKER" -c "$W/bad.conf"
expect 78 "nonexistent.conf" "check: missing configuration file named" \
    "$CTL" -c "$W/nonexistent.conf" check
expect 78 "postdeskctl init" "check before init: missing key named" \
    "$CTL" -c "$W/good.conf" check
expect 0 "created \(mode 0600\)" "init creates the key file" \
    "$CTL" -c "$W/good.conf" init
t "$([ "$(stat -c %a "$W/keys/postdesk.key")" = 600 ]; echo $?)" \
    "key file mode is 0600"
expect 0 "kept" "init again keeps the key" "$CTL" -c "$W/good.conf" init
expect 0 "OK" "check passes after init" "$CTL" -c "$W/good.conf" check
chmod 644 "$W/keys/postdesk.key"
expect 78 "readable by group or others" "check: unsafe key mode refused" \
    "$CTL" -c "$W/good.conf" check
chmod 600 "$W/keys/postdesk.key"
mv "$W/db/postdesk.db" "$W/db/moved.db"
expect 69 "postdesk.db.*postdeskctl init" \
    "check: missing database named (EX_UNAVAILABLE)" \
    "$CTL" -c "$W/good.conf" check
expect 69 "postdesk.db" "milter: refuses to start without its database" \
    "$MILTER" -c "$W/good.conf"
mv "$W/db/moved.db" "$W/db/postdesk.db"
expect 0 "^TAG +STATUS" "tickets on an empty store prints just the header" \
    "$CTL" -c "$W/good.conf" tickets
expect 65 "PD-5: no such ticket" "show of an unknown ticket: EX_DATAERR, named" \
    "$CTL" -c "$W/good.conf" show PD-5
[ "$fails" -eq 0 ]
