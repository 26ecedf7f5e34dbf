#!/bin/bash
# check.sh - install what is needed, build, and run every test, twice: a
# plain build and an AddressSanitizer + UndefinedBehaviorSanitizer build.
# Ends with one line "tests: N passed, N failed" counted from the TAP
# results of both runs.  Run as root from anywhere; builds go to _build/.
#
# Environment: CHECK_VARIANTS (default "plain asan"; "tsan" is a
# ThreadSanitizer build, see tsan_variant), CHECK_DISTCHECK=1 to also run
# "make distcheck" in the plain build.  The crash run (t_chaos.sh) gets
# CHAOS_SECONDS of traffic: CHECK_CHAOS_PLAIN (default 60) in the plain
# build, CHECK_CHAOS_ASAN (30) in the ASan build, none under TSan or in
# distcheck, which repeat the plain build's tests.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
variants=${CHECK_VARIANTS:-plain asan}
status=0

"$top/scripts/install-deps.sh" || exit 1
# The shared test mail, also for "make distcheck", whose tree has no
# ../shared beside it.
if [ -d "$top/../shared/corpus" ]; then
	PD_CORPUS=$(cd "$top/../shared/corpus" && pwd)
	export PD_CORPUS
fi
./autogen.sh >/dev/null 2>&1 || { echo "check.sh: autogen.sh failed" >&2; exit 1; }

# run_variant NAME CONFIGURE-FLAGS... - configure, build and test one build
run_variant() {
	local name=$1 dir="$top/_build/$1"
	shift
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	echo "=== $name build: configure $*"
	(cd "$dir" && "$top/configure" -q "$@") || return 1
	echo "=== $name build: make"
	make -C "$dir" -j2 >"$dir/make.log" 2>&1 ||
	    { tail -40 "$dir/make.log"; return 1; }
	echo "=== $name build: make check"
	make -C "$dir" -j2 check >"$dir/check.log" 2>&1
	local rc=$?
	grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP|XFAIL):' "$dir/check.log" |
	    grep -v '^PASS' | head -50
	grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$dir/check.log"
	if [ $rc -ne 0 ]; then
		echo "=== $name build: failures, logs follow"
		find "$dir/tests" -name '*.log' -newer "$dir/make.log" |
		    while read -r f; do
			grep -q -E '^(not ok|Bail out)' "$f" 2>/dev/null &&
			    { echo "--- $f"; tail -60 "$f"; }
		done
	fi
	return $rc
}

# tsan_variant - the ThreadSanitizer build ("tsan", --enable-tsan) and its
# suite.  Every report fails the run: halt_on_error stops the program at
# the first one (a daemon that dies fails its test), and each report is
# also written to _build/tsan-reports/tsan.PID, which are counted here
# (TSAN_REPORTS) even if no test noticed.  tests/tsan.supp lists what is
# tolerated in libmilter, with why; G_SLICE=always-malloc makes GLib's
# slice allocator use malloc, which ThreadSanitizer sees.
TSAN_REPORTS=0
tsan_variant() {
	local logs="$top/_build/tsan-reports" rc=0 f

	rm -rf "$logs" && mkdir -p "$logs" || return 1
	G_SLICE=always-malloc TSAN_OPTIONS="halt_on_error=1 \
second_deadlock_stack=1 suppressions=$top/tests/tsan.supp \
log_path=$logs/tsan" run_variant tsan --enable-tsan || rc=1
	TSAN_REPORTS=$(find "$logs" -type f | wc -l)
	for f in $(find "$logs" -type f | head -5); do
		echo "=== tsan build: report $f"
		head -40 "$f"
	done
	[ "$TSAN_REPORTS" -eq 0 ] || rc=1
	return $rc
}

for v in $variants; do
	case $v in
	plain) CHAOS_SECONDS=${CHECK_CHAOS_PLAIN:-60} run_variant plain ||
	    status=1 ;;
	asan) CHAOS_SECONDS=${CHECK_CHAOS_ASAN:-30} \
	    ASAN_OPTIONS=detect_leaks=1 run_variant asan \
	    --enable-sanitizers || status=1 ;;
	tsan) CHAOS_SECONDS=0 tsan_variant || status=1 ;;
	*) echo "check.sh: unknown variant $v" >&2; status=1 ;;
	esac
done
if [ "${CHECK_DISTCHECK:-0}" = 1 ]; then
	echo "=== make distcheck"
	CHAOS_SECONDS=0 make -C "$top/_build/plain" -j2 distcheck \
	    >"$top/_build/distcheck.log" \
	    2>&1 || { tail -40 "$top/_build/distcheck.log"; status=1; }
fi

# Count every TAP result of every variant (Automake's .trs files).
passed=0
failed=0
for v in $variants; do
	[ -d "$top/_build/$v/tests" ] || continue
	p=$(find "$top/_build/$v/tests" -name '*.trs' -exec grep -h \
	    '^:test-result: PASS' {} + | wc -l)
	f=$(find "$top/_build/$v/tests" -name '*.trs' -exec grep -h -E \
	    '^:test-result: (FAIL|ERROR|XPASS)' {} + | wc -l)
	passed=$((passed + p))
	failed=$((failed + f))
done
# ... and those "make distcheck" ran in its own tree (from its log, since
# it removes the tree when it succeeds)
if [ -f "$top/_build/distcheck.log" ] && [ "${CHECK_DISTCHECK:-0}" = 1 ]; then
	p=$(grep -c '^PASS: ' "$top/_build/distcheck.log")
	f=$(grep -c -E '^(FAIL|ERROR|XPASS): ' "$top/_build/distcheck.log")
	passed=$((passed + p))
	failed=$((failed + f))
fi
# a ThreadSanitizer report counts as a failed test
failed=$((failed + TSAN_REPORTS))
[ "$failed" -eq 0 ] || status=1
[ "$passed" -gt 0 ] || status=1
echo "tests: $passed passed, $failed failed"
exit $status
