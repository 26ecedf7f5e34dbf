/*
 * pd_autoreply.c - RFC 3834 suppression rules for acknowledgements
 *
 * PURPOSE	See pd_autoreply.h.
 * DESIGN	A table maps header names to the function that judges the
 *		value; a judgement sets a bit in a->reasons (1u << verdict)
 *		or in a->auth.  The rules and where they come from:
 *		  envelope <> or empty: RFC 3834 s2, RFC 5321 s4.5.5
 *		  envelope MAILER-DAEMON, postmaster: PRODUCT.md
 *		  envelope = support address or agent: PRODUCT.md (loops)
 *		  X-Loop naming a support address: product rule;
 *		    X-Loop "yes"/"true": zammad auto_response_check.rb
 *		  Content-Type multipart/report, any report-type: RFC 6522
 *		    (DSN RFC 3464, MDN RFC 8098, ARF RFC 5965)
 *		  From: MAILER-DAEMON, postmaster, "<>" or the name
 *		    "Mailer Daemon", and X-Failed-Recipients: bounces that
 *		    are not multipart/report (qmail, Exim, DragonFly)
 *		  From: noreply, no-reply, donotreply, do-not-reply: nobody
 *		    reads the answer (SES and carrier notifications)
 *		  Auto-Submitted other than "no": RFC 3834 s2, s5
 *		  Precedence, X-Precedence bulk|list|junk|auto_reply:
 *		    RFC 3834 s2, engineering guide 7.2
 *		  List-* (RFC 2369, RFC 2919, RFC 8058), Mailing-List
 *		    (ezmlm), X-Mailing-List (SmartList), X-ML-Name and
 *		    X-MLServer (fml)
 *		  vendor auto-reply headers: engineering guide 7.2
 *		  out-of-office subjects: oof_markers[] in
 *		    pd_autoreply_hdr.c, with the client each comes from
 *		  X-Auto-Response-Suppress All|OOF|AutoReply: MS-OXCMAIL
 *		    2.1.3.2.20 (the sender asks for no auto-replies)
 *		  Authentication-Results: RFC 8601, RFC 7208 s2.6.4,
 *		    s2.6.5 (see pd_autoreply_hdr.c)
 *		The lexer for structured values, the Subject judge and the
 *		Authentication-Results judge live in pd_autoreply_hdr.c.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>

#include "pd_autoreply_impl.h"
#include "pd_err.h"

#define BIT(v)		(1u << (v))
#define AUTOMATIC	(BIT(PD_ACK_REPORT) | BIT(PD_ACK_BOUNCE) | \
	    BIT(PD_ACK_NO_REPLY) | BIT(PD_ACK_AUTO_SUBMITTED) | \
	    BIT(PD_ACK_PRECEDENCE) | BIT(PD_ACK_LIST) | \
	    BIT(PD_ACK_AUTO_REPLY_MARKER) | BIT(PD_ACK_OUT_OF_OFFICE) | \
	    BIT(PD_ACK_LOOP))

/* Word lists, compared without ASCII case. */
static const char *const precedences[] = {
	"bulk", "list", "junk", "auto_reply", NULL
};
static const char *const negatives[] = { "no", "false", "0", NULL };
static const char *const affirmatives[] = { "yes", "true", NULL };
static const char *const suppressions[] = {	/* MS-OXCMAIL values */
	"all", "oof", "autoreply", NULL
};
static const char *const system_locals[] = {
	"mailer-daemon", "postmaster", NULL
};
static const char *const daemon_names[] = {
	"mailer-daemon", "mailer daemon", NULL
};
static const char *const no_reply_locals[] = {
	"noreply", "no-reply", "donotreply", "do-not-reply", NULL
};

struct header_rule {
	const char	*name;
	void		(*judge)(struct pd_autoreply *, const char *,
			    unsigned int);
	unsigned int	 arg;
};

static const char *const verdict_names[PD_ACK_VERDICT_COUNT] = {
	[PD_ACK_SEND] = "send",
	[PD_ACK_NULL_SENDER] = "null-sender",
	[PD_ACK_MAILER_DAEMON] = "mailer-daemon",
	[PD_ACK_BAD_SENDER] = "bad-sender",
	[PD_ACK_SUPPORT_ADDRESS] = "support-address",
	[PD_ACK_AGENT] = "agent",
	[PD_ACK_LOOP] = "loop",
	[PD_ACK_REPORT] = "report",
	[PD_ACK_BOUNCE] = "bounce",
	[PD_ACK_NO_REPLY] = "no-reply",
	[PD_ACK_AUTO_SUBMITTED] = "auto-submitted",
	[PD_ACK_PRECEDENCE] = "precedence",
	[PD_ACK_LIST] = "list",
	[PD_ACK_AUTO_REPLY_MARKER] = "auto-reply-marker",
	[PD_ACK_OUT_OF_OFFICE] = "out-of-office",
	[PD_ACK_SUPPRESS_REQUESTED] = "suppress-requested",
	[PD_ACK_AUTH_FAILED] = "auth-failed",
};

