# muttlib.sh - drive a real mutt as a support agent would
#
# PURPOSE	A sourced bash library for the end-to-end tests: an agent
#		answers a ticket from mutt (Debian's package, the real
#		program, not a look-alike) through the SASL submission
#		service of pflib.sh (PF_SUBMISSION=1). It checks what a
#		real mail client puts on the wire: In-Reply-To, References,
#		"Reply all" recipients, MIME, the quoted original.
#
# DESIGN	Each call writes a private muttrc, an editor script and a
#		tmux configuration into a fresh directory (MUTT_DIR) and
#		runs "mutt -n -F muttrc": no system or user configuration,
#		HOME pointing at MUTT_DIR, no header cache, no copy of sent
#		mail, SMTP with AUTH and without TLS to 127.0.0.1.
#		mutt_reply runs mutt in a detached tmux session of 120x40
#		cells on its own tmux server (socket MUTT_DIR/tmux.sock), so
#		it needs no terminal: tmux is the terminal. It types keys
#		with "tmux send-keys" and, before each step, waits until
#		the screen shows the state the step needs, reading it with
#		"tmux capture-pane". The status lines carry fixed markers
#		(status_format "pdmutt-index ... shown=N", compose_format
#		"pdmutt-compose") so the waits do not depend on mutt's
#		default layout. The steps:
#		  1. index shown      "l" + pattern + Enter (limit)
#		  2. one message left "r" (reply) or "g" (group reply)
#		  3. mutt runs $editor, which puts TEXT-FILE above the
#		     attribution line and the quoted original
#		  4. compose menu     "y" (send)
#		  5. "Mail sent."     "x" (exit without touching the
#		     Maildir: no flags are written back)
#		mutt_send uses mutt's batch mode (no tmux).
#
# API		mutt_reply MAILDIR MATCH TEXT-FILE LOGIN PASSWORD FROM [group]
#		    reply to the one message of MAILDIR that MATCH selects;
#		    "group" answers all recipients ("Reply all"). MATCH is
#		      <id@host>  a Message-ID, angle brackets included
#		      ~... =... a mutt pattern, used as it is
#		      other      a part of the Subject (a fixed string)
#		    LOGIN/PASSWORD: the SASL account; FROM: "addr" or
#		    "Name <addr>". Returns 0 once mutt shows "Mail sent."
#		    (the server has answered 250 to the data).
#		mutt_send TEXT-FILE LOGIN PASSWORD FROM SUBJECT RCPT...
#		    a new message with TEXT-FILE as body, batch mode
#		mutt_cleanup
#		    end a mutt_reply that was interrupted (for EXIT traps):
#		    kills its tmux server and mutt, removes MUTT_DIR
#
# ENV		PF_SUBMISSION_PORT (pflib) or MUTT_SMTP_PORT: the server.
#		MUTT_TIMEOUT: bound in seconds for one call (default 45:
#		20 s was once too short for a whole reply against the ASan
#		build's milter in CI, with another test running beside it).
#		PD_KEEP_TMP=1 keeps MUTT_DIR.
#
# BOUNDS	Every wait of mutt_reply ends at the call's deadline,
#		MUTT_TIMEOUT seconds after it started; quitting mutt and
#		cleaning up add at most 6 s. mutt_send runs under timeout(1).
#		One call at a time per shell (MUTT_DIR is global, so that
#		mutt_cleanup can find it).
#
# ERRORS	Functions return non-zero and print "muttlib: ..." on
#		stderr; on a failed mutt_reply the screen mutt showed is
#		printed there too, so a CI log has it.
#
# REQUIRES	bash, mutt (built with SMTP and SASL, as Debian's is),
#		tmux 3, python3, coreutils timeout.
#
# SPDX-License-Identifier: MIT

: "${MUTT_TIMEOUT:=45}"
MUTT_DIR=
MUTT_PANE_PID=
MUTT_DEADLINE=0
MUTT_WHY=

# mutt_msg - print a diagnostic on stderr
mutt_msg()
{
	printf 'muttlib: %s\n' "$*" >&2
}

