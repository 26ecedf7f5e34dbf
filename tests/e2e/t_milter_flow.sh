#!/bin/bash
# t_milter_flow.sh - the tagging milter end to end through a real Postfix
#
# PURPOSE	Mail to support@ through a private Postfix with postdesk-milter
#		attached by the shipped main.cf lines: a new message is tagged
#		and recorded; a reply with the tag, and one whose client kept
#		only References, join the ticket; a forged tag opens a new
#		one; mail for other addresses is untouched; one transaction
#		to two support addresses opens one ticket; sender-supplied
#		X-Postdesk headers are replaced; an encoded CR LF in a Subject
#		cannot create a header; a KOI8-R subject keeps decoding; log
#		lines carry Postfix's queue id.  Headers are read back with
#		Python's email package (tests/e2e/mailcheck.py), not our code.
# OUTPUT	TAP.
#
# SPDX-License-Identifier: MIT
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/pdlib.sh"

PLAN=27
MC="python3 $top_srcdir/tests/e2e/mailcheck.py"
pd_e2e_tap_init $PLAN 150

# msg FILE MSGID SUBJECT [EXTRA-HEADER...] - write a test message
msg()
{
	local file=$WORK/$1 id=$2 subject=$3 h

	shift 3
	{
		printf 'From: Alice Customer <alice@example.org>\n'
		printf 'To: support@example.com\n'
		printf 'Message-ID: <%s>\n' "$id"
		[ -z "$subject" ] || printf 'Subject: %s\n' "$subject"
		for h in "$@"; do printf '%s\n' "$h"; done
		printf '\nHello,\nthe printer is on fire.\n.leading dot\n'
	} >"$file"
}

# delivered MAILBOX MSGID - path of the delivered copy of MSGID
delivered()
{
	grep -l -F "<$2>" "$PF_DIR/mail/$1/new/"* 2>/dev/null | head -1
}

# send_wait FROM TO FILE - send and wait for delivery
send_wait()
{
	pf_send "$1" "$2" "$WORK/$3" && pf_wait_queue_empty 30
}

# hdr FILE NAME - decoded header value(s)
hdr()
{
	$MC header "$1" "$2"
}

# ticket_count - tickets in the store
ticket_count()
{
	pdctl tickets --json | grep -c '"tag"'
}

check "postdesk-milter and Postfix start" pd_e2e_setup "$WORK"

msg m1 m1@client "Printer on fire"
check "new mail to support@ is accepted and delivered" \
    send_wait alice@example.org support@example.com m1
F1=$(delivered support m1@client)
T1=$(hdr "$F1" X-Postdesk-Ticket)
ok "$(echo "$T1" | grep -qE '^PD-1-[0-9A-Z]{4}$'; echo $?)" \
    "X-Postdesk-Ticket is the tag of ticket 1 ($T1)"
check "subject is '[$T1] Printer on fire'" \
    $MC subject-is "$F1" "[$T1] Printer on fire"
ok "$([ "$(hdr "$F1" X-Postdesk-Status)/$(hdr "$F1" X-Postdesk-Priority)" \
    = new/normal ]; echo $?)" "X-Postdesk-Status new, Priority normal"
ok "$([ "$(ticket_count)" = 1 ]; echo $?)" "one ticket recorded"
check "postdeskctl show lists the subject and the message" \
    sh -c "'$PD_CTL_BIN' -c '$PD_CONF' show '$T1' | grep -q 'Printer on fire'"
check "body delivered byte-identical" \
    cmp <(pf_body "$WORK/m1") <(pf_body "$F1")

msg m2 m2@client "Re: [$T1] Printer on fire" "In-Reply-To: <ack@x>"
send_wait alice@example.org support@example.com m2
F2=$(delivered support m2@client)
ok "$([ "$(hdr "$F2" X-Postdesk-Ticket)" = "$T1" ]; echo $?)" \
    "reply carrying the tag joins ticket 1"
check "tag appears once, after Re:" \
    $MC subject-is "$F2" "Re: [$T1] Printer on fire"

msg m3 m3@client "Re: Printer on fire" "References: <m1@client>"
send_wait alice@example.org support@example.com m3
F3=$(delivered support m3@client)
ok "$([ "$(hdr "$F3" X-Postdesk-Ticket)" = "$T1" ]; echo $?)" \
    "reply whose client dropped the tag joins by References"
check "its subject gets the tag back" \
    $MC subject-is "$F3" "Re: [$T1] Printer on fire"

