#!/bin/sh
# install-deps.sh - install every Debian 12 package postdesk needs to build,
# run its demo and run its tests.  Run as root.  Safe to run again.
set -eu

PACKAGES="build-essential autoconf automake pkg-config
	libglib2.0-dev libgmime-3.0-dev libsqlite3-dev libsodium-dev
	libmilter-dev libetpan-dev
	postfix sqlite3 python3 swaks miltertest tzdata
	sasl2-bin libsasl2-modules mutt tmux
	man-db groff-base procps iproute2
	mandoc systemd
	chromium fonts-dejavu-core"
# chromium, fonts-dejavu-core: tests/unit/digest_chromium.sh screenshots
# the HTML SLA digest at a phone's width (headless, no X server).
# clang-14 and libclang-rt-14-dev (libFuzzer and the sanitizer runtimes)
# build the targets of scripts/fuzz.sh; llvm-14 has llvm-symbolizer.
PACKAGES="$PACKAGES clang-14 libclang-rt-14-dev llvm-14"

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (it calls apt-get)" >&2
	exit 1
fi
missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps.sh: all packages present"
	exit 0
fi
echo "install-deps.sh: installing$missing"
# Postfix must not ask questions nor start a system instance for us.
echo "postfix postfix/main_mailer_type select No configuration" |
    debconf-set-selections
echo "postfix postfix/mailname string localhost" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
