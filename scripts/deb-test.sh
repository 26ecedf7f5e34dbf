#!/bin/bash
# deb-test.sh - build the Debian package, install it, test it, purge it
#
# PURPOSE	Proves the packaging on a Debian 12 machine: copies the source
#		tree (tracked and new files, nothing ignored) to a temporary
#		directory, builds postdesk_*.deb there with
#		"dpkg-buildpackage -us -uc -b", runs lintian (an error fails),
#		installs the package with apt-get, checks what postinst made
#		(user, state directory, key, database, "postdeskctl check",
#		systemd units), runs the end-to-end tests of the source tree
#		against the installed programs (tests/e2e/pdlib.sh with
#		PD_INSTALLED=1), purges the package and checks that nothing
#		of its state is left.
#
# USAGE		scripts/deb-test.sh, as root, after scripts/install-deps.sh.
#		It installs the build tools and Build-Depends it lacks.  A
#		postdesk package already installed is purged first, with its
#		database and key: run it on a test machine only.
#
# OUTPUT	One line per check, the e2e tests' failures, and last a line
#		"deb: N passed, N failed" counting the checks and the TAP
#		results of the e2e tests.  Exit status 0 only if nothing
#		failed.
#
# ENV		DEB_TEST_KEEP=1 keeps the work directory (/tmp/hd-deb.*);
#		DEB_TEST_E2E="t_ack.sh t_agent.sh" runs only those e2e tests;
#		DEB_TEST_CHECK=1 also runs "make check" inside the package
#		build (off by default: .ci/run has just run it);
#		PD_CORPUS as for the e2e tests (default ../shared/corpus).
#
# BOUNDS	Every step runs under timeout(1); the e2e tests share what is
#		left of DEB_TEST_BUDGET seconds (default 540) after the build.
#
# SPDX-License-Identifier: MIT
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
budget=${DEB_TEST_BUDGET:-540}
passed=0
failed=0
work=
installed=0
export DEBIAN_FRONTEND=noninteractive

# REQUIRED_E2E - tests that must run, not skip, against the package
REQUIRED_E2E="t_postfix_smoke.sh t_milter_flow.sh t_ack.sh t_agent.sh"

# pass DESCRIPTION / fail DESCRIPTION - count and print one check
pass() {
	passed=$((passed + 1))
	echo "ok - $*"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL - $*"
}

# check DESCRIPTION CMD... - run CMD (output to the log) as one check
check() {
	local desc=$1

	shift
	if "$@" >>"$work/checks.log" 2>&1; then
		pass "$desc"
	else
		fail "$desc"
		return 1
	fi
}

# finish - purge what we installed, remove the work directory, print the
# summary line; the EXIT trap
finish() {
	trap - EXIT
	if [ "$installed" = 1 ]; then
		timeout 120 apt-get purge -y -q postdesk >/dev/null 2>&1 ||
		    echo "deb-test.sh: could not purge postdesk" >&2
	fi
	if [ -n "$work" ] && [ "${DEB_TEST_KEEP:-0}" != 1 ]; then
		rm -rf "$work"
	elif [ -n "$work" ]; then
		echo "deb-test.sh: kept $work"
	fi
	echo "deb: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit
}

# bail MESSAGE - a step the rest depends on failed
bail() {
	fail "$*"
	finish
}

# need_pkgs PACKAGE... - install those not installed yet
# shellcheck disable=SC2086
need_pkgs() {
	local p missing=

	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'ok installed' || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	echo "deb-test.sh: installing$missing"
	timeout 300 apt-get install -y -qq --no-install-recommends $missing \
	    >/dev/null 2>&1 && return 0
	timeout 120 apt-get update -qq &&
	    timeout 300 apt-get install -y -qq --no-install-recommends \
	    $missing >/dev/null
}