FORGED="${T1%????}$( [ "${T1: -4}" = ZZZZ ] && echo YYYY || echo ZZZZ)"
msg m4 m4@client "Re: [$FORGED] Printer on fire"
send_wait mallory@example.net support@example.com m4
F4=$(delivered support m4@client)
T4=$(hdr "$F4" X-Postdesk-Ticket)
ok "$([ "${T4%-*}" = PD-2 ]; echo $?)" "forged tag $FORGED opens ticket 2 ($T4)"
check "forged tag is gone from the subject" \
    $MC subject-is "$F4" "Re: [$T4] Printer on fire"
check "forged tag logged as a warning" \
    grep -q "tag in subject failed verification" "$PD_MILTER_LOG"

msg m5 m5@client "Lunch?"
sed -i 's/^To: .*/To: other@example.com/' "$WORK/m5"
send_wait bob@example.org other@example.com m5
F5=$(delivered other m5@client)
ok "$([ -n "$F5" ] && [ "$($MC count "$F5" X-Postdesk-Ticket)" = 0 ]; \
    echo $?)" "mail to other@ has no X-Postdesk headers"
check "mail to other@ keeps its subject" $MC subject-is "$F5" "Lunch?"

N=$(ticket_count)
msg m6 m6@client "Two desks at once"
send_wait carol@example.org \
    support@example.com,help@example.com,other@example.com m6
ok "$([ "$(ticket_count)" = $((N + 1)) ]; echo $?)" \
    "one transaction to two support addresses opens one ticket"
ok "$([ "$(hdr "$(delivered support m6@client)" X-Postdesk-Ticket)" = \
    "$(hdr "$(delivered help m6@client)" X-Postdesk-Ticket)" ]; echo $?)" \
    "both support mailboxes got the same tag"

msg m7 m7@client "Sneaky" "X-Postdesk-Ticket: PD-1-AAAA" \
    "X-Postdesk-Status: resolved" "x-postdesk-ticket: PD-9-BBBB"
send_wait carol@example.org support@example.com m7
F7=$(delivered support m7@client)
ok "$([ "$($MC count "$F7" X-Postdesk-Ticket)" = 1 ] &&
    [ "$(hdr "$F7" X-Postdesk-Status)" = new ] &&
    hdr "$F7" X-Postdesk-Ticket | grep -q '^PD-[0-9]*-....$' &&
    ! grep -q 'AAAA\|BBBB' "$F7"; echo $?)" \
    "sender's X-Postdesk headers replaced by ours"

INJ=$(printf 'Hi\r\nBcc: evil@example.net\r\nX-Evil: 1' | base64 -w0)
msg m8 m8@client "=?UTF-8?B?$INJ?="
send_wait eve@example.net support@example.com m8
F8=$(delivered support m8@client)
check "encoded CR LF in a Subject creates no header" \
    $MC no-header-injection "$F8" --allow return-path delivered-to x-original-to \
    received from to message-id subject date x-postdesk-ticket \
    x-postdesk-status x-postdesk-priority
ok "$([ -n "$F8" ] && [ "$($MC count "$F8" Bcc)" = 0 ]; echo $?)" \
    "no Bcc header appeared"

K=$(printf 'Ответ: не печатает принтер' | iconv -f utf-8 -t koi8-r | base64 -w0)
msg m9 m9@client "=?KOI8-R?B?$K?="
send_wait ivan@example.ru support@example.com m9
F9=$(delivered support m9@client)
T9=$(hdr "$F9" X-Postdesk-Ticket)
check "KOI8-R subject decodes to prefix, tag and text" \
    $MC subject-is "$F9" "Ответ: [$T9] не печатает принтер"
ok "$($MC raw-subject "$F9" | grep -qi 'KOI8-R'; echo $?)" \
    "KOI8-R charset kept"

N=$(ticket_count)
send_wait alice@example.org support@example.com m1
ok "$([ "$(ticket_count)" = "$N" ]; echo $?)" \
    "the same Message-ID again opens no ticket"

QID=$(sed -n 's/.*postfix\/cleanup\[[0-9]*\]: \([0-9A-Za-z]*\): message-id=<m1@client>.*/\1/p' \
    "$(pf_log)" | head -1)
check "milter log line starts with the queue id ($QID)" grep -qE \
    "postdesk/milter\[[0-9]+\]: $QID: ticket=PD-1, action=opened, from=<alice@example.org>, queue=support, status=new" \
    "$PD_MILTER_LOG"

# Negative control: the subject check does fail on a wrong expectation.
ok "$($MC subject-is "$F1" "[$T1] Printer on ice" 2>/dev/null; \
    [ $? -ne 0 ]; echo $?)" "negative control: a wrong subject is caught"

pd_e2e_done
