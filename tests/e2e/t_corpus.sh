#!/bin/bash
# t_corpus.sh - every message of the shared corpus through Postfix + milter
#
# PURPOSE	About 1,400 real and hostile messages other mail projects
#		collected (../shared/corpus: malformed MIME, NUL bytes, 8-bit
#		and over-long headers, ISO-2022-JP, KOI8-R, bounces) are sent
#		to support@ through a private Postfix with postdesk-milter:
#		none is refused or lost, every body arrives byte-identical,
#		and every Subject either carries the tag exactly once when
#		decoded by Python's email.header or was left alone with a
#		warning naming the queue id.  The milter must still be alive
#		at the end.
# OUTPUT	TAP.
#
# SPDX-License-Identifier: MIT
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/pdlib.sh"

PLAN=6
CORPUS=${PD_CORPUS:-$top_srcdir/../shared/corpus}
if [ ! -d "$CORPUS" ]; then
	echo "1..0 # SKIP no corpus at $CORPUS"
	exit 0
fi
pd_e2e_tap_init $PLAN 900

check "postdesk-milter and Postfix start" pd_e2e_setup "$WORK"
check "every corpus message accepted by Postfix" python3 \
    "$top_srcdir/tests/e2e/corpus.py" send "$CORPUS" "$PF_PORT" \
    "$WORK/manifest"
check "queue drained" pf_wait_queue_empty 300
python3 "$top_srcdir/tests/e2e/corpus.py" check "$WORK/manifest" \
    "$PF_DIR/mail/support" "$PD_MILTER_LOG" >"$WORK/check.out" 2>&1
ok $? "none lost, bodies byte-identical, subjects tagged or warned: $(head -1 "$WORK/check.out")"
sed -n '2,$s/^/# /p' "$WORK/check.out"
check "postdesk-milter survived the corpus" kill -0 "$PD_MILTER_PID"
N=$(grep -c 'action=' "$PD_MILTER_LOG")
ok "$([ "$N" -gt 1000 ]; echo $?)" "tickets handled for $N messages"

pd_e2e_done
