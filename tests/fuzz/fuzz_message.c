/*
 * fuzz_message.c - libFuzzer target: a whole message, as the milter sees it
 *
 * FEEDS	The input as a message (header, empty line, body; any line
 *		ends).  The header is split into fields the way Postfix
 *		hands them to libmilter (name; value with its leading space,
 *		folds as "\n" plus whitespace, cut at a NUL), and each field
 *		goes where milter/milter_ctx.c sends it: pd_autoreply_header()
 *		and the first Subject, Message-ID, In-Reply-To, References,
 *		From, To, Content-Language and Accept-Language.  Return-Path
 *		stands in for the envelope sender.  Then what
 *		milter/milter_eom.c, milter/milter_agent.c,
 *		milter/milter_csat.c and lib/pd_route.c do before they touch
 *		the store: the acknowledgement verdict, Message-ID and
 *		References parsing, RFC 2047 decoding, display subject, tag
 *		search, the customer from From (GMime) or the sender, the
 *		agent lookup and the mailbox of an agent's answer, the
 *		language guess, the survey recipient, the Subject rewrite,
 *		and pd_bodyedit_commands() on the CRLF copy of the message
 *		(GMime parses it) with the excerpt and survey comment of its
 *		first text.
 * CHECKS	- the verdict is a known one; automatic mail is never
 *		  acknowledged; an authenticated sender has no failed check;
 *		- every message id kept is at most PD_MSGID_MAX bytes with
 *		  one '@' and no whitespace, control characters or brackets,
 *		  and a References list keeps at most PD_MSGID_LIST_MAX;
 *		- decoded and display subjects are UTF-8; the new Subject is
 *		  a header value we may write;
 *		- a customer address is normalised (lower case, normalising
 *		  it again changes nothing) and a name is UTF-8; the mailbox
 *		  header values we would write hold no CR or LF;
 *		- the language is NULL, "en" or "ru"; the first text is UTF-8
 *		  and its excerpt a UTF-8 prefix of it.
 * SEE ALSO	lib/pd_autoreply.h, lib/pd_msgid.h, lib/pd_mime.h,
 *		lib/pd_addr.h, lib/pd_lang.h, lib/pd_bodyedit.h,
 *		scripts/fuzz.sh.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "pd_addr.h"
#include "pd_autoreply.h"
#include "pd_bodyedit.h"
#include "pd_buf.h"
#include "pd_conf.h"
#include "pd_csat.h"
#include "pd_err.h"
#include "pd_key.h"
#include "pd_lang.h"
#include "pd_mem.h"
#include "pd_mime.h"
#include "pd_msgid.h"
#include "pd_rfc2047.h"
#include "pd_route.h"
#include "pd_subject.h"
#include "pd_tag.h"
#include "pd_team.h"
#include "fuzz.h"

#define FIELD_MAX	(16 * 1024)	/* MILTER_FIELD_MAX */
#define RAW_MAX		(4 * 1024 * 1024)

static const char conf_text[] =
	"[general]\ntag_prefix = PD\n\n"
	"[milter]\nauthserv_id = mx.example.com\n\n"
	"[queue support]\naddress = support@example.com\n"
	"name = Example Support\n"
	"agents = alice@example.com, bob@example.com\n"
	"agent_from = %a via %q\n";

enum field { F_SUBJECT, F_MSGID, F_IRT, F_REFS, F_FROM, F_TO, F_CLANG,
	F_ALANG, F_RPATH, F_COUNT };

static const char *const field_names[F_COUNT] = { "Subject",
	"Message-ID", "In-Reply-To", "References", "From", "To",
	"Content-Language", "Accept-Language", "Return-Path" };

/* struct msg - what the milter collects from one message */
struct msg {
	struct pd_autoreply ar;
	char	*f[F_COUNT];		/* first value of each field */
	size_t	 header_bytes;
	bool	 overflow;		/* over max_header_size */
	struct pd_buf raw;		/* CRLF copy for pd_bodyedit */
};

static struct pd_conf *conf;
static char tag[PD_TAG_MAX];
static struct pd_key *key;

