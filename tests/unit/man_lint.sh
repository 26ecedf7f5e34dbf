#!/bin/sh
# man_lint.sh - the manual pages are clean and name every command (TAP)
#
# PURPOSE	"mandoc -T lint -W warning" reports nothing (no error, no
#		warning; style hints are allowed) for each page in doc/.
#		Every command that "postdeskctl -h" lists has an entry in
#		the SYNOPSIS of postdeskctl.8 (".Cm NAME") and in its list of
#		commands (".It Cm NAME"), and every long option the list
#		shows ("--json") appears there as "Fl -json".
#		Negative controls: a copy of postdeskctl.8 without one
#		command, and one without one option, fail the check; a page
#		with a broken macro fails the lint.
#		Without mandoc the lint tests are skipped (TAP SKIP); the
#		command checks need only the shell.
#
# SPDX-License-Identifier: MIT

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
ctl="$top_builddir/cli/postdeskctl"
ctlman="$top_srcdir/doc/postdeskctl.8"
pages="postdesk.conf.5 postdesk-milter.8 postdesk-worker.8 postdeskctl.8"

. "$top_srcdir/tests/unit/tap.sh"
tap_init man_lint

# lint PAGE - mandoc's errors and warnings for PAGE on stdout; status 0
# only when there are none
lint() {
	lint_out=$(mandoc -T lint -W warning "$1" 2>&1)
	lint_rc=$?
	[ -z "$lint_out" ] || printf '%s\n' "$lint_out"
	[ "$lint_rc" -eq 0 ] && [ -z "$lint_out" ]
}

# in_synopsis PAGE NAME - a ".Cm NAME" line in the SYNOPSIS of PAGE
in_synopsis() {
	awk -v c="$2" '
	    /^\.Sh / { syn = ($2 == "SYNOPSIS") }
	    syn && $1 == ".Cm" && $2 == c { found = 1 }
	    END { exit !found }' "$1"
}

# in_list PAGE NAME - an ".It Cm NAME" line in PAGE
in_list() {
	awk -v c="$2" '
	    $1 == ".It" && $2 == "Cm" && $3 == c { found = 1 }
	    END { exit !found }' "$1"
}

# has_option PAGE OPT - "Fl -OPT" (OPT without its dashes) in PAGE
has_option() {
	grep -Eq "(^|[ ])Fl -$2([ ]|\$)" "$1"
}

# missing PAGE - print what PAGE lacks of the usage's commands and options
missing() {
	while read -r m_cmd; do
		in_synopsis "$1" "$m_cmd" || echo "synopsis: $m_cmd"
		in_list "$1" "$m_cmd" || echo "commands: $m_cmd"
	done < "$tmp/commands"
	while read -r m_opt; do
		has_option "$1" "$m_opt" || echo "option: --$m_opt"
	done < "$tmp/options"
}

# The commands and options postdeskctl itself lists (usage on stderr).
"$ctl" -h > "$tmp/usage" 2>&1
awk '/^  [a-z]/ { print $1 }' "$tmp/usage" > "$tmp/commands"
grep -o -- '--[a-z][a-z-]*' "$tmp/usage" | sed 's/^--//' | sort -u \
    > "$tmp/options"
if [ "$(wc -l < "$tmp/commands")" -lt 5 ] || [ ! -s "$tmp/options" ]; then
	echo "Bail out! cannot read the command list of $ctl -h"
	exit 99
fi

# 1. Lint every page.
if command -v mandoc > /dev/null 2>&1; then
	for p in $pages; do
		lint "$top_srcdir/doc/$p" > "$tmp/lint"
		tap $? "mandoc -T lint -W warning: $p"
		sed 's/^/#   /' "$tmp/lint"
	done
	# Negative control: a page with an empty macro must fail.
	sed 's/^\.Sh FILES$/.Sh FILES\
.Xr/' "$ctlman" > "$tmp/broken.8"
	! lint "$tmp/broken.8" > /dev/null
	tap $? "control: a page with an empty .Xr fails the lint"
else
	for p in $pages; do
		skip "mandoc -T lint -W warning: $p" "mandoc not installed"
	done
	skip "control: a broken page fails the lint" "mandoc not installed"
fi

# 2. Every command and option of the usage is in postdeskctl.8.
while read -r cmd; do
	in_synopsis "$ctlman" "$cmd"
	tap $? "postdeskctl.8 SYNOPSIS has command $cmd"
	in_list "$ctlman" "$cmd"
	tap $? "postdeskctl.8 describes command $cmd"
done < "$tmp/commands"
while read -r opt; do
	has_option "$ctlman" "$opt"
	tap $? "postdeskctl.8 has option --$opt"
done < "$tmp/options"
missing "$ctlman" > "$tmp/out0"
[ ! -s "$tmp/out0" ]
tap $? "the real page passes the check"

# Negative controls: remove the last command, then the first option.
victim=$(tail -n 1 "$tmp/commands")
grep -Ev "^\.(It )?Cm $victim( |\$)" "$ctlman" > "$tmp/nocmd.8"
missing "$tmp/nocmd.8" > "$tmp/out1"
[ "$(cat "$tmp/out1")" = "synopsis: $victim
commands: $victim" ]
tap $? "control: a page without command $victim fails the check"
gone=$(head -n 1 "$tmp/options")
sed -e "s/Fl -$gone /Fl -other /g" -e "s/Fl -$gone\$/Fl -other/" \
    "$ctlman" > "$tmp/noopt.8"
missing "$tmp/noopt.8" > "$tmp/out2"
[ "$(cat "$tmp/out2")" = "option: --$gone" ]
tap $? "control: a page without option --$gone fails the check"

tap_end
