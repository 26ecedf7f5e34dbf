#!/bin/sh
# systemd_verify.sh - the systemd units are valid for this build (TAP)
#
# PURPOSE	The units that make generated from contrib/systemd/*.service.in
#		name this build's paths (ExecStart in $(sbindir), -c under
#		$(sysconfdir)) and pass "systemd-analyze verify".  verify wants
#		the ExecStart program to exist, so it checks a copy whose
#		ExecStart names the program in the build directory.  verify
#		only warns about an unknown key or a value it cannot parse
#		(and ignores the line), so any line it prints about our unit
#		fails the test as well as a non-zero status.
#		Negative controls: a unit with a misspelt key
#		(NoNewPrivilegs=yes) and a unit with a placeholder left
#		(@sbindir@) must fail.
#		verify runs man(1) for each Documentation=man: entry; MANPATH
#		points it at the pages in doc/, so the units must name pages
#		that exist there (without man(1), --man=no skips that).
#		Without systemd-analyze (package systemd) everything is
#		skipped.  It works offline: systemd need not be PID 1.
#
# SPDX-License-Identifier: MIT

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=$(cd "${top_builddir:-.}" && pwd)
units="postdesk-milter postdesk-worker"

if ! command -v systemd-analyze > /dev/null 2>&1; then
	echo "1..0 # SKIP systemd-analyze not installed (package systemd)"
	exit 0
fi

. "$top_srcdir/tests/unit/tap.sh"
tap_init systemd_verify

# build_paths - sbindir and sysconfdir of this build, from its Makefile
build_paths() {
	printf 'pd-print-paths:\n\t@echo "$(sbindir)"; echo "$(sysconfdir)"\n' \
	    > "$tmp/print.mk"
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory \
	    -C "$top_builddir" -f Makefile -f "$tmp/print.mk" pd-print-paths \
	    2> "$tmp/make.err"
}

# verify UNITFILE - systemd-analyze verify; status 0 only when it exits 0
# and prints nothing about the unit.  Its output goes to $tmp/verify.
verify() {
	v_name=$(basename "$1")
	if command -v man > /dev/null 2>&1; then
		MANPATH="$tmp/man" systemd-analyze verify "$1" \
		    > "$tmp/verify" 2>&1
	else
		systemd-analyze verify --man=no "$1" > "$tmp/verify" 2>&1
	fi
	v_rc=$?
	[ "$v_rc" -eq 0 ] && ! grep -q -F "$v_name" "$tmp/verify"
}

# paths_ok UNITFILE PROGRAM - ExecStart runs $sbindir/PROGRAM with the
# build's configuration file, and no @placeholder@ is left
paths_ok() {
	grep -qx "ExecStart=$sbindir/$2 -c $sysconfdir/postdesk/postdesk.conf" \
	    "$1" && ! grep -q '@[a-z]*@' "$1"
}

# local_copy UNITFILE PROGRAM-PATH OUT - the unit with ExecStart's program
# replaced by PROGRAM-PATH
local_copy() {
	sed "s|^ExecStart=[^ ]*|ExecStart=$2|" "$1" > "$3"
}

if ! build_paths > "$tmp/paths" || [ "$(wc -l < "$tmp/paths")" -ne 2 ]; then
	diag "$tmp/make.err"
	echo "Bail out! cannot read sbindir and sysconfdir from $top_builddir/Makefile"
	exit 99
fi
sbindir=$(sed -n 1p "$tmp/paths")
sysconfdir=$(sed -n 2p "$tmp/paths")
echo "# sbindir=$sbindir sysconfdir=$sysconfdir"

mkdir "$tmp/units" "$tmp/bad" "$tmp/man" "$tmp/man/man5" "$tmp/man/man8" ||
    exit 99
cp "$top_srcdir"/doc/*.5 "$tmp/man/man5/" &&
    cp "$top_srcdir"/doc/*.8 "$tmp/man/man8/" || exit 99
for u in $units; do
	unit="$top_builddir/contrib/systemd/$u.service"
	case $u in
	postdesk-milter) prog="$top_builddir/milter/postdesk-milter" ;;
	*) prog="$top_builddir/worker/postdesk-worker" ;;
	esac
	if [ ! -f "$unit" ] || [ ! -x "$prog" ]; then
		echo "Bail out! $unit or $prog missing: run make first"
		exit 99
	fi
	want="$sbindir/$u -c $sysconfdir/postdesk/postdesk.conf"
	paths_ok "$unit" "$u"
	tap $? "$u.service: ExecStart=$want"
	local_copy "$unit" "$prog" "$tmp/units/$u.service"
	verify "$tmp/units/$u.service"
	tap $? "$u.service: systemd-analyze verify"
	diag "$tmp/verify"
done

# Negative controls.
sed 's/^NoNewPrivileges=/NoNewPrivilegs=/' \
    "$tmp/units/postdesk-milter.service" > "$tmp/bad/postdesk-milter.service"
grep -q '^NoNewPrivilegs=yes$' "$tmp/bad/postdesk-milter.service" &&
    ! verify "$tmp/bad/postdesk-milter.service" &&
    grep -q 'Unknown key' "$tmp/verify"
tap $? "control: a unit with NoNewPrivilegs=yes fails verify"
diag "$tmp/verify"
sed "s|^ExecStart=$sbindir/|ExecStart=@sbindir@/|" \
    "$top_builddir/contrib/systemd/postdesk-worker.service" \
    > "$tmp/bad/postdesk-worker.service"
! paths_ok "$tmp/bad/postdesk-worker.service" postdesk-worker
tap $? "control: a unit with @sbindir@ left fails the path check"

tap_end