/* LLVMFuzzerInitialize - GMime, the key and the configuration, once */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned char raw[PD_KEY_BYTES];
	struct pd_err err = { 0, "" };
	char path[64];
	int fd;

	(void)argc;
	(void)argv;
	fuzz_pin_iconv();
	pd_mime_init();
	memset(raw, 0x42, sizeof(raw));
	key = pd_key_from_bytes(raw);
	FUZZ_CHECK(pd_tag_format(key, "PD", 1042, tag, sizeof(tag)) == PD_OK,
	    "our tag formats");
	fd = memfd_create("postdesk.conf", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0 && write(fd, conf_text, sizeof(conf_text) - 1) ==
	    (ssize_t)sizeof(conf_text) - 1, "configuration written");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	conf = pd_conf_load(path, &err);
	if (conf == NULL)
		fprintf(stderr, "%s\n", err.msg);
	FUZZ_CHECK(conf != NULL, "configuration loads");
	close(fd);
	return 0;
}

/* raw_header - "Name:value" and CRLF into the raw copy (milter_ctx.c) */
static void
raw_header(struct pd_buf *b, const char *name, const char *value)
{
	const char *p;

	pd_buf_adds(b, name);
	pd_buf_addc(b, ':');
	for (p = value; *p != '\0'; p++) {
		if (*p == '\n')
			pd_buf_add(b, "\r\n", 2);
		else if (*p != '\r')
			pd_buf_addc(b, *p);
	}
	pd_buf_add(b, "\r\n", 2);
}

/* header - one field, as milter_msg_header() takes it */
static void
header(struct msg *m, const char *name, const char *value)
{
	int i;

	m->header_bytes += strlen(name) + strlen(value) + 2;
	if (m->header_bytes > (size_t)conf->max_header_size) {
		m->overflow = true;
		return;
	}
	raw_header(&m->raw, name, value);
	pd_autoreply_header(&m->ar, name, value);
	for (i = 0; i < F_COUNT; i++)
		if (g_ascii_strcasecmp(name, field_names[i]) == 0 &&
		    m->f[i] == NULL)
			m->f[i] = pd_xstrndup(value, FIELD_MAX);
}

/* name_ok - s[0..len) is a field name Postfix would accept */
static bool
name_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	return len > 0;
}

/* deliver - hand the field name[0..nlen) with value v to header() */
static void
deliver(struct msg *m, const char *name, size_t nlen, GString *v)
{
	char *n = pd_xstrndup(name, nlen);

	header(m, n, v->str);
	pd_free(n);
}

/*
 * split - the header fields of data[0..size); returns the offset of the
 * body (after the empty line, or at the first line that is no field)
 */
static size_t
split(struct msg *m, const char *data, size_t size)
{
	GString *v = g_string_new(NULL);
	const char *name = NULL;
	size_t nlen = 0;
	size_t p = 0;

	if (size > 5 && memcmp(data, "From ", 5) == 0) {
		/* an mbox "From " line, which sendmail(1) drops */
		const char *nl = memchr(data, '\n', size);

		p = nl != NULL ? (size_t)(nl - data) + 1 : size;
	}
	while (p < size) {
		const char *s = data + p;
		const char *nl = memchr(s, '\n', size - p);
		size_t len = nl != NULL ? (size_t)(nl - s) : size - p;
		size_t next = p + len + (nl != NULL);
		const char *colon;

		if (len > 0 && s[len - 1] == '\r')
			len--;
		if (name != NULL && len > 0 && (s[0] == ' ' || s[0] == '\t')) {
			g_string_append_c(v, '\n');
			g_string_append_len(v, s, (gssize)len);
			p = next;
			continue;
		}
		if (name != NULL)
			deliver(m, name, nlen, v);
		name = NULL;
		colon = memchr(s, ':', len);
		if (len == 0) {
			p = next;
			break;
		}
		if (colon == NULL || !name_ok(s, (size_t)(colon - s)))
			break;
		name = s;
		nlen = (size_t)(colon - s);
		g_string_assign(v, "");
		g_string_append_len(v, colon + 1, (gssize)(len - nlen - 1));
		p = next;
	}
	if (name != NULL)
		deliver(m, name, nlen, v);
	g_string_free(v, TRUE);
	return p;
}

