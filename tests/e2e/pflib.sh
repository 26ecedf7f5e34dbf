# pflib.sh - start and stop a private Postfix instance for tests and benchmarks
#
# PURPOSE	A sourced bash library. It builds a throw-away Postfix instance
#		under one directory, starts it on loopback ports picked at run
#		time, sends mail to it, waits for delivery and stops it again.
#		It never reads or writes /etc/postfix configuration: every
#		postfix/postconf call carries "-c DIR/etc". Used by the
#		end-to-end tests (tests/e2e/), the demo and bench/run.sh.
#
# DESIGN	pf_setup DIR [MILTER] lays out
#		  DIR/etc    main.cf, master.cf, vmailbox
#		  DIR/spool  queue_directory (Postfix creates its subdirs)
#		  DIR/data   data_directory (owned by the postfix user)
#		  DIR/mail   virtual_mailbox_base: DIR/mail/<localpart>/ is a
#		             Maildir (new/ cur/ tmp/) per recipient
#		  DIR/maillog  maillog_file, written by postlogd
#		  DIR/pf.env   the ports, for pf_use in another shell
#		  DIR/etc/sasl smtpd.conf and sasldb2 (PF_SUBMISSION=1 only)
#		Every service runs with chroot = n. Mail to a mailbox listed
#		in $PF_MAILBOXES (local parts, default "support other
#		postmaster") at example.com is delivered by virtual(8) as
#		user "nobody" into DIR/mail/<localpart>/, with a "+detail"
#		stripped, so support+x@example.com lands in
#		DIR/mail/support/. Other example.com recipients are refused
#		at RCPT time ("User unknown"); mail for any other domain is
#		bounced by the error(8) transport: a test instance never
#		talks to the outside.
#		Two smtpd listeners on 127.0.0.1:
#		  PF_PORT         the "MX": smtpd_milters = MILTER if given
#		  PF_INJECT_PORT  smtpd_milters empty (where the worker
#		                  hands its mail)
#		With PF_SUBMISSION=1 set before pf_setup, a third one,
#		  PF_SUBMISSION_PORT  the agents' submission service,
#		that takes mail only after SASL AUTH (Cyrus SASL with a
#		sasldb in DIR/etc/sasl, users added by pf_sasl_user, PLAIN
#		and LOGIN in clear text), with milter_macro_daemon_name
#		ORIGINATING and smtpd_milters = $postdesk_milter when the
#		snippet defines it, else main.cf's (MILTER, as on the MX).
#		Order of configuration: built-in settings, then every line of
#		the optional file named by $PF_MAIN_SNIPPET (postconf -e), then
#		the MILTER settings, then the submission service, then the
#		guard settings (directories, loopback only, maillog) so that
#		a snippet can never move the instance off loopback or onto
#		the system spool.
#
# API		pf_setup DIR [MILTER]	configure (stops a stale instance)
#		pf_use DIR		select an instance set up earlier
#		pf_start		start, wait until its ports answer
#		pf_stop [DIR]		stop, kill leftovers; never hangs
#		pf_send FROM TO FILE	send FILE over SMTP to PF_PORT
#		pf_send_auth LOGIN PASSWORD FROM TO FILE
#					pf_send after AUTH, to the submission
#					port (PF_SUBMISSION_PORT)
#		pf_sasl_user LOGIN PASSWORD
#					add a submission user (or a new
#					password); LOGIN is user@realm
#		pf_wait_queue_empty [S]	wait until the queue is empty
#		pf_maildir_files LOCAL	list the delivered files of LOCAL
#		pf_maildir_count LOCAL	count them
#		pf_body FILE		print the normalised body of FILE
#		pf_log			print the path of the maillog
#		pf_pids [DIR]		pids of the instance's processes
#		pf_free_ports N		print N free loopback TCP ports
#		pf_port_wait PORT S	wait until 127.0.0.1:PORT accepts
#
# LINE ENDINGS	pf_send and pf_send_auth rewrite every line ending of
#		FILE (CRLF, a lone LF or a lone CR) to CRLF and add a final
#		CRLF if the file lacks one; nothing else is changed (8-bit
#		bytes and NULs are sent as they are; smtplib does the
#		dot-stuffing). virtual(8) stores lines with LF endings, so a
#		delivered body equals the sent one after the same
#		normalisation to LF: pf_body applies exactly that
#		normalisation to either side.
#
# ERRORS	Functions return non-zero and print "pflib: ..." on stderr;
#		they never exit the calling shell themselves.
#
# REQUIRES	root, Postfix 3.4 or later (maillog_file), python3,
#		coreutils timeout, runuser; for PF_SUBMISSION, saslpasswd2
#		(sasl2-bin) and the PLAIN/LOGIN and sasldb plug-ins
#		(libsasl2-modules).
#
# SPDX-License-Identifier: MIT

