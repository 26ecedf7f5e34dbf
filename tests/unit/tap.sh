# tap.sh - TAP helpers for the POSIX sh tests of tests/unit (sourced)
#
# PURPOSE	One copy of what every sh test printed by hand: numbered
#		ok/not ok lines, skips, diagnostics, a private temporary
#		directory removed at exit, and the plan line at the end.
# API		tap_init NAME	make $tmp (removed at exit); n=0, failed=0
#		tap STATUS DESC	"ok N - DESC" when STATUS is 0, else "not ok"
#		skip DESC WHY	"ok N - DESC # SKIP WHY"
#		diag FILE	FILE as "#   " comment lines
#		tap_end		print the plan; exit 1 if anything failed
#
# SPDX-License-Identifier: MIT

n=0
failed=0
tmp=

# tap_init NAME - the test's temporary directory, removed at exit
tap_init() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 99
	trap 'rm -rf "$tmp"' EXIT
}

# tap CONDITION-STATUS DESCRIPTION - print one TAP line
tap() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# skip DESCRIPTION REASON - print one skipped TAP line
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# diag FILE - FILE as TAP comments
diag() {
	sed 's/^/#   /' "$1"
}

# tap_end - the plan, and the exit status
tap_end() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
	exit $?
}