# copy_tree DEST - the source tree without build output: with git, the
# tracked and the new files that .gitignore does not exclude
copy_tree() {
	local dest=$1

	mkdir -p "$dest" || return 1
	if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$top" ls-files -z -c -o --exclude-standard |
		    tar -C "$top" --null --ignore-failed-read -T - -cf - |
		    tar -C "$dest" -xf -
	else
		tar -C "$top" --exclude=./.git --exclude=./_build \
		    --exclude=./demo --exclude=./autom4te.cache \
		    --exclude=./debian/postdesk --exclude=./debian/.debhelper \
		    -cf - . | tar -C "$dest" -xf -
	fi
}

# build - copy, install Build-Depends, dpkg-buildpackage; sets src, deb
build() {
	local version upstream opts=nocheck

	version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version) ||
	    bail "debian/changelog is readable"
	upstream=$(sed -n 's/^AC_INIT(\[postdesk\], *\[\([^]]*\)\].*/\1/p' \
	    "$top/configure.ac")
	if [ "$version" = "$upstream" ]; then
		pass "package version $version is configure.ac's"
	else
		fail "package version $version is configure.ac's ($upstream)"
	fi
	src=$work/postdesk-$version
	copy_tree "$src" || bail "copy of the source tree"
	[ "${DEB_TEST_CHECK:-0}" = 1 ] && opts=
	(cd "$src" && timeout 300 apt-get build-dep -y -qq ./ >/dev/null) ||
	    bail "Build-Depends installed (apt-get build-dep)"
	echo "=== dpkg-buildpackage -us -uc -b in $src"
	if ! (cd "$src" && DEB_BUILD_OPTIONS="$opts ${DEB_BUILD_OPTIONS:-}" \
	    timeout 600 dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1
	then
		tail -40 "$work/build.log"
		bail "dpkg-buildpackage -us -uc -b"
	fi
	pass "dpkg-buildpackage -us -uc -b"
	for deb in "$work"/postdesk_"$version"_*.deb; do break; done
	[ -f "$deb" ] || bail "postdesk_${version}_*.deb built"
}

# run_lintian - lintian on the .changes: errors fail, the rest is shown
run_lintian() {
	local out rc=0

	out=$(timeout 300 lintian --fail-on error "$work"/postdesk_*.changes \
	    2>&1) || rc=$?
	out=$(echo "$out" | grep -v 'running with root privileges')
	[ -z "$out" ] || echo "$out"
	if [ "$rc" -eq 0 ] && ! echo "$out" | grep -q '^E:'; then
		pass "lintian: no errors"
	else
		fail "lintian: no errors (status $rc)"
	fi
}

# owner_mode PATH - print "user:group mode" of PATH
owner_mode() {
	stat -c '%U:%G %a' "$1" 2>/dev/null
}

# is_owner_mode PATH OWNER MODE - PATH has that owner and mode
is_owner_mode() {
	local got

	got=$(owner_mode "$1")
	[ "$got" = "$2 $3" ] || { echo "$1: $got, want $2 $3"; return 1; }
}

# system_user - postdesk is a system user with its own group, no shell
system_user() {
	local uid shell

	uid=$(id -u postdesk) && [ "$uid" -lt 1000 ] &&
	    [ "$(id -gn postdesk)" = postdesk ] || return 1
	shell=$(getent passwd postdesk | cut -d: -f7)
	case $shell in
	*/nologin|*/false) ;;
	*) echo "postdesk has shell $shell"; return 1 ;;
	esac
}

