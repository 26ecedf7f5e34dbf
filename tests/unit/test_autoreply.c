/*
 * test_autoreply.c - unit and corpus tests for pd_autoreply
 *
 * PURPOSE	A table of synthetic header sets, one or more per rule, then
 *		the shared corpus (../shared/corpus, skipped when missing):
 *		sisimai bounces, reports and RFC 3834 auto-replies must be
 *		suppressed by the header rules alone (the envelope sender is
 *		an ordinary address), ruby-mail list mail too, and ordinary
 *		replies from talon must not be.  Negative controls: the
 *		corpus without its headers, which must all pass, and every
 *		corpus file with its headers reversed, which must give the
 *		same verdict (header order must not matter).
 * DESIGN	A tiny header reader feeds name and value the way libmilter
 *		does: the value after the colon with its leading space, folds
 *		kept as "\n" plus whitespace, CRLF turned into LF.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "pd_autoreply.h"
#include "pd_conf.h"
#include "pd_mem.h"
#include "../harness/tap.h"

#define NORMAL	"jane@example.org"
#define AS	"mx.example.com"
#define CORPUS_SENDER	"someone@example.org"
#define ANY	(-1)

/* --- a configuration with two queues -------------------------------- */

static char q1_name[] = "support";
static char q1_addr[] = "support@example.com";
static char q2_name[] = "sales";
static char q2_addr[] = "sales@example.com";
static char ag_alice[] = "alice@example.com";
static char ag_bob[] = "bob+desk@example.com";
static char ag_carol[] = "carol@example.com";
static char *q1_agents[] = { ag_alice, ag_bob };
static char *q2_agents[] = { ag_carol };
static char conf_authserv[] = AS;
static struct pd_conf_queue queues[] = {
	{ .name = q1_name, .address = q1_addr, .agents = q1_agents,
	    .n_agents = 2 },
	{ .name = q2_name, .address = q2_addr, .agents = q2_agents,
	    .n_agents = 1 },
};
static struct pd_conf conf = {
	.authserv_id = conf_authserv,
	.queues = queues,
	.n_queues = 2,
};

/* --- the header reader --------------------------------------------- */

struct hdr {
	const char	*name;
	const char	*value;
};

struct msg {
	char		*buf;		/* LF-only copy, NULs written in */
	struct hdr	*h;
	size_t		 n;
};

/* msg_add - record a header whose name is buf[ns, colon) */
static void
msg_add(struct msg *m, size_t ns, size_t colon, size_t *cap)
{
	if (m->n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		m->h = pd_xrealloc(m->h, *cap * sizeof(*m->h));
	}
	m->h[m->n].name = m->buf + ns;
	m->h[m->n].value = m->buf + colon + 1;
	m->buf[colon] = '\0';
	m->n++;
}

/*
 * msg_parse - split the header block of text[0..len) into headers: an
 * mbox "From " line is skipped, continuation lines stay in the value
 * with their "\n", a line without a colon is dropped, an empty line ends
 * the block.
 */
static void
msg_parse(struct msg *m, const char *text, size_t len)
{
	size_t i, o = 0, p = 0, cap = 0, eol;
	char *b = pd_xmalloc(len + 1);
	char *colon;
	bool open = false;

	for (i = 0; i < len; i++)
		if (!(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n'))
			b[o++] = text[i];
	b[o] = '\0';
	m->buf = b;
	m->h = NULL;
	m->n = 0;
	if (strncmp(b, "From ", 5) == 0)
		p = strcspn(b, "\n") + (b[strcspn(b, "\n")] != '\0');
	for (; p < o && b[p] != '\n'; p = eol + (eol < o)) {
		eol = p + strcspn(b + p, "\n");
		if (b[p] == ' ' || b[p] == '\t')
			continue;	/* a fold: stays in the value */
		if (open)
			b[p - 1] = '\0';	/* end the previous value */
		colon = memchr(b + p, ':', eol - p);
		open = colon != NULL;
		if (open)
			msg_add(m, p, (size_t)(colon - b), &cap);
	}
	if (open && p < o)
		b[p] = '\0';		/* the value before the empty line */
}

/* msg_free - release what msg_parse made */
static void
msg_free(struct msg *m)
{
	pd_xfree(&m->buf);
	pd_xfree(&m->h);
}

/* msg_feed - feed the headers to a, in order or reversed */
static void
msg_feed(const struct msg *m, struct pd_autoreply *a, bool reverse)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct hdr *h = &m->h[reverse ? m->n - 1 - i : i];

		pd_autoreply_header(a, h->name, h->value);
	}
}

enum feed {
	FEED_IN_ORDER,
	FEED_REVERSED,
	FEED_NOTHING,			/* the negative control */
};

/* judge_as - verdict for the message text with the given envelope */
static enum pd_ack_verdict
judge_as(const char *text, size_t len, const char *sender,
    const char *authserv, struct pd_autoreply *a, enum feed how)
{
	struct msg m;
	enum pd_ack_verdict v;

	msg_parse(&m, text, len);
	pd_autoreply_init(a, authserv);
	if (how != FEED_NOTHING)
		msg_feed(&m, a, how == FEED_REVERSED);
	v = pd_autoreply_verdict(a, &conf, sender);
	msg_free(&m);
	return v;
}

/* judge - verdict with the headers fed in order */
static enum pd_ack_verdict
judge(const char *text, size_t len, const char *sender,
    const char *authserv, struct pd_autoreply *a)
{
	return judge_as(text, len, sender, authserv, a, FEED_IN_ORDER);
}

/* --- synthetic cases ------------------------------------------------ */

