#!/bin/sh
# conf_doc.sh - every configuration key is documented (TAP)
#
# PURPOSE	For every row of the key table (tests/tools/conf_keys -l), the
#		key must have its own ".It Ic KEY" entry under the right
#		section of doc/postdesk.conf.5 and a "KEY =" (or "#KEY =") line
#		under the right section of config/postdesk.conf.sample
#		(Postfix's check-postconf-undocumented).  The examples of the
#		manual must load.
#		Negative controls: the same checks against copies of the
#		manual and the sample with one key removed, and an example
#		with a typo, must fail.
#
# SPDX-License-Identifier: MIT

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
man="$top_srcdir/doc/postdesk.conf.5"
sample="$top_srcdir/config/postdesk.conf.sample"
conf_keys="$top_builddir/tests/tools/conf_keys"

. "$top_srcdir/tests/unit/tap.sh"
tap_init conf_doc

# man_has FILE SECTION KEY - ".It Ic KEY" under .Ss "[SECTION...]"
man_has() {
	awk -v s="$2" -v k="$3" '
	    /^\.S[sh] / {
		ins = index($0, "\"[" s "]\"") || index($0, "\"[" s " ")
	    }
	    ins && $1 == ".It" && $2 == "Ic" && $3 == k { found = 1 }
	    END { exit !found }' "$1"
}

# sample_has FILE SECTION KEY - "KEY =" or "#KEY =" under [SECTION...]
sample_has() {
	awk -v s="$2" -v k="$3" '
	    /^\[/ {
		ins = index($0, "[" s "]") == 1 || index($0, "[" s " ") == 1
	    }
	    ins && $0 ~ ("^#?" k "[ \t]*=") { found = 1 }
	    END { exit !found }' "$1"
}

# missing MANFILE SAMPLEFILE - print the keys one of the files lacks
missing() {
	while read -r section key; do
		if ! man_has "$1" "$section" "$key" ||
		    ! sample_has "$2" "$section" "$key"; then
			echo "[$section] $key"
		fi
	done < "$tmp/keys"
}

if ! "$conf_keys" -l > "$tmp/keys" || [ ! -s "$tmp/keys" ]; then
	echo "Bail out! cannot run $conf_keys -l"
	exit 99
fi

while read -r section key; do
	man_has "$man" "$section" "$key"
	tap $? "[$section] $key is in postdesk.conf.5"
	sample_has "$sample" "$section" "$key"
	tap $? "[$section] $key is in postdesk.conf.sample"
done < "$tmp/keys"

# Negative controls: remove one key from a copy of each file.
grep -v '^\.It Ic store_timeout$' "$man" > "$tmp/man"
grep -v '^store_timeout =' "$sample" > "$tmp/sample"
missing "$tmp/man" "$sample" > "$tmp/out1"
[ "$(cat "$tmp/out1")" = "[milter] store_timeout" ]
tap $? "control: a manual without store_timeout fails the check"
missing "$man" "$tmp/sample" > "$tmp/out2"
[ "$(cat "$tmp/out2")" = "[milter] store_timeout" ]
tap $? "control: a sample without store_timeout fails the check"
missing "$man" "$sample" > "$tmp/out3"
[ ! -s "$tmp/out3" ]
tap $? "the real files pass the same check"

# The EXAMPLES of the manual load.
awk -v dir="$tmp" '
    /^\.Sh / { ex = ($2 == "EXAMPLES") }
    ex && /^\.Ed/ { inb = 0; next }
    ex && inb { print > (dir "/example" nb ".conf") }
    ex && /^\.Bd -literal/ { inb = 1; nb++ }' "$man"
count=0
for f in "$tmp"/example*.conf; do
	[ -f "$f" ] || continue
	count=$((count + 1))
	"$conf_keys" -c "$f" 2> "$tmp/err"
	tap $? "manual example $count loads"
	[ -s "$tmp/err" ] && echo "#   $(cat "$tmp/err")"
done
[ "$count" -ge 2 ]
tap $? "the manual has $count examples"
if [ -f "$tmp/example1.conf" ]; then
	printf 'typo = 1\n' >> "$tmp/example1.conf"
	! "$conf_keys" -c "$tmp/example1.conf" 2> /dev/null
	tap $? "control: an example with an unknown key fails to load"
fi

tap_end