/* judge_flag - the header's presence is the reason arg */
static void
judge_flag(struct pd_autoreply *a, const char *value, unsigned int arg)
{
	(void)value;
	pd_autoreply_set(a, (enum pd_ack_verdict)arg);
}

/* judge_auto_submitted - RFC 3834 s5: anything but "no" (with comments) */
static void
judge_auto_submitted(struct pd_autoreply *a, const char *value,
    unsigned int arg)
{
	size_t n;
	const char *t = pd_autoreply_token(value, ";", &n);

	(void)arg;
	if (!pd_autoreply_word_is(t, n, "no"))
		pd_autoreply_set(a, PD_ACK_AUTO_SUBMITTED);
}

/* judge_precedence - bulk, list, junk or auto_reply */
static void
judge_precedence(struct pd_autoreply *a, const char *value,
    unsigned int arg)
{
	size_t n;
	const char *t = pd_autoreply_token(value, ";,", &n);

	(void)arg;
	if (pd_autoreply_word_in(t, n, precedences))
		pd_autoreply_set(a, PD_ACK_PRECEDENCE);
}

/* judge_content_type - multipart/report, whatever its parameters */
static void
judge_content_type(struct pd_autoreply *a, const char *value,
    unsigned int arg)
{
	size_t tlen, slen;
	const char *type = pd_autoreply_token(value, "/;", &tlen);
	const char *p = pd_autoreply_cfws(type + tlen);
	const char *sub;

	(void)arg;
	if (*p != '/')
		return;
	sub = pd_autoreply_token(p + 1, ";", &slen);
	if (pd_autoreply_word_is(type, tlen, "multipart") &&
	    pd_autoreply_word_is(sub, slen, "report"))
		pd_autoreply_set(a, PD_ACK_REPORT);
}

/*
 * judge_marker - a vendor auto-reply header; values that say no ("no",
 * "false", "0") do not count.  arg 0: any other value counts; arg 1:
 * only "vacation" (X-Apple-Action, corpus rfc3834-03).
 */
static void
judge_marker(struct pd_autoreply *a, const char *value, unsigned int arg)
{
	size_t n;
	const char *t = pd_autoreply_token(value, ";,", &n);

	if (arg == 1 && !pd_autoreply_word_is(t, n, "vacation"))
		return;
	if (pd_autoreply_word_in(t, n, negatives))
		return;
	pd_autoreply_set(a, PD_ACK_AUTO_REPLY_MARKER);
}

/*
 * addr_spec - the address in a header value: inside the first "<>"
 * outside a quoted string, else the first token.  Sets *len, and *angle
 * to the '<' (NULL without one), so that the text before it is the
 * display name.
 */
static const char *
addr_spec(const char *value, size_t *len, const char **angle)
{
	const char *p, *end;
	bool quoted = false;

	for (p = value; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '<' && !quoted)
			break;
	}
	*angle = *p == '<' ? p : NULL;
	if (*p == '\0')
		return pd_autoreply_token(value, ",;<>\"", len);
	p = pd_autoreply_cfws(p + 1);
	end = strchr(p, '>');
	if (end == NULL)
		end = p + strlen(p);
	while (end > p && pd_autoreply_is_wsp((unsigned char)end[-1]))
		end--;
	*len = (size_t)(end - p);
	return p;
}

/* local_is - the local part of s[0..len) is one of the words */
static bool
local_is(const char *s, size_t len, const char *const *words)
{
	const char *at = memchr(s, '@', len);

	return pd_autoreply_word_in(s, at != NULL ? (size_t)(at - s) : len,
	    words);
}

/* system_local - local part of s[0..len) is MAILER-DAEMON or postmaster */
static bool
system_local(const char *s, size_t len)
{
	return local_is(s, len, system_locals);
}

/* daemon_name - display name value[0..end) is "Mailer Daemon" */
static bool
daemon_name(const char *value, const char *end)
{
	const char *s = pd_autoreply_cfws(value);

	while (end > s &&
	    (pd_autoreply_is_wsp((unsigned char)end[-1]) || end[-1] == '"'))
		end--;
	s += s < end && *s == '"';
	return end > s &&
	    pd_autoreply_word_in(s, (size_t)(end - s), daemon_names);
}

/*
 * judge_from - a bounce when the From address is MAILER-DAEMON or
 * postmaster, is empty ("<>"), or is named "Mailer Daemon"; no-reply
 * when its local part says that nobody reads replies.
 */