static const struct ar_case {
	const char	*name;
	const char	*headers;	/* as in a message, "\n" lines */
	const char	*sender;	/* envelope; NULL is tested too */
	const char	*authserv;	/* configured id or NULL */
	enum pd_ack_verdict want;
	int		 authenticated;	/* ANY: not checked */
	int		 automatic;	/* ANY: not checked */
} cases[] = {
	{ "ordinary mail", "From: Jane <jane@example.org>\nSubject: Help\n",
	    NORMAL, AS, PD_ACK_SEND, 0, 0 },
	{ "no headers at all", "", NORMAL, AS, PD_ACK_SEND, 0, 0 },
	/* envelope */
	{ "null sender <>", "Subject: x\n", "<>", AS, PD_ACK_NULL_SENDER,
	    ANY, 0 },
	{ "null sender empty", "", "", AS, PD_ACK_NULL_SENDER, ANY, ANY },
	{ "null sender NULL", "", NULL, AS, PD_ACK_NULL_SENDER, ANY, ANY },
	{ "null sender < >", "", " < > ", AS, PD_ACK_NULL_SENDER, ANY, ANY },
	{ "MAILER-DAEMON sender", "", "<MAILER-DAEMON@mx.example.net>", AS,
	    PD_ACK_MAILER_DAEMON, ANY, ANY },
	{ "mailer-daemon, no domain", "", "Mailer-Daemon", AS,
	    PD_ACK_MAILER_DAEMON, ANY, ANY },
	{ "Postmaster sender", "", "Postmaster@example.net", AS,
	    PD_ACK_MAILER_DAEMON, ANY, ANY },
	{ "postmaster+detail sender", "", "<postmaster+x@example.net>", AS,
	    PD_ACK_MAILER_DAEMON, ANY, ANY },
	{ "postmasters is a person", "", "postmasters@example.net", AS,
	    PD_ACK_SEND, ANY, ANY },
	{ "bad sender: no @", "", "jane", AS, PD_ACK_BAD_SENDER, ANY, ANY },
	{ "bad sender: space", "", "<ja ne@example.org>", AS,
	    PD_ACK_BAD_SENDER, ANY, ANY },
	{ "bad sender: text after >", "", "<jane@example.org>x", AS,
	    PD_ACK_BAD_SENDER, ANY, ANY },
	{ "bad sender: CRLF", "", "jane@example.org\r\nRCPT TO:<x@y>", AS,
	    PD_ACK_BAD_SENDER, ANY, ANY },
	{ "support address", "", "<Support@Example.COM>", AS,
	    PD_ACK_SUPPORT_ADDRESS, ANY, ANY },
	{ "support address +detail", "", "support+csat-1-4-x@example.com",
	    AS, PD_ACK_SUPPORT_ADDRESS, ANY, ANY },
	{ "second queue's address", "", "sales@example.com", AS,
	    PD_ACK_SUPPORT_ADDRESS, ANY, ANY },
	{ "agent", "", "alice@example.com", AS, PD_ACK_AGENT, ANY, ANY },
	{ "agent, case and +detail", "", "<ALICE+tickets@Example.com>", AS,
	    PD_ACK_AGENT, ANY, ANY },
	{ "agent configured with +detail", "", "bob@example.com", AS,
	    PD_ACK_AGENT, ANY, ANY },
	{ "agent of the other queue", "", "carol@example.com", AS,
	    PD_ACK_AGENT, ANY, ANY },
	{ "agent's name, other domain", "", "alice@example.net", AS,
	    PD_ACK_SEND, ANY, ANY },
	{ "agent's name as a prefix", "", "alicex@example.com", AS,
	    PD_ACK_SEND, ANY, ANY },
	/* Auto-Submitted */
	{ "Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied\n",
	    NORMAL, AS, PD_ACK_AUTO_SUBMITTED, ANY, 1 },
	{ "Auto-Submitted: No", "Auto-Submitted: No\n", NORMAL, AS,
	    PD_ACK_SEND, ANY, 0 },
	{ "Auto-Submitted: no (comment)", "Auto-Submitted: no (by hand)\n",
	    NORMAL, AS, PD_ACK_SEND, ANY, 0 },
	{ "Auto-Submitted: (comment) no", "Auto-Submitted: (x (y)) no\n",
	    NORMAL, AS, PD_ACK_SEND, ANY, 0 },
	{ "Auto-Submitted: auto-generated; param",
	    "Auto-Submitted: auto-generated; owner-email=a@b\n", NORMAL, AS,
	    PD_ACK_AUTO_SUBMITTED, ANY, 1 },
	{ "Auto-Submitted: auto-notified (RFC 5436)",
	    "auto-submitted: auto-notified\n", NORMAL, AS,
	    PD_ACK_AUTO_SUBMITTED, ANY, 1 },
	{ "Auto-Submitted: empty is not no", "Auto-Submitted: \n", NORMAL,
	    AS, PD_ACK_AUTO_SUBMITTED, ANY, 1 },
	{ "Auto-Submitted: nobody is not no", "Auto-Submitted: nobody\n",
	    NORMAL, AS, PD_ACK_AUTO_SUBMITTED, ANY, 1 },
	/* Precedence */
	{ "Precedence: List", "Precedence: List\n", NORMAL, AS,
	    PD_ACK_PRECEDENCE, ANY, 1 },
	{ "Precedence: bulk", "Precedence: bulk\n", NORMAL, AS,
	    PD_ACK_PRECEDENCE, ANY, 1 },
	{ "Precedence: JUNK (comment)", "Precedence: JUNK (spam)\n", NORMAL,
	    AS, PD_ACK_PRECEDENCE, ANY, 1 },
	{ "Precedence: auto_reply", "Precedence: auto_reply\n", NORMAL, AS,
	    PD_ACK_PRECEDENCE, ANY, 1 },
	{ "X-Precedence: bulk", "X-Precedence: bulk\n", NORMAL, AS,
	    PD_ACK_PRECEDENCE, ANY, 1 },
	{ "Precedence: first-class", "Precedence: first-class\n", NORMAL,
	    AS, PD_ACK_SEND, ANY, 0 },
	{ "Precedence: bulky", "Precedence: bulky\n", NORMAL, AS,
	    PD_ACK_SEND, ANY, 0 },
	{ "name with a blank before the colon", "Precedence : bulk\n",
	    NORMAL, AS, PD_ACK_PRECEDENCE, ANY, 1 },
	/* lists */
	{ "List-Id", "List-Id: Users <users.lists.example.org>\n", NORMAL,
	    AS, PD_ACK_LIST, ANY, 1 },
	{ "list-unsubscribe (lower case)",
	    "list-unsubscribe: <mailto:u@example.org>\n", NORMAL, AS,
	    PD_ACK_LIST, ANY, 1 },
	{ "List-Post", "List-Post: <mailto:l@example.org>\n", NORMAL, AS,
	    PD_ACK_LIST, ANY, 1 },
	{ "List-Help", "List-Help: <mailto:l-help@example.org>\n", NORMAL,
	    AS, PD_ACK_LIST, ANY, 1 },
	{ "List-Subscribe", "List-Subscribe: <mailto:l-s@example.org>\n",
	    NORMAL, AS, PD_ACK_LIST, ANY, 1 },
	{ "X-ML-Name (fml)", "X-ML-Name: neko ML\n", NORMAL, AS,
	    PD_ACK_LIST, ANY, 1 },
	{ "X-Mailgun-Mailing-List-Id is not a list header",
	    "X-Mailgun-Mailing-List-Id: 1q\n", NORMAL, AS, PD_ACK_SEND, ANY,
	    0 },
	/* reports */
	{ "folded multipart/report (DSN)",
	    "Content-Type: multipart/report;\n\treport-type=delivery-status;"
	    "\n\tboundary=\"b1\"\n", NORMAL, AS, PD_ACK_REPORT, ANY, 1 },
	{ "Multipart/Report, parameters reordered (MDN)",
	    "Content-Type: Multipart/Report; boundary=\"b\";\n"
	    " Report-Type=disposition-notification\n", NORMAL, AS,
	    PD_ACK_REPORT, ANY, 1 },
	{ "multipart/report ARF", "Content-type: multipart/report; "
	    "report-type=feedback-report; boundary=x\n", NORMAL, AS,
	    PD_ACK_REPORT, ANY, 1 },
	{ "multipart (c) / report", "Content-Type: multipart (c) / report\n",
	    NORMAL, AS, PD_ACK_REPORT, ANY, 1 },
	{ "report-type on multipart/mixed does not count",
	    "Content-Type: multipart/mixed; report-type=delivery-status\n",
	    NORMAL, AS, PD_ACK_SEND, ANY, 0 },
	{ "text/plain", "Content-Type: text/plain; charset=utf-8\n", NORMAL,
	    AS, PD_ACK_SEND, ANY, 0 },
	/* bounces that are not reports */
	{ "From: MAILER-DAEMON header",
	    "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n",
	    NORMAL, AS, PD_ACK_BOUNCE, ANY, 1 },
	{ "From: postmaster, bare", "From: postmaster@example.net\n",
	    NORMAL, AS, PD_ACK_BOUNCE, ANY, 1 },
	{ "From: postmaster only in a quoted name",
	    "From: \"postmaster@x <a>\" <jane@example.org>\n", NORMAL, AS,
	    PD_ACK_SEND, ANY, 0 },
	{ "X-Failed-Recipients (Exim)", "X-Failed-Recipients: a@b.example\n",
	    NORMAL, AS, PD_ACK_BOUNCE, ANY, 1 },
	{ "From: MAILER-DAEMON <> (DragonFly)", "From: MAILER-DAEMON <>\n",
	    NORMAL, AS, PD_ACK_BOUNCE, ANY, 1 },
	{ "From: <>", "From: <>\n", NORMAL, AS, PD_ACK_BOUNCE, ANY, 1 },
	{ "From: \"Mailer Daemon\" <x@y>",
	    "From: \"Mailer Daemon\" <daemon@mx.example.net>\n", NORMAL, AS,
	    PD_ACK_BOUNCE, ANY, 1 },
	{ "From: Mailer Daemon's friend is a person",
	    "From: Mailer Daemonson <jd@example.org>\n", NORMAL, AS,
	    PD_ACK_SEND, ANY, 0 },
	{ "From: no-reply", "From: Shop <No-Reply@shop.example>\n", NORMAL,
	    AS, PD_ACK_NO_REPLY, ANY, 1 },
	{ "From: donotreply, bare", "From: donotreply@shop.example\n",
	    NORMAL, AS, PD_ACK_NO_REPLY, ANY, 1 },
	{ "From: noreplyjane is a person", "From: noreplyjane@example.org\n",
	    NORMAL, AS, PD_ACK_SEND, ANY, 0 },
	/* vendor markers */
	{ "X-Autoreply: yes", "X-Autoreply: yes\n", NORMAL, AS,
	    PD_ACK_AUTO_REPLY_MARKER, ANY, 1 },
	{ "X-Autorespond", "X-Autorespond: Vacation\n", NORMAL, AS,
	    PD_ACK_AUTO_REPLY_MARKER, ANY, 1 },
	{ "X-AutoGenerated", "X-AutoGenerated: Reply\n", NORMAL, AS,
	    PD_ACK_AUTO_REPLY_MARKER, ANY, 1 },
	{ "X-AutoReply-From", "X-AutoReply-From: a@example.org\n", NORMAL,
	    AS, PD_ACK_AUTO_REPLY_MARKER, ANY, 1 },
	{ "X-FC-MachineGenerated", "X-FC-MachineGenerated: true\n", NORMAL,
	    AS, PD_ACK_AUTO_REPLY_MARKER, ANY, 1 },
	{ "X-Autoreply: no", "X-Autoreply: no\n", NORMAL, AS, PD_ACK_SEND,
	    ANY, 0 },
	{ "X-Apple-Action: VACATION", "X-Apple-Action: VACATION\n", NORMAL,
	    AS, PD_ACK_AUTO_REPLY_MARKER, ANY, 1 },
	{ "X-Apple-Action: other", "X-Apple-Action: FORWARD\n", NORMAL, AS,
	    PD_ACK_SEND, ANY, 0 },
	/* out-of-office subjects */
	{ "Out of Office: Re: order", "Subject: Out of Office: Re: order\n",
	    NORMAL, AS, PD_ACK_OUT_OF_OFFICE, ANY, 1 },
	{ "Out of Office AutoReply", "Subject: Out of Office AutoReply: x\n",
	    NORMAL, AS, PD_ACK_OUT_OF_OFFICE, ANY, 1 },
	{ "Out of Office alone", "Subject:   Out of Office  \n", NORMAL, AS,
	    PD_ACK_OUT_OF_OFFICE, ANY, 1 },
	{ "Automatic reply", "Subject: Automatic reply: help\n", NORMAL, AS,
	    PD_ACK_OUT_OF_OFFICE, ANY, 1 },
	{ "Autoreply:", "Subject: AutoReply: help\n", NORMAL, AS,
	    PD_ACK_OUT_OF_OFFICE, ANY, 1 },
	{ "Lotus Notes AUTO:", "Subject: AUTO: Jane is out of the office\n",
	    NORMAL, AS, PD_ACK_OUT_OF_OFFICE, ANY, 1 },
	{ "Auto: about a car is a customer",
	    "Subject: Auto: my car will not start\n", NORMAL, AS,
	    PD_ACK_SEND, ANY, 0 },
	{ "Abwesenheitsnotiz", "Subject: Abwesenheitsnotiz: Bestellung\n",
	    NORMAL, AS, PD_ACK_OUT_OF_OFFICE, ANY, 1 },
	{ "Automatische Antwort, ISO-8859-1 B-word",
	    "Subject: =?ISO-8859-1?B?QXV0b21hdGlzY2hlIEFudHdvcnQ6IEJlc3RlbG"
	    "x1bmc=?=\n", NORMAL, AS, PD_ACK_OUT_OF_OFFICE, ANY, 1 },
	{ "Reponse automatique, UTF-8 B-word",
	    "Subject: =?UTF-8?B?UsOpcG9uc2UgYXV0b21hdGlxdWUgOiBDb21tYW5kZSAx"
	    "Nw==?=\n", NORMAL, AS, PD_ACK_OUT_OF_OFFICE, ANY, 1 },
	{ "Avtootvet, KOI8-R B-word",
	    "Subject: =?koi8-r?B?4dfUz8/U18XUOiDawcvB2g==?=\n", NORMAL, AS,
	    PD_ACK_OUT_OF_OFFICE, ANY, 1 },
	{ "Net na meste, UTF-8 B-word, folded",
	    "Subject:\n =?utf-8?b?0J3QtdGCINC90LAg0LzQtdGB0YLQtTog0LfQsNC60L"
	    "DQtw==?=\n", NORMAL, AS, PD_ACK_OUT_OF_OFFICE, ANY, 1 },
	{ "Avtomaticheskij otvet, raw 8-bit UTF-8, upper case",
	    "Subject: \xd0\x90\xd0\x92\xd0\xa2\xd0\x9e\xd0\x9c\xd0\x90\xd0\xa2"
	    "\xd0\x98\xd0\xa7\xd0\x95\xd0\xa1\xd0\x9a\xd0\x98\xd0\x99 "
	    "\xd0\x9e\xd0\xa2\xd0\x92\xd0\x95\xd0\xa2: x\n", NORMAL, AS,
	    PD_ACK_OUT_OF_OFFICE, ANY, 1 },
	{ "Out of office hours? is a question",
	    "Subject: Out of office hours support?\n", NORMAL, AS,
	    PD_ACK_SEND, ANY, 0 },
	{ "Automatic replies are broken", "Subject: Automatic replies "
	    "are broken\n", NORMAL, AS, PD_ACK_SEND, ANY, 0 },
	{ "Re: Automatic reply is a person answering one",
	    "Subject: Re: Automatic reply: x\n", NORMAL, AS, PD_ACK_SEND,
	    ANY, 0 },
	/* X-Auto-Response-Suppress */
	{ "X-Auto-Response-Suppress: All", "X-Auto-Response-Suppress: All\n",
	    NORMAL, AS, PD_ACK_SUPPRESS_REQUESTED, ANY, 0 },
	{ "X-Auto-Response-Suppress: DR, NDR, OOF",
	    "X-Auto-Response-Suppress: DR, NDR, OOF\n", NORMAL, AS,
	    PD_ACK_SUPPRESS_REQUESTED, ANY, 0 },
	{ "X-Auto-Response-Suppress: RN,AutoReply",
	    "X-Auto-Response-Suppress: RN,AutoReply\n", NORMAL, AS,
	    PD_ACK_SUPPRESS_REQUESTED, ANY, 0 },
	{ "X-Auto-Response-Suppress: DR, RN", "X-Auto-Response-Suppress: "
	    "DR, RN\n", NORMAL, AS, PD_ACK_SEND, ANY, 0 },
	{ "X-Auto-Response-Suppress: None", "X-Auto-Response-Suppress: "
	    "None\n", NORMAL, AS, PD_ACK_SEND, ANY, 0 },
	/* X-Loop */
	{ "X-Loop: our address", "X-Loop: support@example.com\n", NORMAL,
	    AS, PD_ACK_LOOP, ANY, ANY },
	{ "X-Loop: <ours>, case, +detail",
	    "X-Loop: postdesk <Support+x@Example.com>\n", NORMAL, AS,
	    PD_ACK_LOOP, ANY, ANY },
	{ "X-Loop: ours after three others",
	    "X-Loop: a@x.example\nX-Loop: b@x.example\nX-Loop: c@x.example\n"
	    "X-Loop: sales@example.com\n", NORMAL, AS, PD_ACK_LOOP, ANY,
	    ANY },
	{ "X-Loop: yes", "X-Loop: yes\n", NORMAL, AS, PD_ACK_LOOP, ANY, 1 },
	{ "X-Loop: someone else", "X-Loop: list@example.net\n", NORMAL, AS,
	    PD_ACK_SEND, ANY, 0 },
	/* Authentication-Results */
	{ "A-R untrusted id, dmarc=fail",
	    "Authentication-Results: evil.example; dmarc=fail\n", NORMAL, AS,
	    PD_ACK_SEND, 0, 0 },
	{ "A-R trusted, dmarc=fail",
	    "Authentication-Results: mx.example.com; dmarc=fail "
	    "header.from=x\n", NORMAL, AS, PD_ACK_AUTH_FAILED, 0, 0 },
	{ "A-R trusted with version, spf=fail",
	    "Authentication-Results: mx.example.com 1; spf=fail "
	    "smtp.mailfrom=x\n", NORMAL, AS, PD_ACK_AUTH_FAILED, 0, 0 },
	{ "A-R id case, spf=softfail is no failure",
	    "Authentication-Results: MX.Example.COM; spf=softfail\n", NORMAL,
	    AS, PD_ACK_SEND, 0, 0 },
	{ "A-R spf=hardfail (old spelling)",
	    "Authentication-Results: mx.example.com; spf=hardfail\n", NORMAL,
	    AS, PD_ACK_AUTH_FAILED, 0, 0 },
	{ "A-R with no authserv_id configured",
	    "Authentication-Results: mx.example.com; dmarc=fail\n", NORMAL,
	    NULL, PD_ACK_SEND, 0, 0 },
	{ "A-R id that only starts like ours",
	    "Authentication-Results: mx.example.com.evil; dmarc=fail\n",
	    NORMAL, AS, PD_ACK_SEND, 0, 0 },
	{ "A-R folded, dkim=pass and spf=pass",
	    "Authentication-Results: mx.example.com;\n\tdkim=pass "
	    "header.d=example.org;\n\tspf=pass smtp.mailfrom=example.org\n",
	    NORMAL, AS, PD_ACK_SEND, 1, 0 },
	{ "A-R dmarc=pass", "Authentication-Results: mx.example.com; "
	    "dmarc=pass (p=reject) header.from=example.org\n", NORMAL, AS,
	    PD_ACK_SEND, 1, 0 },
	{ "A-R spf=pass alone", "Authentication-Results: mx.example.com; "
	    "spf=pass\n", NORMAL, AS, PD_ACK_SEND, 0, 0 },
	{ "A-R dmarc=pass but spf=fail", "Authentication-Results: "
	    "mx.example.com; dmarc=pass; spf=fail\n", NORMAL, AS,
	    PD_ACK_AUTH_FAILED, 0, 0 },
	{ "A-R ';' in a comment is no separator",
	    "Authentication-Results: mx.example.com (x; dmarc=fail); "
	    "dkim=pass\n", NORMAL, AS, PD_ACK_SEND, 0, 0 },
	{ "A-R ';' in a quoted string is no separator",
	    "Authentication-Results: mx.example.com; spf=pass "
	    "reason=\"a;dmarc=fail\"; dkim=pass\n", NORMAL, AS, PD_ACK_SEND,
	    1, 0 },
	{ "A-R method version and CFWS", "Authentication-Results: "
	    "mx.example.com; dkim/1 = pass; spf (x) = pass\n", NORMAL, AS,
	    PD_ACK_SEND, 1, 0 },
	{ "A-R dmarc = fail with comments", "Authentication-Results: "
	    "mx.example.com; dmarc = (c) fail (p=reject)\n", NORMAL, AS,
	    PD_ACK_AUTH_FAILED, 0, 0 },
	{ "A-R none", "Authentication-Results: mx.example.com; none\n",
	    NORMAL, AS, PD_ACK_SEND, 0, 0 },
	{ "A-R untrusted dmarc=pass does not authenticate",
	    "Authentication-Results: evil.example; dmarc=pass\n", NORMAL, AS,
	    PD_ACK_SEND, 0, 0 },
	{ "A-R trusted pass, untrusted fail",
	    "Authentication-Results: evil.example; dmarc=fail\n"
	    "Authentication-Results: mx.example.com; dmarc=pass\n", NORMAL,
	    AS, PD_ACK_SEND, 1, 0 },
	/* several reasons: the first in enum order, whatever the order */
	{ "List-Id then Precedence: precedence wins",
	    "List-Id: <l.example.org>\nPrecedence: bulk\n", NORMAL, AS,
	    PD_ACK_PRECEDENCE, ANY, 1 },
	{ "envelope beats headers", "Precedence: bulk\n", "<>", AS,
	    PD_ACK_NULL_SENDER, ANY, 1 },
	{ "auto-submitted beats auth-failed", "Authentication-Results: "
	    "mx.example.com; dmarc=fail\nAuto-Submitted: auto-replied\n",
	    NORMAL, AS, PD_ACK_AUTO_SUBMITTED, 0, 1 },
};