# Bounds, overridable by the caller before pf_start/pf_stop.
: "${PF_START_TIMEOUT:=30}"	# seconds for "postfix start" plus ports
: "${PF_STOP_TIMEOUT:=20}"	# seconds for "postfix stop" to finish
: "${PF_SEND_TIMEOUT:=30}"	# seconds for one SMTP transaction
: "${PF_VUSER:=nobody}"		# owner of the delivered Maildirs

# pf_msg - print a diagnostic on stderr
pf_msg()
{
	printf 'pflib: %s\n' "$*" >&2
}

# pf_free_ports - print N distinct free TCP ports on 127.0.0.1, one a line
#
# Ports are drawn at random from 20000-32767, below Linux's ephemeral
# range, so the client sockets of a benchmark cannot take one between
# the moment it is picked and the moment a server binds it. A port is
# free if python3 can bind it and no other pick of the last hour on this
# machine took it: tests run in parallel ("make -j2 check"), and two of
# them picking the same free port before either binds it made one talk
# to the other's server (t_postfix_smoke's Postfix and a t_smtp sink).
# The picks are kept in $PF_PORTS_FILE (default /tmp/pd-ports.used),
# under flock; at most 200 candidates are tried.
pf_free_ports()
{
	python3 - "${1:-1}" "${PF_PORTS_FILE:-/tmp/pd-ports.used}" <<'EOF'
import fcntl, random, socket, sys, time
want, path, held = int(sys.argv[1]), sys.argv[2], []
with open(path, "a+") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    f.seek(0)
    now, recent = time.time(), {}
    for line in f:
        p, _, t = line.partition(" ")
        if p.isdigit() and now - float(t or 0) < 3600:
            recent[int(p)] = t.strip()
    for _ in range(200):
        if len(held) == want:
            break
        port = random.randint(20000, 32767)
        if port in recent:
            continue
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
            held.append(s)
            recent[port] = "%.0f" % now
        except OSError:
            s.close()
    f.seek(0)
    f.truncate()
    f.writelines("%d %s\n" % kv for kv in recent.items())
if len(held) < want:
    sys.exit("pflib: no free loopback port found")
for s in held:
    print(s.getsockname()[1])
EOF
}

# pf_port_wait - wait at most SECONDS until 127.0.0.1:PORT accepts a connection
pf_port_wait()
{
	local port=$1 secs=${2:-10} tries

	tries=$((secs * 5 + 1))
	while [ "$tries" -gt 0 ]; do
		if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" \
		    2>/dev/null; then
			return 0
		fi
		sleep 0.2
		tries=$((tries - 1))
	done
	pf_msg "nothing answers on 127.0.0.1:$port after ${secs}s"
	return 1
}

# pf_use - make DIR the current instance (PF_DIR, PF_PORT, PF_INJECT_PORT,
# and PF_SUBMISSION_PORT if DIR has a submission service)
pf_use()
{
	if [ ! -r "$1/pf.env" ]; then
		pf_msg "$1 was not set up by pf_setup"
		return 1
	fi
	unset PF_SUBMISSION_PORT
	# shellcheck disable=SC1091
	. "$1/pf.env"
	export PF_DIR PF_PORT PF_INJECT_PORT
	[ -z "${PF_SUBMISSION_PORT:-}" ] || export PF_SUBMISSION_PORT
}

# pf_pids - print the pids of every process that belongs to instance DIR
#
# Every Postfix daemon, the master included, runs with its current
# directory set to queue_directory and inherits MAIL_CONFIG from the
# postfix command; either mark identifies the instance, even after the
# master died and left orphans behind.
pf_pids()
{
	local dir=${1:-$PF_DIR}

	{
		find /proc -mindepth 2 -maxdepth 2 -name cwd \
		    -lname "$dir/spool" 2>/dev/null || true
		grep -lsxzF "MAIL_CONFIG=$dir/etc" /proc/[0-9]*/environ ||
		    true
	} | awk -F/ -v self="$$" '$3 != self { print $3 }' | sort -un
}

