#!/bin/bash
# fuzz.sh - build the libFuzzer targets of tests/fuzz/ and run each one for
# a bounded time, as the "fuzz" stage of .ci/run or by hand.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 20; 0: replay only)
#
# 1. Builds lib/libpostdesk.a with clang and
#    -fsanitize=fuzzer-no-link,address,undefined in _build/fuzz/obj (its
#    own configure run; the gcc builds and "make check" are not touched),
#    then links every tests/fuzz/fuzz_*.c with -fsanitize=fuzzer.
# 2. Builds seed corpora in _build/fuzz/run/seeds with tests/fuzz/seeds.py
#    from the shared test mail ($PD_CORPUS, default ../shared/corpus)
#    and the project's samples.
# 3. Per target: replays its seeds and tests/fuzz/regress/TARGET/* once
#    (-runs=0), then fuzzes for SECONDS_PER_TARGET with a fixed -seed
#    ($PD_FUZZ_SEED, default 1; printed, so a run can be repeated).
#    Crashes, leaks, timeouts and out-of-memory inputs are saved in
#    _build/fuzz/run/artifacts/TARGET/; logs are next to them.
# 4. Prints one line per target (executions, crashes), then TAP-like
#    lines and "fuzz: N passed, N failed".  Exits 1 on any crash, leak,
#    timeout or build failure.
#
# Environment: CC (default clang-14, else clang), PD_CORPUS, PD_FUZZ_SEED,
# PD_FUZZ_TARGETS (names like "subject cmd"; default every target),
# PD_FUZZ_NEW_CRASH=report (a crash of the timed run is printed with its
# input, marked TODO, and does not fail the run; .ci/run sets it).  Inputs
# found that way and not yet fixed wait in tests/fuzz/found/TARGET/.
# A reproducer runs alone as: _build/fuzz/obj/fuzz_TARGET FILE
#
# SPDX-License-Identifier: MIT
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
seed=${PD_FUZZ_SEED:-1}
corpus=${PD_CORPUS:-$top/../shared/corpus}
build=$top/_build/fuzz
obj=$build/obj
run=$build/run
targets=${PD_FUZZ_TARGETS:-subject prefix cmd csat tmpl conf message}
pkgs="glib-2.0 gmime-3.0 sqlite3 libsodium"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
san="$san -fno-omit-frame-pointer -g -O1"
warn="-Wall -Wextra -Wformat=2 -Wshadow -Wvla -Wstrict-prototypes -Werror"

case $secs in
''|*[!0-9]*) echo "usage: fuzz.sh [SECONDS_PER_TARGET]" >&2; exit 2 ;;
esac
if [ -z "${CC:-}" ]; then
	CC=clang
	command -v clang-14 >/dev/null 2>&1 && CC=clang-14
fi
sym=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer) &&
    export ASAN_SYMBOLIZER_PATH=$sym
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

tap=()		# the TAP-like lines, printed at the end
passed=0
failed=0

# result OK TEXT - record one TAP-like line
result() {
	if [ "$1" = ok ]; then
		passed=$((passed + 1))
		tap+=("ok $((passed + failed)) - $2")
	else
		failed=$((failed + 1))
		tap+=("not ok $((passed + failed)) - $2")
	fi
}

# finish - the TAP-like lines, the summary, the exit status
finish() {
	printf '%s\n' "${tap[@]}"
	echo "fuzz: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

# build - configure (once) and make the library, then link the targets
build() {
	local t cflags libs

	if [ ! -x "$top/configure" ]; then
		(cd "$top" && ./autogen.sh) >"$build/autogen.log" 2>&1 ||
		    { tail -20 "$build/autogen.log"; return 1; }
	fi
	if [ ! -f "$obj/config.status" ] ||
	    [ "$top/configure" -nt "$obj/config.status" ]; then
		rm -rf "$obj" && mkdir -p "$obj" || return 1
		(cd "$obj" && "$top/configure" -q CC="$CC" \
		    CFLAGS="-fsanitize=fuzzer-no-link $san") \
		    >"$build/configure.log" 2>&1 ||
		    { tail -20 "$build/configure.log"; return 1; }
	fi
	make -C "$obj" -j2 lib/libpostdesk.a >"$build/make.log" 2>&1 ||
	    { grep -E 'error|warning' "$build/make.log" | head -20; return 1; }
	# shellcheck disable=SC2086
	cflags=$(pkg-config --cflags $pkgs) &&
	    libs=$(pkg-config --libs $pkgs) || return 1
	for t in $targets; do
		# shellcheck disable=SC2086
		"$CC" -fsanitize=fuzzer $san $warn -D_GNU_SOURCE \
		    -I"$top/lib" -I"$obj" $cflags \
		    "$top/tests/fuzz/fuzz_$t.c" "$obj/lib/libpostdesk.a" \
		    $libs -pthread -o "$obj/fuzz_$t" 2>"$build/cc-$t.log" ||
		    { head -20 "$build/cc-$t.log"; return 1; }
	done
}

# max_len TARGET - the largest input the fuzzing run makes
max_len() {
	case $1 in
	message) echo 65536 ;;
	cmd) echo 16384 ;;
	conf) echo 8192 ;;
	csat) echo 1024 ;;
	*) echo 4096 ;;
	esac
}