/* run_case - one synthetic case: verdict, and the two predicates */
static void
run_case(const struct ar_case *c)
{
	struct pd_autoreply a;
	enum pd_ack_verdict v;
	char name[200];

	v = judge(c->headers, strlen(c->headers), c->sender, c->authserv,
	    &a);
	snprintf(name, sizeof(name), "%s -> %s", c->name,
	    pd_ack_verdict_name(c->want));
	is_str(pd_ack_verdict_name(v), pd_ack_verdict_name(c->want), name);
	if (c->authenticated != ANY)
		is_int(pd_autoreply_authenticated(&a), c->authenticated,
		    "  ...authenticated");
	if (c->automatic != ANY)
		is_int(pd_autoreply_is_automatic(&a), c->automatic,
		    "  ...automatic");
}

/* test_direct - calls the corpus reader does not make */
static void
test_direct(void)
{
	struct pd_autoreply a;
	const char *seen[PD_ACK_VERDICT_COUNT];
	int i, j, dup = 0;

	pd_autoreply_init(&a, AS);
	pd_autoreply_header(&a, "Content-Type",
	    " multipart/report;\r\n\treport-type=delivery-status");
	is_str(pd_ack_verdict_name(pd_autoreply_verdict(&a, &conf, NORMAL)),
	    "report", "CRLF fold in a value");
	pd_autoreply_init(&a, AS);
	pd_autoreply_header(&a, NULL, "x");
	pd_autoreply_header(&a, "Precedence", NULL);
	is_int(pd_autoreply_verdict(&a, NULL, NORMAL), PD_ACK_SEND,
	    "NULL name, NULL value and NULL conf are harmless");
	for (i = 0; i < PD_ACK_VERDICT_COUNT; i++) {
		seen[i] = pd_ack_verdict_name((enum pd_ack_verdict)i);
		for (j = 0; j < i; j++)
			dup += strcmp(seen[i], seen[j]) == 0;
	}
	ok(dup == 0 && strcmp(seen[0], "send") == 0,
	    "%d verdict names, all different", PD_ACK_VERDICT_COUNT);
	is_str(pd_ack_verdict_name(PD_ACK_VERDICT_COUNT), "unknown",
	    "name of an out-of-range verdict");
	is_str(pd_ack_verdict_name(PD_ACK_SUPPRESS_REQUESTED),
	    "suppress-requested", "a name as log lines will show it");
}