# pf_kill_pids - send SIGNAL to each listed pid that still exists
pf_kill_pids()
{
	local sig=$1 pid

	shift
	for pid in "$@"; do
		kill "-$sig" "$pid" 2>/dev/null || true
	done
}

# pf_stop - stop instance DIR (default: the current one), bounded
#
# "postfix stop" first; processes still there after PF_STOP_TIMEOUT
# seconds get SIGTERM, then SIGKILL. Returns 0 when no process of the
# instance is left.
pf_stop()
{
	local dir=${1:-${PF_DIR:-}} tries pids

	if [ -z "$dir" ]; then
		return 0
	fi
	if [ -r "$dir/etc/main.cf" ] && [ -r "$dir/spool/pid/master.pid" ]; then
		timeout "$PF_STOP_TIMEOUT" postfix -c "$dir/etc" stop \
		    >>"$dir/postfix.out" 2>&1 || true
	fi
	tries=$((PF_STOP_TIMEOUT * 5))
	pids=$(pf_pids "$dir")
	while [ -n "$pids" ] && [ "$tries" -gt 0 ]; do
		sleep 0.2
		tries=$((tries - 1))
		pids=$(pf_pids "$dir")
	done
	[ -z "$pids" ] && return 0
	pf_msg "killing leftover processes of $dir:" "${pids//$'\n'/ }"
	# shellcheck disable=SC2086
	pf_kill_pids TERM $pids
	sleep 1
	# shellcheck disable=SC2046
	pf_kill_pids KILL $(pf_pids "$dir")
	sleep 0.2
	pids=$(pf_pids "$dir")
	if [ -n "$pids" ]; then
		pf_msg "processes of $dir survive SIGKILL:" "${pids//$'\n'/ }"
		return 1
	fi
	return 0
}

# pf_check_reachable - fail unless USER can reach directory PATH
#
# Postfix runs as "postfix" and delivers as $PF_VUSER: both must be
# able to search every parent of DIR (mktemp -d makes 0700 dirs).
pf_check_reachable()
{
	local user=$1 path=$2

	if ! runuser -u "$user" -- test -x "$path"; then
		pf_msg "user $user cannot reach $path (check parent modes)"
		return 1
	fi
}

# pf_write_main_cf - write DIR/etc/main.cf with the built-in settings
pf_write_main_cf()
{
	local dir=$1 vuid vgid

	vuid=$(id -u "$PF_VUSER")
	vgid=$(id -g "$PF_VUSER")
	cat >"$dir/etc/main.cf" <<EOF
# Private test instance written by tests/e2e/pflib.sh. Do not edit:
# pf_setup rewrites it.
compatibility_level = 3.6
myhostname = mx.example.com
mydomain = example.com
myorigin = \$myhostname
mydestination =
relay_domains =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
biff = no
append_dot_mydomain = no
smtpd_banner = \$myhostname ESMTP postdesk test instance
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
# Nothing leaves this instance: other domains bounce at once.
default_transport = error:5.7.1 private test instance, no outside delivery
relay_transport = \$default_transport
# Retry soon if a delivery was deferred, so bounded waits make sense.
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
delay_warning_time = 0
# Delivery: every @example.com recipient gets DIR/mail/<localpart>/.
recipient_delimiter = +
virtual_mailbox_domains = example.com
virtual_mailbox_base = $dir/mail
virtual_mailbox_maps = texthash:$dir/etc/vmailbox
virtual_uid_maps = static:$vuid
virtual_gid_maps = static:$vgid
EOF
}