# check_units - the installed systemd units: one per contrib/systemd/*.in,
# enabled (deb-systemd-helper makes the links even without a running
# systemd) and accepted by systemd-analyze verify
check_units() {
	local in unit path

	for in in "$src"/contrib/systemd/*.service.in; do
		[ -f "$in" ] || continue
		unit=$(basename "$in" .in)
		path=/lib/systemd/system/$unit
		check "unit $unit installed" test -f "$path" || continue
		check "unit $unit enabled" sh -c \
		    "ls /etc/systemd/system/*.wants/$unit >/dev/null 2>&1"
		if command -v systemd-analyze >/dev/null; then
			check "systemd-analyze verify $unit" \
			    timeout 60 systemd-analyze verify "$path"
		fi
	done
}

# check_install - what the package and its postinst must have made
check_install() {
	local conf=/etc/postdesk/postdesk.conf page name

	check "user and group postdesk (system user, no shell)" system_user
	check "/var/lib/postdesk is postdesk's, mode 0750" \
	    is_owner_mode /var/lib/postdesk postdesk:postdesk 750
	check "database /var/lib/postdesk/postdesk.db is postdesk's" \
	    test "$(stat -c %U /var/lib/postdesk/postdesk.db 2>&1)" = postdesk
	check "key /etc/postdesk/postdesk.key is postdesk's, mode 0600" \
	    is_owner_mode /etc/postdesk/postdesk.key postdesk:postdesk 600
	check "/etc/postdesk is root's, mode 0755, after init" \
	    is_owner_mode /etc/postdesk root:root 755
	check "$conf is a conffile" sh -c \
	    "dpkg-query -W -f='\${Conffiles}' postdesk | grep -q ' $conf '"
	check "postdeskctl -c $conf check (root)" \
	    /usr/sbin/postdeskctl -c "$conf" check
	check "postdeskctl -c $conf check (user postdesk)" \
	    runuser -u postdesk -- /usr/sbin/postdeskctl -c "$conf" check
	check "programs in /usr/sbin" test -x /usr/sbin/postdesk-milter -a \
	    -x /usr/sbin/postdesk-worker -a -x /usr/sbin/postdeskctl
	check "templates in /usr/share/postdesk/templates" \
	    test -f /usr/share/postdesk/templates/en/ack -a \
	    -f /usr/share/postdesk/templates/ru/ack
	check "Postfix lines in /usr/share/doc/postdesk/examples" \
	    test -f /usr/share/doc/postdesk/examples/main.cf.snippet -a \
	    -f /usr/share/doc/postdesk/examples/master.cf.snippet
	for page in "$src"/doc/*.[1-8]; do
		[ -f "$page" ] || continue
		name=$(basename "$page")
		check "manual page $name" \
		    test -f "/usr/share/man/man${name##*.}/$name.gz"
	done
	check_units
}

# check_reinstall - postinst again: user, key and database are kept
check_reinstall() {
	local before after

	before=$(sha256sum /etc/postdesk/postdesk.key)
	check "apt-get install --reinstall" \
	    timeout 300 apt-get install -y -q --reinstall "$deb"
	after=$(sha256sum /etc/postdesk/postdesk.key)
	check "reinstall keeps the key" test "$before" = "$after"
	check "postdeskctl check after reinstall" \
	    /usr/sbin/postdeskctl -c /etc/postdesk/postdesk.conf check -q
}

# tap_count FILE STATUS - print "PASSED FAILED SKIPPED-ALL" for one TAP
# run: a "not ok", a missing planned result, a "Bail out!" or a non-zero
# status without a "not ok" is a failure; "# SKIP" results are neither
tap_count() {
	awk -v status="$2" '
	/^1\.\.0/ { skipall = 1 }
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
	/^ok / { n++; if ($0 !~ /# *(SKIP|skip|TODO)/) pass++ }
	/^not ok / { n++; if ($0 !~ /# *TODO/) fail++ }
	/^Bail out!/ { bail = 1 }
	END {
		if (n < plan) fail += plan - n
		if ((bail || status != 0) && fail == 0) fail = 1
		print pass + 0, fail + 0, skipall + 0
	}' "$1"
}

# e2e_list - the e2e tests to run: DEB_TEST_E2E, else every
# tests/e2e/t_*.sh that needs nothing from a build tree (no top_builddir)
e2e_list() {
	local t

	if [ -n "${DEB_TEST_E2E:-}" ]; then
		echo "$DEB_TEST_E2E"
		return
	fi
	for t in "$src"/tests/e2e/t_*.sh; do
		# the crash run is check.sh's (plain and ASan builds);
		# a third run here would add minutes for little
		case $t in */t_chaos.sh) continue ;; esac
		grep -q top_builddir "$t" || basename "$t"
	done
}