# stat LOG NAME - a number from libFuzzer's final statistics (0 if none)
stat() {
	sed -n "s/^stat::$2: *\([0-9]*\)\$/\1/p" "$1" | tail -1 | grep . ||
	    echo 0
}

# artifacts DIR - how many crash, leak, timeout and oom inputs DIR holds
artifacts() {
	find "$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
	    -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l
}

# report LOG DIR - the part of a failed run's log worth reading
report() {
	local n

	echo "--- $1"
	n=$(grep -n -m1 -E '^==[0-9]+==|runtime error|invariant broken' "$1" |
	    cut -d: -f1)
	tail -n +"${n:-1}" "$1" | grep -v ' in fuzzer::' | head -40
	find "$2" -maxdepth 1 -type f ! -name '*.log' \
	    -printf '--- reproducer: %p\n'
}

# fuzz_target T - replay, then fuzz; one output line, two TAP lines
fuzz_target() {
	local t=$1 bin="$obj/fuzz_$1" art="$run/artifacts/$1"
	local dirs=("$run/seeds/$1") rc n execs crashes rline

	[ -d "$top/tests/fuzz/regress/$t" ] &&
	    dirs+=("$top/tests/fuzz/regress/$t")
	mkdir -p "$art" "$run/corpus/$t" "$run/seeds/$t"
	n=$(find "${dirs[@]}" -type f | wc -l)
	"$bin" -runs=0 -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
	    -artifact_prefix="$art/" "${dirs[@]}" >"$art/replay.log" 2>&1
	rc=$?
	crashes=$(artifacts "$art")
	rline="replay $n inputs, $crashes crashes"
	if [ $rc -eq 0 ] && [ "$crashes" -eq 0 ]; then
		result ok "fuzz_$t replay ($n inputs)"
	else
		result fail "fuzz_$t replay ($n inputs, exit $rc)"
		report "$art/replay.log" "$art"
		echo "fuzz_$t: $rline, not fuzzed"
		return
	fi
	if [ "$secs" -eq 0 ]; then
		echo "fuzz_$t: $rline"
		return
	fi
	"$bin" -seed="$seed" -max_total_time="$secs" \
	    -max_len="$(max_len "$t")" -rss_limit_mb=2048 -timeout=10 \
	    -print_final_stats=1 -artifact_prefix="$art/" \
	    "$run/corpus/$t" "${dirs[@]}" >"$art/fuzz.log" 2>&1
	rc=$?
	execs=$(stat "$art/fuzz.log" number_of_executed_units)
	crashes=$(artifacts "$art")
	echo "fuzz_$t: $rline; fuzz ${secs}s, $execs execs, $crashes crashes"
	if [ $rc -eq 0 ] && [ "$crashes" -eq 0 ]; then
		result ok "fuzz_$t ${secs}s, $execs execs, $crashes crashes"
	elif [ "${PD_FUZZ_NEW_CRASH:-fail}" = report ]; then
		# a new find of the timed run: reported with its input, not
		# gating (the replay of known inputs above still is)
		result ok "fuzz_$t ${secs}s, $execs execs, $crashes crashes \
(exit $rc) # TODO new crash, input in $art"
		report "$art/fuzz.log" "$art"
	else
		result fail "fuzz_$t ${secs}s, $execs execs, $crashes crashes \
(exit $rc)"
		report "$art/fuzz.log" "$art"
	fi
}

mkdir -p "$build" || exit 1
echo "=== fuzz: build with $CC ($($CC --version | head -1))"
if ! build; then
	result fail "build of the fuzz targets (logs in $build)"
	finish
fi
result ok "build: $(echo "$targets" | wc -w) targets with $CC"
rm -rf "$run" && mkdir -p "$run" || exit 1
[ -d "$corpus" ] || echo "fuzz.sh: no corpus at $corpus; project seeds only"
python3 "$top/tests/fuzz/seeds.py" "$corpus" "$top" "$run/seeds" || {
	result fail "seed corpora (tests/fuzz/seeds.py)"
	finish
}
echo "=== fuzz: ${secs}s per target, -seed=$seed"
for t in $targets; do
	fuzz_target "$t"
done
finish