# pf_write_vmailbox - write the texthash table of mailboxes ($PF_MAILBOXES)
#
# One line per local part: "support@example.com support/" (the trailing
# "/" selects Maildir). Postfix forbids $1 substitution in a regexp
# virtual_mailbox_maps (it skips such rules with a warning), so the
# mailboxes are listed; virtual(8) itself strips a "+detail" (it looks
# up support+x@example.com, then support@example.com). A recipient not
# listed is refused at RCPT time with "User unknown". Only characters
# safe in a directory name are accepted.
pf_write_vmailbox()
{
	local dir=$1 box

	: >"$dir/etc/vmailbox" || return 1
	for box in ${PF_MAILBOXES:-support other postmaster}; do
		case $box in
		[a-z0-9_]*) ;;
		*) pf_msg "bad mailbox name '$box'"; return 1 ;;
		esac
		case $box in
		*[!a-z0-9._-]*) pf_msg "bad mailbox name '$box'"; return 1 ;;
		esac
		printf '%s@example.com\t%s/\n' "$box" "$box" \
		    >>"$dir/etc/vmailbox"
	done
}

# pf_write_master_cf - write DIR/etc/master.cf: two smtpd, chroot n
pf_write_master_cf()
{
	local dir=$1 port=$2 inject=$3 inject_milters=

	# PF_INJECT_MILTER=1: postdesk in relay mode on the inject service,
	# as config/postfix/master.cf.snippet ships it.
	if [ "${PF_INJECT_MILTER:-0}" = 1 ]; then
		inject_milters='$postdesk_milter
  -o milter_macro_daemon_name=POSTDESK-INJECT'
	fi
	cat >"$dir/etc/master.cf" <<EOF
# Private test instance written by tests/e2e/pflib.sh. chroot = n
# everywhere, loopback listeners only.
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$port inet n - n - - smtpd
127.0.0.1:$inject inet n - n - - smtpd
  -o syslog_name=postfix/inject
  -o smtpd_milters=$inject_milters
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# pf_snippet_lines - print FILE's settings one per line, continuations joined
pf_snippet_lines()
{
	awk '
	/^[ \t]*#/ || /^[ \t]*$/ { next }
	/^[ \t]/ { sub(/^[ \t]+/, " "); line = line $0; next }
	{ if (line != "") print line; line = $0 }
	END { if (line != "") print line }
	' "$1"
}

# pf_apply_snippet - apply every setting of $PF_MAIN_SNIPPET, if set
pf_apply_snippet()
{
	local dir=$1 line

	[ -n "${PF_MAIN_SNIPPET:-}" ] || return 0
	if [ ! -r "$PF_MAIN_SNIPPET" ]; then
		pf_msg "cannot read PF_MAIN_SNIPPET=$PF_MAIN_SNIPPET"
		return 1
	fi
	while IFS= read -r line; do
		postconf -c "$dir/etc" -e "$line" || return 1
	done <<EOF
$(pf_snippet_lines "$PF_MAIN_SNIPPET")
EOF
}

# pf_apply_milter - attach MILTER (Postfix syntax) to the main smtpd
pf_apply_milter()
{
	local dir=$1 milter=$2

	[ -n "$milter" ] || return 0
	postconf -c "$dir/etc" -e \
	    "smtpd_milters = $milter" \
	    "milter_default_action = accept" \
	    "milter_protocol = 6" \
	    "milter_connect_timeout = 10s" \
	    "milter_command_timeout = 10s" \
	    "milter_content_timeout = 20s"
}

# pf_sasl_dir - write DIR/etc/sasl: Cyrus SASL's smtpd.conf for a sasldb
#
# The directory is config_directory/sasl because Debian's Postfix reads
# smtpd.conf (named after smtpd_sasl_path) from there whatever
# cyrus_sasl_config_path says; the service sets that parameter to the
# same place for builds that honour it. smtpd(8) reads both files
# itself, outside any chroot, as root at start and as the postfix user
# at AUTH time: they are root-owned (postfix check wants that in
# config_directory) and readable by group postfix. The database is
# created by the first pf_sasl_user; until then every AUTH fails.
pf_sasl_dir()
{
	local sasl=$1/etc/sasl

	mkdir -m 0750 "$sasl" && chgrp postfix "$sasl" || return 1
	cat >"$sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $sasl/sasldb2
mech_list: PLAIN LOGIN
EOF
	chgrp postfix "$sasl/smtpd.conf" && chmod 0640 "$sasl/smtpd.conf"
}

# pf_apply_submission - with PF_SUBMISSION=1, add the submission service
#
# Appended to master.cf after the snippet and MILTER are applied, so it
# can see whether main.cf defines $postdesk_milter: if it does, the
# service runs that milter, as config/postfix/master.cf.snippet ships
# it; if not, it keeps main.cf's smtpd_milters like the MX service.
# Client, relay and recipient restrictions all come down to
# "authenticated or rejected": mynetworks (loopback) grants nothing
# here. No TLS, so that PLAIN and LOGIN are offered in clear text.
pf_apply_submission()
{
	local dir=$1 port=$2 milters=

	[ "${PF_SUBMISSION:-0}" = 1 ] || return 0
	pf_sasl_dir "$dir" || return 1
	if grep -qs '^[[:space:]]*postdesk_milter[[:space:]]*=' \
	    "$dir/etc/main.cf"; then
		# shellcheck disable=SC2016
		milters='
  -o smtpd_milters=$postdesk_milter'
	fi
	cat >>"$dir/etc/master.cf" <<EOF
127.0.0.1:$port inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=none
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=cyrus
  -o smtpd_sasl_path=smtpd
  -o cyrus_sasl_config_path=$dir/etc/sasl
  -o smtpd_sasl_security_options=noanonymous
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
  -o milter_macro_daemon_name=ORIGINATING$milters
EOF
}

# pf_apply_guards - settings no snippet may override
pf_apply_guards()
{
	local dir=$1

	postconf -c "$dir/etc" -e \
	    "config_directory = $dir/etc" \
	    "queue_directory = $dir/spool" \
	    "data_directory = $dir/data" \
	    "inet_interfaces = 127.0.0.1" \
	    "inet_protocols = ipv4" \
	    "maillog_file = $dir/maillog" \
	    "maillog_file_prefixes = $dir"
}

# pf_dir_ok - refuse a DIR whose etc/ pflib did not write (or "/")
#
# pf_setup wipes DIR/etc, DIR/spool, DIR/data and DIR/mail: this guard
# keeps a mistyped DIR from costing a real directory.
pf_dir_ok()
{
	local dir=$1

	if [ "$dir" = / ]; then
		pf_msg "refusing to use / as an instance directory"
		return 1
	fi
	if [ -e "$dir/etc" ] &&
	    ! grep -qs 'written by tests/e2e/pflib.sh' "$dir/etc/main.cf"
	then
		pf_msg "$dir/etc exists and was not written by pflib: refusing"
		return 1
	fi
}

# pf_make_dirs - create DIR's layout with the ownerships Postfix wants
#
# Anything a previous run left in etc, spool, data and mail is removed.
# Postfix's own "create-missing" step (run by "postfix start") creates
# the queue subdirectories; data_directory must belong to the postfix
# user and the Maildir base to the delivery user.
pf_make_dirs()
{
	local dir=$1

	rm -rf "${dir:?}/etc" "$dir/spool" "$dir/data" "$dir/mail" \
	    "$dir/maillog" "$dir/postfix.out" "$dir/pf.env"
	mkdir -p "$dir/etc" "$dir/spool" "$dir/data" "$dir/mail" || return 1
	chmod 0755 "$dir" "$dir/etc" "$dir/spool" || return 1
	chown postfix: "$dir/data" && chmod 0700 "$dir/data" || return 1
	chown "$PF_VUSER": "$dir/mail" && chmod 0755 "$dir/mail" || return 1
	pf_check_reachable postfix "$dir/spool" &&
	    pf_check_reachable "$PF_VUSER" "$dir/mail"
}

# pf_setup - configure a private instance in DIR, optionally with MILTER
#
# DIR is created if needed. A stale instance running from DIR is
# stopped first. Exports PF_DIR, PF_PORT and PF_INJECT_PORT and also
# records them in DIR/pf.env; with PF_SUBMISSION=1, PF_SUBMISSION_PORT
# too (it is unset otherwise).
pf_setup()
{
	local dir milter=${2:-} ports nports=2

	if [ "$(id -u)" != 0 ]; then
		pf_msg "a private Postfix instance needs root"
		return 1
	fi
	mkdir -p "$1" && dir=$(cd "$1" && pwd -P) || return 1
	pf_dir_ok "$dir" || return 1
	pf_stop "$dir" || return 1
	pf_make_dirs "$dir" || return 1
	[ "${PF_SUBMISSION:-0}" != 1 ] || nports=3
	ports=$(pf_free_ports "$nports") || return 1
	PF_DIR=$dir
	# PF_WANT_PORT fixes the main port (the demo's 127.0.0.1:2525).
	PF_PORT=${PF_WANT_PORT:-$(echo "$ports" | sed -n 1p)}
	PF_INJECT_PORT=$(echo "$ports" | sed -n 2p)
	export PF_DIR PF_PORT PF_INJECT_PORT
	unset PF_SUBMISSION_PORT
	if [ "$nports" = 3 ]; then
		PF_SUBMISSION_PORT=$(echo "$ports" | sed -n 3p)
		export PF_SUBMISSION_PORT
	fi
	pf_write_main_cf "$dir" &&
	    pf_write_vmailbox "$dir" &&
	    pf_write_master_cf "$dir" "$PF_PORT" "$PF_INJECT_PORT" &&
	    pf_apply_snippet "$dir" &&
	    pf_apply_milter "$dir" "$milter" &&
	    pf_apply_submission "$dir" "${PF_SUBMISSION_PORT:-}" &&
	    pf_apply_guards "$dir" || return 1
	printf 'PF_DIR=%s\nPF_PORT=%s\nPF_INJECT_PORT=%s\n' \
	    "$PF_DIR" "$PF_PORT" "$PF_INJECT_PORT" >"$dir/pf.env"
	if [ "$nports" = 3 ]; then
		printf 'PF_SUBMISSION_PORT=%s\n' "$PF_SUBMISSION_PORT" \
		    >>"$dir/pf.env"
	fi
}

# pf_start - start the current instance; wait until its ports answer
pf_start()
{
	local dir=${PF_DIR:?pf_setup first}

	if ! timeout "$PF_START_TIMEOUT" postfix -c "$dir/etc" start \
	    >>"$dir/postfix.out" 2>&1; then
		pf_msg "postfix start failed for $dir:"
		tail -n 20 "$dir/postfix.out" >&2
		return 1
	fi
	pf_port_wait "$PF_PORT" "$PF_START_TIMEOUT" &&
	    pf_port_wait "$PF_INJECT_PORT" "$PF_START_TIMEOUT" || return 1
	[ -z "${PF_SUBMISSION_PORT:-}" ] ||
	    pf_port_wait "$PF_SUBMISSION_PORT" "$PF_START_TIMEOUT"
}

# pf_smtp_send - one SMTP transaction for pf_send and pf_send_auth
#
# Arguments: NAME (for messages) PORT FROM TO FILE LOGIN PASSWORD. With
# a non-empty LOGIN, AUTH comes first; the password reaches python3 in
# its environment, not on its command line.
pf_smtp_send()
{
	local name=$1 port=$2 from=$3 to=$4 file=$5 login=$6 password=$7

	PF_SMTP_PASSWORD=$password timeout "$PF_SEND_TIMEOUT" python3 - \
	    "$name" "$from" "$to" "$file" "$port" "$login" <<'EOF'
import os, re, smtplib, sys
name, sender, rcpts, path, port, login = sys.argv[1:7]
with open(path, "rb") as f:
    data = f.read()
data = re.sub(rb"\r\n|\r|\n", b"\r\n", data)
if not data.endswith(b"\r\n"):
    data += b"\r\n"
try:
    with smtplib.SMTP("127.0.0.1", int(port), "client.example",
                      timeout=25) as s:
        if login:
            s.login(login, os.environ["PF_SMTP_PASSWORD"])
        refused = s.sendmail(sender, rcpts.split(","), data)
except (smtplib.SMTPException, OSError) as e:
    sys.exit("pflib: %s: %s" % (name, e))
if refused:
    sys.exit("pflib: %s: refused %r" % (name, refused))
EOF
}

# pf_send - send message FILE from FROM to TO (comma list) via PF_PORT
#
# Exit status 0 only if the server accepted every recipient and
# answered 250 to the end of data. Set PF_SEND_PORT to use another port.
pf_send()
{
	local port=${PF_SEND_PORT:-${PF_PORT:?pf_setup first}}

	if [ $# -ne 3 ] || [ ! -r "$3" ]; then
		pf_msg "usage: pf_send FROM TO FILE (readable)"
		return 2
	fi
	pf_smtp_send pf_send "$port" "$1" "$2" "$3" "" ""
}

# pf_send_auth - pf_send after AUTH as LOGIN with PASSWORD
#
# Usage: pf_send_auth LOGIN PASSWORD FROM TO FILE. Goes to
# PF_SUBMISSION_PORT (PF_SEND_PORT overrides). Exit status 0 only if
# the server accepted the login, every recipient and the data; a
# refused login or recipient is a non-zero status and a "pflib:" line.
pf_send_auth()
{
	local port=${PF_SEND_PORT:-${PF_SUBMISSION_PORT:-}}

	if [ -z "$port" ]; then
		pf_msg "pf_send_auth: no submission port (PF_SUBMISSION=1)"
		return 2
	fi
	if [ $# -ne 5 ] || [ -z "$1" ] || [ ! -r "$5" ]; then
		pf_msg "usage: pf_send_auth LOGIN PASSWORD FROM TO FILE"
		return 2
	fi
	pf_smtp_send pf_send_auth "$port" "$3" "$4" "$5" "$1" "$2"
}

# pf_sasl_user - add LOGIN with PASSWORD to the submission's sasldb
#
# Usage: pf_sasl_user LOGIN PASSWORD, after pf_setup with PF_SUBMISSION=1,
# before or after pf_start (smtpd opens the database at each AUTH). An
# existing LOGIN gets the new password. LOGIN must be "user@realm", such
# as an agent's address: sasldb keys users by realm, and a name without
# one would be looked up in a realm derived from the host name. The
# client then sends LOGIN as it is and smtpd logs sasl_username=LOGIN.
pf_sasl_user()
{
	local dir=${PF_DIR:?pf_setup first} db

	db=$dir/etc/sasl/sasldb2
	if [ $# -ne 2 ] || [ -z "$2" ]; then
		pf_msg "usage: pf_sasl_user LOGIN PASSWORD"
		return 2
	fi
	case $1 in
	?*@?*) ;;
	*) pf_msg "pf_sasl_user: LOGIN '$1' is not user@realm"; return 2 ;;
	esac
	if [ ! -r "$dir/etc/sasl/smtpd.conf" ]; then
		pf_msg "pf_sasl_user: no submission service in $dir"
		return 1
	fi
	printf '%s' "$2" |
	    saslpasswd2 -p -c -f "$db" -u "${1##*@}" "${1%@*}" &&
	    chgrp postfix "$db" && chmod 0640 "$db"
}

# pf_body - print the body of message FILE, line endings normalised to LF
#
# The body is everything after the first empty line; a file without
# one has an empty body. Same normalisation as pf_send.
pf_body()
{
	python3 - "$1" <<'EOF'
import re, sys
with open(sys.argv[1], "rb") as f:
    data = re.sub(rb"\r\n|\r|\n", b"\n", f.read())
if not data.endswith(b"\n"):
    data += b"\n"
head, sep, body = data.partition(b"\n\n")
if data.startswith(b"\n"):
    body = data[1:]
sys.stdout.buffer.write(body)
EOF
}

# pf_queue_count - print how many messages are in the current queue
#
# Counts queue files in maildrop, incoming, active and deferred: a file
# is in one of them from the moment cleanup(8) creates it until the last
# recipient is delivered or bounced. The hold queue is not counted.
pf_queue_count()
{
	local q=${PF_DIR:?pf_setup first}/spool

	find "$q/maildrop" "$q/incoming" "$q/active" "$q/deferred" \
	    -type f 2>/dev/null | wc -l
}

# pf_wait_queue_empty - wait at most SECONDS (30) until the queue is empty
pf_wait_queue_empty()
{
	local secs=${1:-30} tries n

	tries=$((secs * 10))
	n=$(pf_queue_count)
	while [ "$n" -gt 0 ] && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
		n=$(pf_queue_count)
	done
	if [ "$n" -gt 0 ]; then
		pf_msg "$n message(s) still queued after ${secs}s"
		return 1
	fi
}

# pf_maildir_files - list the delivered files of LOCALPART, one a line
pf_maildir_files()
{
	local md=${PF_DIR:?pf_setup first}/mail/$1

	find "$md/new" "$md/cur" -type f 2>/dev/null | sort
}

# pf_maildir_count - print how many messages LOCALPART has received
pf_maildir_count()
{
	pf_maildir_files "$1" | wc -l
}

# pf_log - print the path of the current instance's maillog
pf_log()
{
	echo "${PF_DIR:?pf_setup first}/maillog"
}