# run_e2e - the source tree's e2e tests against the installed programs
run_e2e() {
	local t out rc counts p f s left corpus=${PD_CORPUS:-}

	if [ -z "$corpus" ] && [ -d "$top/../shared/corpus" ]; then
		corpus=$(cd "$top/../shared/corpus" && pwd)
	fi
	for t in $(e2e_list); do
		out=$work/e2e-$t.out
		left=$((budget - SECONDS))
		if [ "$left" -lt 30 ]; then
			fail "e2e $t: not run, time budget (${budget}s) spent"
			continue
		fi
		[ "$left" -le 300 ] || left=300
		rc=0
		(cd "$src" && top_srcdir=$src top_builddir=$work/no-build \
		    PD_INSTALLED=1 PD_CORPUS=$corpus \
		    timeout "$left" bash "tests/e2e/$t") >"$out" 2>&1 || rc=$?
		counts=$(tap_count "$out" "$rc")
		read -r p f s <<<"$counts"
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$s" = 1 ] && echo " $REQUIRED_E2E " | grep -q " $t "; then
			fail "e2e $t skipped: $(grep -m1 '^1\.\.0' "$out")"
		fi
		echo "e2e $t: $p passed, $f failed"
		if [ "$f" -gt 0 ]; then
			grep -E '^(not ok|Bail out)' "$out"
			tail -15 "$out"
		fi
	done
}

# check_purge - apt-get purge leaves no state: only the system user stays
check_purge() {
	check "apt-get purge -y postdesk" \
	    timeout 120 apt-get purge -y -q postdesk || return
	installed=0
	check "package gone (not even config-files)" sh -c \
	    "! dpkg-query -W -f='\${Status}' postdesk 2>/dev/null |
	    grep -q 'installed\|config-files'"
	check "/var/lib/postdesk removed" test ! -e /var/lib/postdesk
	check "/etc/postdesk removed (conffile and key)" \
	    test ! -e /etc/postdesk
	check "no /usr/sbin/postdesk*" sh -c '! ls /usr/sbin/postdesk* 2>/dev/null'
	check "no unit or enablement link left" sh -c \
	    '! ls /lib/systemd/system/postdesk* \
	    /etc/systemd/system/*.wants/postdesk* 2>/dev/null'
	if id postdesk >/dev/null 2>&1; then
		echo "note: the system user postdesk stays (Debian practice)"
	fi
}

if [ "$(id -u)" -ne 0 ]; then
	echo "deb-test.sh: run as root (it installs packages)" >&2
	exit 1
fi
work=$(mktemp -d /tmp/hd-deb.XXXXXX) || exit 1
chmod 755 "$work"
trap finish EXIT
trap 'fail "interrupted"; finish' INT TERM
: >"$work/checks.log"

need_pkgs debhelper lintian dpkg-dev fakeroot ||
    bail "build tools installed (debhelper lintian dpkg-dev fakeroot)"
build
run_lintian
if dpkg-query -W -f='${Status}' postdesk 2>/dev/null |
    grep -q 'installed\|config-files'; then
	echo "deb-test.sh: purging the postdesk package already installed"
	timeout 120 apt-get purge -y -q postdesk >/dev/null ||
	    bail "purge of an earlier postdesk"
fi
installed=1
check "apt-get install ./$(basename "$deb")" \
    timeout 300 apt-get install -y -q "$deb" || {
	tail -20 "$work/checks.log"
	finish
}
check_install
check_reinstall
run_e2e
check_purge
[ "$failed" -eq 0 ] || { echo "--- log of the checks"; tail -30 \
    "$work/checks.log"; }
finish