/* --- corpus --------------------------------------------------------- */

/*
 * sisimai bsd/ files the header rules let through with an ordinary
 * envelope sender, each with the reason that is acceptable.  In real
 * traffic every one of them arrives from the null sender or
 * MAILER-DAEMON and is suppressed by the envelope rule.
 */
static const struct {
	const char *file;
	const char *reason;
} bsd_exceptions[] = {
	{ "arf-22.eml", "Hotmail JMRP complaint as multipart/mixed from "
	    "staff@hotmail.com; no top-level header marks it" },
	{ "arf-23.eml", "as arf-22" },
	{ "arf-24.eml", "as arf-22" },
	{ "lhost-apachejames-01.eml", "NDR from post_master@ (sic), "
	    "multipart/mixed, no marker header" },
	{ "lhost-verizon-01.eml", "MMS gateway NDR from sysadmin@, "
	    "Return-Path <>: the envelope rule catches it" },
	{ "lhost-verizon-02.eml", "NDR from post_master@ (sic), no marker" },
	{ "lhost-sendmail-14.eml", "a person forwarding a bounce (\"Fwd:\", "
	    "Apple Mail): ordinary mail, the acknowledgement is right" },
	{ NULL, NULL },
};

/* is_exception - f is listed in bsd_exceptions[] */
static const char *
is_exception(const char *f)
{
	size_t i;

	for (i = 0; bsd_exceptions[i].file != NULL; i++)
		if (strcmp(bsd_exceptions[i].file, f) == 0)
			return bsd_exceptions[i].reason;
	return NULL;
}

