#!/bin/bash
# checksrc.sh - the mechanical rules of STYLE.md, as a TAP test
#
# PURPOSE	Fails when a file under lib/, milter/, worker/ or cli/ calls a
#		banned function (sprintf, strcpy, strcat, strncat, strncpy,
#		gets, strtok, atoi, atol, system, popen, tmpnam, rand), calls
#		malloc/free outside lib/pd_mem.c, has a line wider than 80
#		columns (tabs at 8), or is longer than 1,000 lines.  A
#		negative control runs the same checks on a file that breaks
#		each rule and requires them to fail.
# USAGE		checksrc.sh [FILE...]  (default: the source tree)
#
# SPDX-License-Identifier: MIT
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
BANNED='\b(sprintf|vsprintf|strcpy|strcat|strncat|strncpy|gets|strtok|atoi|atol|system|popen|tmpnam|rand)[[:space:]]*\('

# strip_comments FILE - the file with comments and string literals blanked
# (one-line /* */ comments, comment continuation lines, // comments and
# "..." literals), line numbers kept
strip_comments() {
	sed -e 's:"\([^"\\]\|\\.\)*"::g' -e 's:/\*.*\*/::g' \
	    -e 's:^[[:space:]]*\*.*$::' -e 's:^[[:space:]]*/\*.*$::' \
	    -e 's://.*$::' "$1"
}

# check_files FILE... - print one problem per line; status 1 if any
check_files() {
	local f bad=0

	for f in "$@"; do
		# Strip comments and string literals before looking for calls.
		if strip_comments "$f" |
		    grep -nE "$BANNED" | sed "s|^|$f:|" | grep .; then
			bad=1
		fi
		case $f in
		*/pd_mem.c) ;;
		*) if strip_comments "$f" |
		    grep -nE '(^|[^_a-z])(malloc|calloc|realloc|free)[[:space:]]*\(' |
		    grep -v 'g_free\|pd_free' | sed "s|^|$f: raw allocation: |" |
		    grep .; then bad=1; fi ;;
		esac
		if expand "$f" | awk -v f="$f" 'length($0) > 80 {
		    printf "%s:%d: %d columns\n", f, NR, length($0); e = 1 }
		    END { exit !e }'; then
			bad=1
		fi
		if [ "$(wc -l <"$f")" -gt 1000 ]; then
			echo "$f: $(wc -l <"$f") lines (ceiling 1000)"
			bad=1
		fi
	done
	return $bad
}

if [ $# -gt 0 ]; then
	check_files "$@"
	exit
fi
echo "1..2"
mapfile -t files < <(find "$top_srcdir/lib" "$top_srcdir/milter" \
    "$top_srcdir/worker" "$top_srcdir/cli" -name '*.[ch]' 2>/dev/null | sort)
if out=$(check_files "${files[@]}"); then
	echo "ok 1 - ${#files[@]} source files follow the mechanical rules"
else
	echo "not ok 1 - source rules broken:"
	printf '%s\n' "$out" | sed 's/^/#   /'
fi
neg=$(mktemp /tmp/checksrc.XXXXXX.c)
trap 'rm -f "$neg"' EXIT
printf 'void f(char *b){ sprintf(b, "x"); char *p = malloc(3); }\n%0100d\n' 0 \
    >"$neg"
n=$(check_files "$neg" | wc -l)
if [ "$n" -ge 3 ]; then
	echo "ok 2 - negative control: banned call, raw malloc, wide line caught"
else
	echo "not ok 2 - negative control caught only $n of 3 problems"
fi
