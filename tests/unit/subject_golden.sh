#!/bin/sh
# subject_golden.sh - golden test of subject rewriting, TAP output
#
# Rewrites every value in tests/golden/subject/cases.in with
# tests/tools/subject_golden and
#   1. compares the result with cases.ref (the reviewed expectation);
#   2. rewrites cases.ref again: it must come out unchanged (idempotence);
#   3. has tests/unit/subject_check.py decode every result with Python's
#      email.header module, independently of postdesk's decoder;
#   4. proves that check can fail: a result with a changed word and one
#      with a bare LF (header injection) must both be rejected.
#
# Regenerating the reference after a deliberate change:
#   top_srcdir=SRC top_builddir=BUILD \
#       sh SRC/tests/unit/subject_golden.sh --regen
# then read `git diff tests/golden/subject/cases.ref` line by line before
# committing it: the reference is only worth what its review was.
#
# SPDX-License-Identifier: MIT
set -u

src=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${top_builddir:-.}
tool=$build/tests/tools/subject_golden
dir=$src/tests/golden/subject
tmp=$(mktemp -d "${TMPDIR:-/tmp}/subject_golden.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ "${1:-}" = --regen ]; then
	"$tool" "$dir/cases.in" >"$dir/cases.ref" || exit 1
	echo "wrote $dir/cases.ref: review it (git diff) before committing"
	exit 0
fi

n=0
result() {	# result STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
	fi
}
skip() {
	n=$((n + 1))
	echo "ok $n # SKIP $1"
}
diag() {
	sed 's/^/# /' "$1" | head -n 40
}

echo "1..7"

cases=$(grep -cv '^#' "$dir/cases.in")
[ "$cases" -ge 150 ]
result $? "cases.in holds $cases values"

"$tool" "$dir/cases.in" >"$tmp/out" 2>"$tmp/err"
result $? "subject_golden runs"

diff -u "$dir/cases.ref" "$tmp/out" >"$tmp/diff"
st=$?
result $st "output matches cases.ref"
[ $st -eq 0 ] || diag "$tmp/diff"

"$tool" "$dir/cases.ref" >"$tmp/again" 2>>"$tmp/err"
cmp -s "$dir/cases.ref" "$tmp/again"
result $? "rewriting cases.ref again changes nothing"

if ! command -v python3 >/dev/null 2>&1; then
	skip "python3 not found: independent check"
	skip "python3 not found: negative control (text)"
	skip "python3 not found: negative control (injection)"
	exit 0
fi
tag=$("$tool" -t)
python3 "$src/tests/unit/subject_check.py" --tag "$tag" \
    "$dir/cases.in" "$tmp/out" >"$tmp/check"
st=$?
result $st "Python's email.header agrees with every result"
diag "$tmp/check"

# Negative controls: the checker must reject a corrupted result.
sed 's/^\( AW: \[PD-42-[^]]*\] \)Rechnung/\1Rechnugn/' "$tmp/out" \
    >"$tmp/bad1"
if cmp -s "$tmp/out" "$tmp/bad1"; then
	result 1 "negative control (text): corruption did not apply"
else
	python3 "$src/tests/unit/subject_check.py" --tag "$tag" \
	    "$dir/cases.in" "$tmp/bad1" >"$tmp/check1"
	[ $? -eq 1 ]
	result $? "negative control: a changed word is rejected"
fi
sed 's/^\( WG: \[PD-42-[^]]*\] Rechnung\) /\1\\nBcc: /' "$tmp/out" \
    >"$tmp/bad2"
if cmp -s "$tmp/out" "$tmp/bad2"; then
	result 1 "negative control (injection): corruption did not apply"
else
	python3 "$src/tests/unit/subject_check.py" --tag "$tag" \
	    "$dir/cases.in" "$tmp/bad2" >"$tmp/check2"
	[ $? -eq 1 ]
	result $? "negative control: a bare LF (new header line) is rejected"
fi