/* body - data[0..size) into the raw copy with every line end CRLF */
static void
body(struct pd_buf *b, const char *data, size_t size)
{
	size_t i;

	pd_buf_add(b, "\r\n", 2);
	for (i = 0; i < size; i++) {
		if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
			pd_buf_addc(b, '\r');
		pd_buf_addc(b, data[i]);
	}
}

/* check_id - one message id as a store key */
static void
check_id(const char *id)
{
	const char *at = strchr(id, '@');
	size_t i;

	FUZZ_CHECK(strlen(id) <= PD_MSGID_MAX, "id length");
	FUZZ_CHECK(at != NULL && strchr(at + 1, '@') == NULL, "one '@'");
	for (i = 0; id[i] != '\0'; i++)
		FUZZ_CHECK((unsigned char)id[i] > ' ' && id[i] != 0x7f &&
		    id[i] != '<' && id[i] != '>', "no space, control, bracket");
}

/* check_ids - Message-ID, References, In-Reply-To */
static void
check_ids(const struct msg *m)
{
	struct pd_msgid_list refs;
	char id[PD_MSGID_MAX + 1];
	size_t i;

	if (m->f[F_MSGID] != NULL &&
	    pd_msgid_parse_one(m->f[F_MSGID], id, sizeof(id)) == PD_OK)
		check_id(id);
	memset(&refs, 0, sizeof(refs));
	if (m->f[F_REFS] != NULL)
		pd_msgid_list_parse(&refs, m->f[F_REFS]);
	if (m->f[F_IRT] != NULL)
		pd_msgid_list_parse(&refs, m->f[F_IRT]);
	FUZZ_CHECK(refs.n <= PD_MSGID_LIST_MAX, "list length");
	for (i = 0; i < refs.n; i++)
		check_id(refs.ids[i]);
	pd_msgid_list_free(&refs);
}

/* check_verdict - the acknowledgement rules */
static void
check_verdict(const struct msg *m)
{
	const char *sender = m->f[F_RPATH];
	enum pd_ack_verdict v;

	if (sender != NULL)
		sender += strspn(sender, " \t");
	v = pd_autoreply_verdict(&m->ar, conf, sender);
	FUZZ_CHECK(v >= PD_ACK_SEND && v < PD_ACK_VERDICT_COUNT &&
	    strcmp(pd_ack_verdict_name(v), "unknown") != 0, "known verdict");
	if (pd_autoreply_is_automatic(&m->ar))
		FUZZ_CHECK(v != PD_ACK_SEND, "automatic mail gets no ack");
	if (pd_autoreply_authenticated(&m->ar))
		FUZZ_CHECK(v != PD_ACK_AUTH_FAILED, "authenticated: no fail");
}

/* check_addr - a normalised address */
static void
check_addr(const char *addr)
{
	char again[PD_ADDR_MAX + 1];
	char *low = g_ascii_strdown(addr, -1);

	FUZZ_CHECK(strcmp(low, addr) == 0, "address in lower case");
	FUZZ_CHECK(pd_addr_normalize(addr, again, sizeof(again)) == PD_OK &&
	    strcmp(again, addr) == 0, "normalising twice changes nothing");
	FUZZ_CHECK(fuzz_one_line(addr, strlen(addr)), "address on one line");
	g_free(low);
}

/* check_mailbox - a From value we would write, as milter_agent.c does */
static void
check_mailbox(const char *name, const char *addr)
{
	char display[256];
	char *v;

	v = pd_mime_mailbox(name, addr);
	FUZZ_CHECK(v != NULL, "a UTF-8 name makes a mailbox");
	FUZZ_CHECK(fuzz_one_line(v, strlen(v)), "mailbox without CR/LF");
	pd_free(v);
	pd_team_from_name(&conf->queues[0], name != NULL ? name : addr,
	    display, sizeof(display));
	v = pd_mime_mailbox(display, conf->queues[0].address);
	if (v != NULL)
		FUZZ_CHECK(fuzz_one_line(v, strlen(v)), "agent From one line");
	pd_free(v);
}