static void
judge_from(struct pd_autoreply *a, const char *value, unsigned int arg)
{
	size_t n;
	const char *angle;
	const char *s = addr_spec(value, &n, &angle);

	(void)arg;
	if (system_local(s, n) || (angle != NULL && n == 0) ||
	    (angle != NULL && daemon_name(value, angle)))
		pd_autoreply_set(a, PD_ACK_BOUNCE);
	else if (local_is(s, n, no_reply_locals))
		pd_autoreply_set(a, PD_ACK_NO_REPLY);
}

/* judge_suppress - X-Auto-Response-Suppress naming All, OOF, AutoReply */
static void
judge_suppress(struct pd_autoreply *a, const char *value, unsigned int arg)
{
	const char *p = value;
	const char *t;
	size_t n;

	(void)arg;
	for (;;) {
		t = pd_autoreply_token(p, ",;", &n);
		if (pd_autoreply_word_in(t, n, suppressions)) {
			pd_autoreply_set(a, PD_ACK_SUPPRESS_REQUESTED);
			return;
		}
		p = t + n;
		if (*p == '\0')
			return;
		if (n == 0)
			p++;		/* a delimiter or an unclosed '(' */
	}
}

/*
 * judge_loop - X-Loop: "yes" or "true" is a loop by itself; an address is
 * kept (the first PD_AUTOREPLY_LOOP_MAX) for pd_autoreply_verdict() to
 * compare with the support addresses.
 */
static void
judge_loop(struct pd_autoreply *a, const char *value, unsigned int arg)
{
	char raw[PD_ADDR_MAX + 1];
	size_t n;
	const char *angle;
	const char *s = addr_spec(value, &n, &angle);

	(void)arg;
	if (pd_autoreply_word_in(s, n, affirmatives)) {
		pd_autoreply_set(a, PD_ACK_LOOP);
		return;
	}
	if (n == 0 || n > PD_ADDR_MAX || a->nloop >= PD_AUTOREPLY_LOOP_MAX)
		return;
	memcpy(raw, s, n);
	raw[n] = '\0';
	if (pd_addr_normalize(raw, a->loop[a->nloop], PD_ADDR_MAX + 1) ==
	    PD_OK)
		a->nloop++;
}

static const struct header_rule header_rules[] = {
	{ "Auto-Submitted", judge_auto_submitted, 0 },
	{ "Precedence", judge_precedence, 0 },
	{ "X-Precedence", judge_precedence, 0 },
	{ "Content-Type", judge_content_type, 0 },
	{ "From", judge_from, 0 },
	{ "X-Failed-Recipients", judge_flag, PD_ACK_BOUNCE },	/* Exim */
	{ "List-Id", judge_flag, PD_ACK_LIST },
	{ "List-Unsubscribe", judge_flag, PD_ACK_LIST },
	{ "List-Unsubscribe-Post", judge_flag, PD_ACK_LIST },
	{ "List-Post", judge_flag, PD_ACK_LIST },
	{ "List-Help", judge_flag, PD_ACK_LIST },
	{ "List-Subscribe", judge_flag, PD_ACK_LIST },
	{ "List-Owner", judge_flag, PD_ACK_LIST },
	{ "List-Archive", judge_flag, PD_ACK_LIST },
	{ "Mailing-List", judge_flag, PD_ACK_LIST },
	{ "X-Mailing-List", judge_flag, PD_ACK_LIST },
	{ "X-ML-Name", judge_flag, PD_ACK_LIST },		/* fml */
	{ "X-MLServer", judge_flag, PD_ACK_LIST },		/* fml */
	{ "X-Autoreply", judge_marker, 0 },
	{ "X-Autorespond", judge_marker, 0 },
	{ "X-Autogenerated", judge_marker, 0 },
	{ "X-AutoReply-From", judge_marker, 0 },
	{ "X-FC-MachineGenerated", judge_marker, 0 },	/* FirstClass */
	{ "X-Apple-Action", judge_marker, 1 },
	{ "Subject", pd_autoreply_judge_subject, 0 },
	{ "X-Auto-Response-Suppress", judge_suppress, 0 },
	{ "X-Loop", judge_loop, 0 },
	{ "Authentication-Results", pd_autoreply_judge_auth, 0 },
};

/* pd_autoreply_init - forget everything; believe A-R from authserv_id */
void
pd_autoreply_init(struct pd_autoreply *a, const char *authserv_id)
{
	memset(a, 0, sizeof(*a));
	a->authserv_id = authserv_id;
}

/* pd_autoreply_header - judge one header (name: trailing blanks ignored) */
void
pd_autoreply_header(struct pd_autoreply *a, const char *name,
    const char *value)
{
	size_t n, i;

	if (name == NULL || value == NULL)
		return;
	n = strlen(name);
	while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	for (i = 0; i < G_N_ELEMENTS(header_rules); i++)
		if (pd_autoreply_word_is(name, n, header_rules[i].name)) {
			header_rules[i].judge(a, value, header_rules[i].arg);
			return;
		}
}