/* cmp_names - order two elements of a GPtrArray of strings */
static gint
cmp_names(gconstpointer x, gconstpointer y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* list_dir - sorted names in dir ending in suffix; NULL if no dir */
static GPtrArray *
list_dir(const char *dir, const char *suffix)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	GPtrArray *names;
	const char *n;

	if (d == NULL)
		return NULL;
	names = g_ptr_array_new_with_free_func(g_free);
	while ((n = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(n, suffix))
			g_ptr_array_add(names, g_strdup(n));
	g_dir_close(d);
	g_ptr_array_sort(names, cmp_names);
	return names;
}

/* skip - one TAP test skipped, with the reason */
static void
skip(const char *why)
{
	tap_count++;
	printf("ok %d # SKIP %s\n", tap_count, why);
}

/* header_of - copy of the first header called name, printable, cut */
static void
header_of(const char *text, size_t len, const char *name, char *out,
    size_t outlen)
{
	struct msg m;
	size_t i, o = 0;
	const char *v = "";

	msg_parse(&m, text, len);
	for (i = 0; i < m.n; i++)
		if (g_ascii_strcasecmp(m.h[i].name, name) == 0) {
			v = m.h[i].value;
			break;
		}
	v += strspn(v, " \t");
	for (; *v != '\0' && o + 1 < outlen; v++)
		if ((unsigned char)*v >= 0x20 && (unsigned char)*v < 0x7f)
			out[o++] = *v;
		else if (*v != '\n')
			out[o++] = '?';
	out[o] = '\0';
	msg_free(&m);
}

/*
 * is_report - the test's own oracle, independent of the module's lexer:
 * the top-level Content-Type, blanks and case dropped, starts with
 * "multipart/report".
 */
static bool
is_report(const char *text, size_t len)
{
	char ct[200];
	char flat[200];
	size_t i, o = 0;

	header_of(text, len, "Content-Type", ct, sizeof(ct));
	for (i = 0; ct[i] != '\0'; i++)
		if (ct[i] != ' ' && ct[i] != '\t' && ct[i] != '?')
			flat[o++] = g_ascii_tolower(ct[i]);
	flat[o] = '\0';
	return strncmp(flat, "multipart/report", 16) == 0;
}

struct tally {
	unsigned int	 count[PD_ACK_VERDICT_COUNT];
	size_t		 total, suppressed;
	size_t		 n3834, ok3834;	/* rfc3834-* */
	size_t		 nrep, okrep;	/* multipart/report by the oracle */
	size_t		 narf, okarf;	/* arf-*, exceptions left out */
	size_t		 unexpected;	/* passed, not an exception */
	size_t		 order;		/* reversed order disagrees */
	size_t		 bare;		/* suppressed without headers */
};

/* bsd_one - judge one sisimai file three ways and count */
static void
bsd_one(struct tally *t, const char *file, const char *text, size_t len)
{
	struct pd_autoreply a;
	enum pd_ack_verdict v, rev, bare;
	bool sup, rep = is_report(text, len);
	char subj[72];
	const char *why;

	v = judge(text, len, CORPUS_SENDER, AS, &a);
	rev = judge_as(text, len, CORPUS_SENDER, AS, &a, FEED_REVERSED);
	bare = judge_as(text, len, CORPUS_SENDER, AS, &a, FEED_NOTHING);
	sup = v != PD_ACK_SEND;
	t->total++;
	t->count[v]++;
	t->suppressed += sup;
	t->order += rev != v;
	t->bare += bare != PD_ACK_SEND;
	if (strncmp(file, "rfc3834-", 8) == 0) {
		t->n3834++;
		t->ok3834 += sup;
	}
	if (strncmp(file, "arf-", 4) == 0 && is_exception(file) == NULL) {
		t->narf++;
		t->okarf += sup;
	}
	t->nrep += rep;
	t->okrep += rep && sup;
	if (sup)
		return;
	header_of(text, len, "Subject", subj, sizeof(subj));
	why = is_exception(file);
	if (why == NULL)
		t->unexpected++;
	printf("# passes: %s%s%s (Subject: %s)\n", file,
	    why != NULL ? ", listed: " : ", NOT LISTED",
	    why != NULL ? why : "", subj);
}

/* bsd_report - the assertions over the whole sisimai bsd/ folder */
static void
bsd_report(const struct tally *t)
{
	int v;

	for (v = 0; v < PD_ACK_VERDICT_COUNT; v++)
		if (t->count[v] != 0)
			printf("# %s: %u\n",
			    pd_ack_verdict_name((enum pd_ack_verdict)v),
			    t->count[v]);
	ok(t->n3834 == 6 && t->ok3834 == t->n3834,
	    "sisimai: %zu of %zu rfc3834-* auto-replies suppressed",
	    t->ok3834, t->n3834);
	ok(t->nrep > 0 && t->okrep == t->nrep,
	    "sisimai: %zu of %zu multipart/report (DSN, MDN, ARF) suppressed",
	    t->okrep, t->nrep);
	ok(t->narf > 0 && t->okarf == t->narf,
	    "sisimai: %zu of %zu arf-* (less exceptions) suppressed",
	    t->okarf, t->narf);
	ok(t->total > 0 && t->suppressed * 100 >= t->total * 95,
	    "sisimai: %zu of %zu bsd/*.eml suppressed by headers alone "
	    "(%.1f%%, need 95%%)", t->suppressed, t->total,
	    t->total ? 100.0 * (double)t->suppressed / (double)t->total : 0);
	is_int((long long)t->unexpected, 0,
	    "sisimai: every pass-through is a listed exception");
	ok(t->total > 0 && t->order == 0,
	    "sisimai: reversed header order, same verdict for all %zu",
	    t->total);
	ok(t->total > 0 && t->bare == 0 && t->suppressed > 0,
	    "negative control: without headers all %zu pass", t->total);
}

/* read_file - contents of dir/name (g_free), NULL when unreadable */
static char *
read_file(const char *dir, const char *name, size_t *len)
{
	char *path = g_build_filename(dir, name, NULL);
	char *text = NULL;
	gsize n = 0;

	if (!g_file_get_contents(path, &text, &n, NULL))
		text = NULL;
	g_free(path);
	*len = n;
	return text;
}

/* test_bsd - sisimai/maildir/bsd with an ordinary envelope sender */
static void
test_bsd(const char *corpus)
{
	char *dir = g_build_filename(corpus, "sisimai/maildir/bsd", NULL);
	GPtrArray *names = list_dir(dir, ".eml");
	struct tally t;
	char *text;
	size_t i, len;

	memset(&t, 0, sizeof(t));
	if (names == NULL) {
		skip("sisimai/maildir/bsd missing");
		g_free(dir);
		return;
	}
	for (i = 0; i < names->len; i++) {
		text = read_file(dir, g_ptr_array_index(names, i), &len);
		if (text != NULL)
			bsd_one(&t, g_ptr_array_index(names, i), text, len);
		g_free(text);
	}
	bsd_report(&t);
	g_ptr_array_free(names, TRUE);
	g_free(dir);
}

/*
 * test_control - the negative control on one file: suppressed with its
 * headers, sent without them.
 */
static void
test_control(const char *corpus)
{
	char *dir = g_build_filename(corpus, "sisimai/maildir/bsd", NULL);
	struct pd_autoreply a;
	size_t len;
	char *text = read_file(dir, "rfc3834-01.eml", &len);

	if (text == NULL) {
		skip("sisimai rfc3834-01.eml missing");
	} else {
		is_int(judge(text, len, CORPUS_SENDER, AS, &a),
		    PD_ACK_AUTO_SUBMITTED,
		    "rfc3834-01 with headers: suppressed");
		is_int(judge_as(text, len, CORPUS_SENDER, AS, &a,
		    FEED_NOTHING), PD_ACK_SEND,
		    "rfc3834-01 without headers: send (control)");
	}
	g_free(text);
	g_free(dir);
}

/* expect_file - one corpus file must get verdict want */
static void
expect_file(const char *dir, const char *name, enum pd_ack_verdict want)
{
	struct pd_autoreply a;
	char label[200];
	size_t len;
	char *text = read_file(dir, name, &len);

	snprintf(label, sizeof(label), "%s -> %s", name,
	    pd_ack_verdict_name(want));
	if (text == NULL)
		skip(label);
	else
		is_str(pd_ack_verdict_name(judge(text, len, CORPUS_SENDER, AS,
		    &a)), pd_ack_verdict_name(want), label);
	g_free(text);
}

/* test_ruby_mail - list mail and multipart reports from ruby-mail */
static void
test_ruby_mail(const char *corpus)
{
	char *dir = g_build_filename(corpus, "ruby-mail/spec/fixtures/emails",
	    NULL);
	char *err = g_build_filename(dir, "error_emails", NULL);
	char *rep = g_build_filename(dir, "multipart_report_emails", NULL);
	GPtrArray *names = list_dir(rep, ".eml");
	struct pd_autoreply a;
	size_t i, len, n = 0, sup = 0;
	char *text;

	expect_file(err, "empty_in_reply_to.eml", PD_ACK_LIST);
	expect_file(err, "bad_date_header.eml", PD_ACK_PRECEDENCE);
	for (i = 0; names != NULL && i < names->len; i++) {
		text = read_file(rep, g_ptr_array_index(names, i), &len);
		if (text == NULL)
			continue;
		n++;
		sup += judge(text, len, CORPUS_SENDER, AS, &a) != PD_ACK_SEND;
		g_free(text);
	}
	if (names == NULL)
		skip("ruby-mail multipart_report_emails missing");
	else
		ok(n > 0 && sup == n, "ruby-mail: %zu of %zu multipart_report_"
		    "emails suppressed", sup, n);
	if (names != NULL)
		g_ptr_array_free(names, TRUE);
	g_free(rep);
	g_free(err);
	g_free(dir);
}

/* test_replies - ordinary replies from talon must be acknowledged */
static void
test_replies(const char *corpus)
{
	char *dir = g_build_filename(corpus,
	    "talon/tests/fixtures/standard_replies", NULL);
	GPtrArray *names = list_dir(dir, ".eml");
	size_t i;

	if (names == NULL)
		skip("talon standard_replies missing");
	for (i = 0; names != NULL && i < names->len; i++)
		expect_file(dir, g_ptr_array_index(names, i), PD_ACK_SEND);
	if (names != NULL)
		g_ptr_array_free(names, TRUE);
	g_free(dir);
}

/* starts_with_header - text begins with a header every message has */
static bool
starts_with_header(const char *text)
{
	static const char *const names[] = { "From:", "Return-Path:",
	    "Received:", "Date:", "Delivered-To:", "Message-ID:", NULL };
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (g_ascii_strncasecmp(text, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

/*
 * test_reply_parser - email-reply-parser's files are bodies without a
 * header block (one starts "One: Here's what..."); a file that ever
 * starts with a real header must be acknowledged too.
 */
static void
test_reply_parser(const char *corpus)
{
	char *dir = g_build_filename(corpus, "email-reply-parser/test/emails",
	    NULL);
	GPtrArray *names = list_dir(dir, ".txt");
	size_t i, len, with = 0;
	char *text;

	for (i = 0; names != NULL && i < names->len; i++) {
		text = read_file(dir, g_ptr_array_index(names, i), &len);
		if (text != NULL && starts_with_header(text)) {
			with++;
			expect_file(dir, g_ptr_array_index(names, i),
			    PD_ACK_SEND);
		}
		g_free(text);
	}
	if (with == 0)
		skip("email-reply-parser: bodies only, no header block");
	if (names != NULL)
		g_ptr_array_free(names, TRUE);
	g_free(dir);
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	char *corpus = g_build_filename(top != NULL ? top : ".", "..",
	    "shared", "corpus", NULL);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_direct();
	if (!g_file_test(corpus, G_FILE_TEST_IS_DIR)) {
		skip("../shared/corpus not found");
	} else {
		test_control(corpus);
		test_bsd(corpus);
		test_ruby_mail(corpus);
		test_replies(corpus);
		test_reply_parser(corpus);
	}
	g_free(corpus);
	return tap_done();
}