/* check_people - customer, agent and survey recipient */
static void
check_people(const struct msg *m)
{
	char norm[PD_ADDR_MAX + 1];
	char *name = NULL;
	char *addr = NULL;
	int64_t survey;
	int grade;

	if (m->f[F_FROM] != NULL &&
	    pd_mime_from_parse(m->f[F_FROM], &name, &addr) == PD_OK) {
		check_addr(addr);
		if (name != NULL)
			FUZZ_CHECK(fuzz_utf8(name, strlen(name)), "name UTF-8");
		(void)pd_team_agent(conf, addr, NULL);
		check_mailbox(name, addr);
	}
	if (m->f[F_RPATH] != NULL &&
	    pd_addr_normalize(m->f[F_RPATH], norm, sizeof(norm)) == PD_OK)
		check_addr(norm);
	if (m->f[F_TO] != NULL) {
		(void)pd_conf_queue_by_address(conf, m->f[F_TO]);
		FUZZ_CHECK(pd_csat_parse(key, m->f[F_TO], &survey, &grade) !=
		    PD_OK, "no survey token is guessed");
	}
	pd_free(name);
	pd_free(addr);
}

/* check_subject - decode, display, tags, language, rewrite */
static void
check_subject(const struct msg *m)
{
	const char *raw = m->f[F_SUBJECT];
	size_t len = raw != NULL ? strlen(raw) : 0;
	struct pd_tag_match t;
	char *decoded = NULL;
	char *display = NULL;
	char *out = NULL;
	const char *lang;

	if (raw != NULL) {
		decoded = pd_rfc2047_decode(raw, len, NULL);
		display = pd_subject_display(raw, len, "PD");
	}
	if (decoded != NULL) {
		FUZZ_CHECK(fuzz_utf8(decoded, strlen(decoded)), "decoded");
		if (pd_tag_find(decoded, strlen(decoded), "PD", &t))
			(void)pd_tag_verify(key, "PD", &t);
	}
	if (display != NULL)
		FUZZ_CHECK(fuzz_utf8(display, strlen(display)), "display");
	lang = pd_lang_guess(m->f[F_CLANG], m->f[F_ALANG], display);
	FUZZ_CHECK(lang == NULL || strcmp(lang, "en") == 0 ||
	    strcmp(lang, "ru") == 0, "a language postdesk speaks");
	if (pd_subject_rewrite(raw != NULL ? raw : "", len, "PD", tag, &out,
	    NULL) == PD_OK)
		FUZZ_CHECK(fuzz_header_safe(out, strlen(out)),
		    "new Subject is a safe header value");
	pd_free(out);
	pd_free(decoded);
	pd_free(display);
}

/* check_body - the agent's commands and the first text */
static void
check_body(const struct msg *m)
{
	char excerpt[PD_ROUTE_EXCERPT_MAX];
	struct pd_err err = { 0, "" };
	struct pd_bodyedit be;
	const char *e;
	char *comment;
	int digit;

	if (pd_bodyedit_commands(m->raw.data, m->raw.len, &be, &err) ==
	    PD_OK && be.first_text != NULL) {
		FUZZ_CHECK(fuzz_utf8(be.first_text, strlen(be.first_text)),
		    "first text UTF-8");
		e = pd_route_excerpt(be.first_text, excerpt, sizeof(excerpt));
		FUZZ_CHECK(e != NULL && strlen(e) < sizeof(excerpt) &&
		    strncmp(e, be.first_text, strlen(e)) == 0 &&
		    fuzz_utf8(e, strlen(e)), "excerpt: a UTF-8 prefix");
		comment = pd_csat_comment(be.first_text, conf->csat_grades,
		    &digit);
		pd_free(comment);
	}
	pd_bodyedit_free(&be);
}

/* LLVMFuzzerTestOneInput - one message */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct msg m;
	size_t off;
	int i;

	memset(&m, 0, sizeof(m));
	pd_autoreply_init(&m.ar, conf->authserv_id);
	pd_buf_init(&m.raw, RAW_MAX);
	off = split(&m, text, size);
	if (!m.overflow) {
		body(&m.raw, text + off, size - off);
		check_verdict(&m);
		check_ids(&m);
		check_people(&m);
		check_subject(&m);
		check_body(&m);
	}
	for (i = 0; i < F_COUNT; i++)
		pd_free(m.f[i]);
	pd_buf_free(&m.raw);
	return 0;
}