# mutt_quote - print VALUE as a double-quoted muttrc string
#
# Inside double quotes muttrc expands backslash escapes, $variables and
# `commands`; a backslash before \, ", $ and ` keeps each of them literal.
mutt_quote()
{
	local v=$1

	v=${v//\\/\\\\}
	v=${v//\"/\\\"}
	v=${v//\$/\\\$}
	v=${v//\`/\\\`}
	printf '"%s"' "$v"
}

# mutt_write_rc DIR LOGIN PASSWORD FROM [MAILDIR] - write DIR/muttrc
#
# FROM is "addr" or "Name <addr>"; the domain of addr becomes $hostname,
# the right-hand side of mutt's Message-IDs. The login goes into
# smtp_url percent-encoded (an agent's login is an address, with "@").
mutt_write_rc()
{
	local dir=$1 login=$2 password=$3 from=$4 maildir=${5:-} addr
	local name='' port=${MUTT_SMTP_PORT:-${PF_SUBMISSION_PORT:-}} ulogin
	local re='^"?([^"]*[^"[:space:]])"?[[:space:]]*<([^<>]+)>$'

	if [ -z "$port" ]; then
		mutt_msg "no submission port (PF_SUBMISSION_PORT)"
		return 1
	fi
	addr=$from
	if [[ $from =~ $re ]]; then
		name=${BASH_REMATCH[1]}
		addr=${BASH_REMATCH[2]}
	fi
	ulogin=$(python3 -c 'import sys, urllib.parse
print(urllib.parse.quote(sys.argv[1], safe=""))' "$login") || return 1
	{
		echo "# Written by tests/e2e/muttlib.sh for one run."
		if [ -n "$maildir" ]; then
			echo "set folder=$(mutt_quote "$maildir")"
			echo "set spoolfile=$(mutt_quote "$maildir")"
		fi
		echo "set mbox_type=Maildir"
		echo "set from=$(mutt_quote "$addr")"
		echo "set realname=$(mutt_quote "$name")"
		echo "set hostname=$(mutt_quote "${addr##*@}")"
		echo "set use_from=yes"
		echo "set envelope_from=yes"
		echo "set smtp_url=$(mutt_quote \
		    "smtp://$ulogin@127.0.0.1:$port/")"
		echo "set smtp_pass=$(mutt_quote "$password")"
		echo "set ssl_starttls=no"
		echo "set ssl_force_tls=no"
		echo "set header_cache=\"\""
		echo "set editor=$(mutt_quote "$dir/edit")"
		echo "set tmpdir=$(mutt_quote "$dir")"
		echo "set postponed=$(mutt_quote "$dir/postponed")"
		echo "set mbox=$(mutt_quote "$dir/mbox")"
		echo "set signature=\"\""
		cat <<'EOF'
set fast_reply=yes
set include=yes
set reply_to=yes
set honor_followup_to=yes
set abort_unmodified=yes
set recall=no
unset confirmappend
set sendmail_wait=0
set copy=no
set record=""
set move=no
set quit=yes
set wait_key=no
set beep=no
set sleep_time=0
set user_agent=no
set charset=utf-8
set send_charset="us-ascii:utf-8"
set status_format="-- pdmutt-index msgs=%m shown=%M %?V?limit=%V?"
set compose_format="-- pdmutt-compose --"
EOF
	} >"$dir/muttrc"
}

# mutt_write_editor DIR TEXT-FILE - write DIR/edit, mutt's $editor
#
# mutt calls it with the reply's body file: the attribution line and
# the quoted original. It writes TEXT-FILE's content, a final newline if
# TEXT-FILE lacks one, an empty line, then that body, and leaves a mark
# (DIR/edited) for the diagnostics.
mutt_write_editor()
{
	local dir=$1 text=$2

	cat >"$dir/edit" <<EOF
#!/bin/bash
# Written by tests/e2e/muttlib.sh: TEXT-FILE above mutt's reply body.
text=$(printf '%q' "$text")
{
	cat "\$text"
	[ -z "\$(tail -c 1 "\$text")" ] || echo
	echo
	cat "\$1"
} >"\$1.pd" && cat "\$1.pd" >"\$1" && rm -f "\$1.pd" &&
    : >$(printf '%q' "$dir/edited")
EOF
	chmod 0755 "$dir/edit"
}

# mutt_newdir - create MUTT_DIR with the muttrc, the editor and tmux.conf
mutt_newdir()
{
	local text=$1 login=$2 password=$3 from=$4 maildir=${5:-}

	MUTT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pd-mutt.XXXXXX") || return 1
	mutt_write_rc "$MUTT_DIR" "$login" "$password" "$from" "$maildir" &&
	    mutt_write_editor "$MUTT_DIR" "$text" || return 1
	# The pane stays after mutt exits, so a crash can still be shown.
	printf '%s\n' 'set -g default-terminal screen' \
	    'set -g default-shell /bin/sh' 'set -g remain-on-exit on' \
	    'set -g history-limit 0' >"$MUTT_DIR/tmux.conf"
}

# mutt_tmux ARGS... - tmux on this library's own server
mutt_tmux()
{
	env -u TMUX tmux -S "$MUTT_DIR/tmux.sock" "$@"
}

# mutt_screen - print what the pane shows now
mutt_screen()
{
	mutt_tmux capture-pane -p -t pdmutt 2>/dev/null
}

# mutt_wait WHAT REGEX [FAIL-REGEX] - wait until the screen matches REGEX
#
# REGEX (ERE) is tried on the whole screen, FAIL-REGEX only on its last
# line, where mutt shows its messages (a subject in the index must not
# look like an error). Returns 1 with MUTT_WHY set when FAIL-REGEX
# matches, when mutt has exited or at the deadline.
mutt_wait()
{
	local what=$1 want=$2 bad=${3:-} screen

	while [ "$SECONDS" -le "$MUTT_DEADLINE" ]; do
		screen=$(mutt_screen) || break
		if grep -Eq -- "$want" <<<"$screen"; then
			return 0
		fi
		if [ -n "$bad" ] &&
		    sed -n '$p' <<<"$screen" | grep -Eiq -- "$bad"; then
			MUTT_WHY="mutt reports an error while waiting for $what"
			return 1
		fi
		if [ "$(mutt_tmux display -p -t pdmutt '#{pane_dead}')" = 1 ]
		then
			MUTT_WHY="mutt exited while waiting for $what"
			return 1
		fi
		sleep 0.1
	done
	MUTT_WHY="no $what after ${MUTT_TIMEOUT}s"
	return 1
}

# mutt_wait_exit - wait (at most 5 s) until mutt has exited
mutt_wait_exit()
{
	local i

	for i in $(seq 1 50); do
		[ "$(mutt_tmux display -p -t pdmutt '#{pane_dead}' \
		    2>/dev/null)" != 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# mutt_keys ARGS... - send-keys to the pane (-l ARG: literal text)
mutt_keys()
{
	mutt_tmux send-keys -t pdmutt "$@"
}

# mutt_pattern MATCH - print the limit pattern for MATCH (see API)
mutt_pattern()
{
	local m=$1

	case $m in
	'~'* | '='*) printf '%s' "$m"; return ;;
	esac
	m=${m//\\/\\\\}
	m=${m//\"/\\\"}
	case $1 in
	'<'*'>') printf '=i "%s"' "$m" ;;
	*) printf '=s "%s"' "$m" ;;
	esac
}

# mutt_cleanup - kill our tmux server and mutt, remove MUTT_DIR
#
# Only the server behind MUTT_DIR/tmux.sock and the pane's process (the
# mutt this library started) are touched. Safe to call twice.
mutt_cleanup()
{
	local i

	[ -n "$MUTT_DIR" ] || return 0
	if [ -S "$MUTT_DIR/tmux.sock" ]; then
		mutt_tmux kill-server 2>/dev/null || true
	fi
	if [ -n "$MUTT_PANE_PID" ]; then
		for i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$MUTT_PANE_PID" 2>/dev/null || break
			[ "$i" != 5 ] || kill -TERM "$MUTT_PANE_PID" 2>/dev/null
			sleep 0.1
		done
		kill -KILL "$MUTT_PANE_PID" 2>/dev/null || true
	fi
	if [ -z "${PD_KEEP_TMP:-}" ]; then
		rm -rf "$MUTT_DIR"
	else
		mutt_msg "kept $MUTT_DIR"
	fi
	MUTT_DIR=
	MUTT_PANE_PID=
}

# mutt_fail - report MUTT_WHY and the screen, clean up, return 1
mutt_fail()
{
	mutt_msg "mutt_reply: $MUTT_WHY$([ -e "$MUTT_DIR/edited" ] &&
	    echo ' (the editor ran)'); the screen was:"
	mutt_screen | sed -e 's/[[:space:]]*$//' -e '/^$/d' \
	    -e 's/^/muttlib: | /' >&2
	mutt_cleanup
	return 1
}

# mutt_start MAILDIR - start mutt on MAILDIR in a detached tmux session
mutt_start()
{
	local cmd

	cmd="exec env HOME=$(printf '%q' "$MUTT_DIR") LC_ALL=C.UTF-8"
	cmd="$cmd mutt -n -F $(printf '%q' "$MUTT_DIR/muttrc")"
	cmd="$cmd -f $(printf '%q' "$1")"
	# tmux wants a TERM and a UTF-8 locale even for a detached session.
	if ! env -u TMUX TERM="${TERM:-screen}" LC_ALL=C.UTF-8 \
	    tmux -S "$MUTT_DIR/tmux.sock" -f "$MUTT_DIR/tmux.conf" \
	    new-session -d -s pdmutt -x 120 -y 40 "$cmd"; then
		mutt_msg "mutt_reply: tmux did not start"
		mutt_cleanup
		return 1
	fi
	MUTT_PANE_PID=$(mutt_tmux display -p -t pdmutt '#{pane_pid}')
}

# mutt_reply - see API; the steps are listed under DESIGN
mutt_reply()
{
	local maildir match=$2 text key=r errors shown
	local limited='pdmutt-index msgs=[0-9]+ shown=([0-9]+) limit='
	local modified='^Attachment #1 modified\. Update encoding'

	case $#:${7:-} in
	6: | 7:group) ;;
	*) set -- ;;
	esac
	if [ $# -lt 6 ] || [ ! -d "$1/cur" ] || [ ! -r "$3" ]; then
		mutt_msg "usage: mutt_reply MAILDIR MATCH TEXT-FILE LOGIN" \
		    "PASSWORD FROM [group] (MAILDIR a Maildir, TEXT readable)"
		return 2
	fi
	[ "${7:-}" != group ] || key=g
	# mutt and the editor do not run in this directory.
	maildir=$(realpath -e -- "$1") && text=$(realpath -e -- "$3") ||
	    return 2
	if [[ $match =~ [[:cntrl:]] ]]; then
		mutt_msg "mutt_reply: control character in MATCH"
		return 2
	fi
	mutt_cleanup
	MUTT_DEADLINE=$((SECONDS + MUTT_TIMEOUT))
	errors='failed|could not|error|not sent|abort|no authenticators'
	mutt_newdir "$text" "$4" "$5" "$6" "$maildir" || {
		mutt_cleanup
		return 1
	}
	mutt_start "$maildir" || return 1
	mutt_wait "index" 'pdmutt-index msgs=' || { mutt_fail; return 1; }
	mutt_keys l
	mutt_wait "limit prompt" '^Limit to messages matching:' ||
	    { mutt_fail; return 1; }
	mutt_keys -l "$(mutt_pattern "$match")"
	mutt_keys Enter
	mutt_wait "limited index" "$limited" 'no messages matched' ||
	    { mutt_fail; return 1; }
	shown=$(mutt_screen | sed -En "s/.*$limited.*/\\1/p")
	if [ "$shown" != 1 ]; then
		MUTT_WHY="$(mutt_pattern "$match") selects $shown messages"
		mutt_fail
		return 1
	fi
	mutt_keys "$key"
	mutt_wait "compose menu" 'pdmutt-compose' "$errors" ||
	    { mutt_fail; return 1; }
	mutt_keys y
	mutt_wait '"Mail sent."' "^Mail sent\\.|$modified" "$errors" ||
	    { mutt_fail; return 1; }
	if mutt_screen | sed -n '$p' | grep -Eq "$modified"; then
		# mutt thinks the body changed after it last looked (seen
		# once in many runs): answer "yes" once, as a user would.
		mutt_keys y
		mutt_wait '"Mail sent."' '^Mail sent\.' "$errors" ||
		    { mutt_fail; return 1; }
	fi
	mutt_keys x
	mutt_wait_exit
	mutt_cleanup
}

# mutt_send - see API: a new message through mutt's batch mode
mutt_send()
{
	local text=$1 status=0

	if [ $# -lt 6 ] || [ ! -r "$1" ]; then
		mutt_msg "usage: mutt_send TEXT-FILE LOGIN PASSWORD FROM" \
		    "SUBJECT RCPT..."
		return 2
	fi
	mutt_cleanup
	mutt_newdir "$text" "$2" "$3" "$4" || { mutt_cleanup; return 1; }
	env HOME="$MUTT_DIR" LC_ALL=C.UTF-8 timeout "$MUTT_TIMEOUT" \
	    mutt -n -F "$MUTT_DIR/muttrc" -s "$5" -- "${@:6}" <"$text" \
	    >"$MUTT_DIR/out" 2>&1 || status=$?
	if [ "$status" != 0 ]; then
		mutt_msg "mutt_send: mutt exited with status $status:"
		sed 's/^/muttlib: | /' "$MUTT_DIR/out" >&2
	fi
	mutt_cleanup
	return "$status"
}