/*
 * same_mailbox - x and y (normalised addresses) name the same mailbox
 * once a "+detail" is dropped from each local part; ASCII case ignored.
 */
static bool
same_mailbox(const char *x, const char *y)
{
	const char *xat = strrchr(x, '@');
	const char *yat = strrchr(y, '@');
	size_t xl, yl;

	if (xat == NULL || yat == NULL)
		return false;
	xl = strcspn(x, "+@");
	yl = strcspn(y, "+@");
	if (xl > (size_t)(xat - x))
		xl = (size_t)(xat - x);
	if (yl > (size_t)(yat - y))
		yl = (size_t)(yat - y);
	return xl == yl && g_ascii_strncasecmp(x, y, xl) == 0 &&
	    g_ascii_strcasecmp(xat, yat) == 0;
}

/* is_agent - addr (normalised) is an agent of any queue */
static bool
is_agent(const struct pd_conf *conf, const char *addr)
{
	size_t q, i;

	for (q = 0; q < conf->n_queues; q++)
		for (i = 0; i < conf->queues[q].n_agents; i++)
			if (same_mailbox(addr, conf->queues[q].agents[i]))
				return true;
	return false;
}

/*
 * envelope_reason - the envelope rules for sender s: PD_ACK_SEND when
 * none applies; norm receives the normalised address.
 */
static enum pd_ack_verdict
envelope_reason(const char *s, char *norm, size_t normlen)
{
	char raw[PD_ADDR_MAX + 1];
	const char *end;
	size_t len;

	if (s == NULL)
		return PD_ACK_NULL_SENDER;
	s += strspn(s, " \t");
	s += *s == '<';
	end = s + strcspn(s, ">");
	if (*end == '>' && end[1 + strspn(end + 1, " \t")] != '\0')
		return PD_ACK_BAD_SENDER;	/* "<a@b>junk" */
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == s)
		return PD_ACK_NULL_SENDER;
	len = (size_t)(end - s);
	if (system_local(s, len) || system_local(s, strcspn(s, "+@>")))
		return PD_ACK_MAILER_DAEMON;
	if (len > PD_ADDR_MAX)
		return PD_ACK_BAD_SENDER;
	memcpy(raw, s, len);
	raw[len] = '\0';
	if (pd_addr_normalize(raw, norm, normlen) != PD_OK)
		return PD_ACK_BAD_SENDER;
	return PD_ACK_SEND;
}

/* pd_autoreply_verdict - the first reason in enum order, or send */
enum pd_ack_verdict
pd_autoreply_verdict(const struct pd_autoreply *a,
    const struct pd_conf *conf, const char *envelope_sender)
{
	char norm[PD_ADDR_MAX + 1];
	unsigned int reasons = a->reasons;
	enum pd_ack_verdict env;
	unsigned int v, i;

	env = envelope_reason(envelope_sender, norm, sizeof(norm));
	if (env != PD_ACK_SEND)
		return env;
	if (conf != NULL && pd_conf_queue_by_address(conf, norm) != NULL)
		reasons |= BIT(PD_ACK_SUPPORT_ADDRESS);
	if (conf != NULL && is_agent(conf, norm))
		reasons |= BIT(PD_ACK_AGENT);
	for (i = 0; conf != NULL && i < a->nloop; i++)
		if (pd_conf_queue_by_address(conf, a->loop[i]) != NULL)
			reasons |= BIT(PD_ACK_LOOP);
	for (v = PD_ACK_SEND + 1; v < PD_ACK_VERDICT_COUNT; v++)
		if ((reasons & BIT(v)) != 0)
			return (enum pd_ack_verdict)v;
	return PD_ACK_SEND;
}

/* pd_autoreply_authenticated - dmarc=pass, or spf=pass and dkim=pass */
bool
pd_autoreply_authenticated(const struct pd_autoreply *a)
{
	if ((a->auth & (PD_AR_DMARC_FAIL | PD_AR_SPF_FAIL)) != 0)
		return false;
	if ((a->auth & PD_AR_DMARC_PASS) != 0)
		return true;
	return (a->auth & (PD_AR_SPF_PASS | PD_AR_DKIM_PASS)) ==
	    (PD_AR_SPF_PASS | PD_AR_DKIM_PASS);
}

/* pd_autoreply_is_automatic - machine-made, judging by the headers */
bool
pd_autoreply_is_automatic(const struct pd_autoreply *a)
{
	return (a->reasons & AUTOMATIC) != 0;
}

/* pd_ack_verdict_name - the stable name of v */
const char *
pd_ack_verdict_name(enum pd_ack_verdict v)
{
	if ((unsigned int)v >= PD_ACK_VERDICT_COUNT)
		return "unknown";
	return verdict_names[v];
}
