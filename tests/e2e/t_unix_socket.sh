#!/bin/bash
# t_unix_socket.sh - postdesk-milter on a unix: socket, through Postfix
#
# PURPOSE	The other listening mode of [milter] socket: the milter makes
#		the socket with umask 007 in a setgid directory of Postfix's
#		group (Postfix can connect, nobody else can), a stale
#		socket left by a killed milter does not stop the next start,
#		and mail to support@ through Postfix is tagged.
# OUTPUT	TAP.
#
# SPDX-License-Identifier: MIT
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/pdlib.sh"

PLAN=5
pd_e2e_tap_init $PLAN 90
PD_UNIX_SOCKET=1

check "postdesk-milter on a unix socket, and Postfix, start" \
    pd_e2e_setup "$WORK"
SOCK=${PD_MILTER_SOCKET#unix:}
ok "$([ "$(stat -c %a:%G "$SOCK")" = 770:postfix ]; echo $?)" \
    "socket mode 0770, group postfix: $(stat -c %a:%G "$SOCK")"
printf 'From: <ann@example.org>\nTo: support@example.com\nMessage-ID: <u1@client>\nSubject: Over a unix socket\n\nhi\n' >"$WORK/u1"
pf_send ann@example.org support@example.com "$WORK/u1" && pf_wait_queue_empty 30
F=$(grep -l -F '<u1@client>' "$PF_DIR/mail/support/new/"* | head -1)
check "mail through the unix socket is tagged" grep -q '^X-Postdesk-Ticket: PD-1-' "$F"
kill -9 "$PD_MILTER_PID"
wait "$PD_MILTER_PID" 2>/dev/null
PD_MILTER_PID=
ok "$([ -S "$SOCK" ]; echo $?)" "a killed milter leaves its socket behind"
check "the next start removes the stale socket and listens" pd_milter_start

pd_e2e_done
