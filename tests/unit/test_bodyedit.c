/*
 * test_bodyedit.c - unit and corpus tests for pd_bodyedit
 *
 * PURPOSE	Synthetic messages for each case of pd_bodyedit.h: 7bit,
 *		quoted-printable (soft breaks, "=23"), base64, alternative
 *		plain + HTML, mixed with attachments (kept byte for byte),
 *		a top-level KOI8-R part (new Content-Type reported), 8-bit
 *		text that must become quoted-printable, signed, encrypted and
 *		S/MIME mail (sealed), no commands, undecodable text and a
 *		message GMime cannot parse.  Every new body is checked by
 *		parsing it again, with the original headers (the reported
 *		Content-Type and Content-Transfer-Encoding put in), and
 *		comparing the decoded text.  Then the shared corpus (PD_CORPUS
 *		or ../shared/corpus, skipped when missing): every message
 *		must go through without a crash, and every message whose
 *		first text can be found and decoded gets "#resolve" put at
 *		the top of its text part(s), must give exactly that command,
 *		and must come back with the original text.  Four threads run
 *		the same message at once at the end.
 * DESIGN	Messages are written with LF and turned into CRLF as the
 *		milter would pass them.  The test finds text parts with its
 *		own small walk (the rules of pd_bodyedit.h) and decodes them
 *		itself, so that the module is not checked against itself.
 *		Negative controls: no commands, '#' mid-line, attachments,
 *		message/rfc822 and quoted text must not change anything.
 *
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "pd_bodyedit.h"
#include "pd_mem.h"
#include "pd_mime.h"
#include "../harness/tap.h"

#define CORPUS_FILE_MAX	(8 * 1024 * 1024)

/*
 * crlf - text with every bare LF and bare CR made CRLF, as Postfix hands
 * mail to a milter (g_free())
 */
static char *
crlf(const char *p, size_t n, size_t *outlen)
{
	GString *s = g_string_sized_new(n + n / 16 + 2);
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			g_string_append_c(s, '\r');
		g_string_append_c(s, p[i]);
		if (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n'))
			g_string_append_c(s, '\n');
	}
	*outlen = s->len;
	return g_string_free(s, FALSE);
}

/*
 * lf - text without CRs (g_free()): CRLF becomes LF, and a stray CR, which
 * text may not hold (RFC 2045 2.7) and GMime's codecs do not keep, goes
 */
static char *
lf(const char *p, size_t n)
{
	GString *s = g_string_sized_new(n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != '\r')
			g_string_append_c(s, p[i]);
	return g_string_free(s, FALSE);
}

/*
 * same_text - a and b equal but for newlines at the end (GMime writes one
 * more where a malformed multipart lacks its closing boundary)
 */
static bool
same_text(const char *a, const char *b)
{
	size_t an = strlen(a), bn = strlen(b);

	while (an > 0 && a[an - 1] == '\n')
		an--;
	while (bn > 0 && b[bn - 1] == '\n')
		bn--;
	return an == bn && memcmp(a, b, an) == 0;
}

/* parse - a message from bytes, or NULL */
static GMimeMessage *
parse(const char *p, size_t n)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(p, n);
	GMimeParser *parser = g_mime_parser_new_with_stream(st);
	GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);

	g_object_unref(parser);
	g_object_unref(st);
	return m;
}

struct texts {
	GMimePart	*plain;
	GMimePart	*html;
	bool		 sealed;
};

/* walk - the text parts pd_bodyedit.h says carry the commands */
static void
walk(GMimeObject *o, int depth, struct texts *t)
{
	GMimeContentType *ct;
	int i, n;

	if (o == NULL || depth > 20)
		return;
	ct = g_mime_object_get_content_type(o);
	if (g_mime_content_type_is_type(ct, "multipart", "signed") ||
	    g_mime_content_type_is_type(ct, "multipart", "encrypted") ||
	    g_mime_content_type_is_type(ct, "application", "pkcs7-mime") ||
	    g_mime_content_type_is_type(ct, "application", "x-pkcs7-mime")) {
		t->sealed = true;
		return;
	}
	if (GMIME_IS_MULTIPART(o)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(o));
		if (!g_mime_content_type_is_type(ct, "multipart",
		    "alternative") && n > 1)
			n = 1;
		for (i = 0; i < n; i++)
			walk(g_mime_multipart_get_part(GMIME_MULTIPART(o), i),
			    depth + 1, t);
		return;
	}
	if (!GMIME_IS_PART(o) || g_mime_part_is_attachment(GMIME_PART(o)))
		return;
	if (t->plain == NULL && g_mime_content_type_is_type(ct, "text",
	    "plain"))
		t->plain = GMIME_PART(o);
	else if (t->html == NULL && g_mime_content_type_is_type(ct, "text",
	    "html"))
		t->html = GMIME_PART(o);
}

/* raw_of - the transfer-decoded bytes of a part */
static GByteArray *
raw_of(GMimePart *p)
{
	GByteArray *a = g_byte_array_new();
	GMimeStream *ms = g_mime_stream_mem_new_with_byte_array(a);

	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(ms), FALSE);
	if (g_mime_part_get_content(p) != NULL)
		g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(p),
		    ms);
	g_object_unref(ms);
	return a;
}

/* text_of - a part's text as UTF-8 with LF line ends, or NULL */
static char *
text_of(GMimePart *p)
{
	const char *cs = g_mime_object_get_content_type_parameter(
	    GMIME_OBJECT(p), "charset");
	GByteArray *a = raw_of(p);
	const char *raw = a->len > 0 ? (const char *)a->data : "";
	gchar *u = NULL, *out = NULL;
	gsize n = 0;

	if (cs == NULL || g_ascii_strcasecmp(cs, "utf-8") == 0 ||
	    g_ascii_strcasecmp(cs, "us-ascii") == 0) {
		u = g_strndup(raw, a->len);
		n = a->len;
	} else {
		u = g_convert(raw, (gssize)a->len, "UTF-8",
		    g_mime_charset_iconv_name(cs), NULL, &n, NULL);
	}
	if (u != NULL && g_utf8_validate(u, (gssize)n, NULL) &&
	    strlen(u) == n)
		out = lf(u, n);
	g_free(u);
	g_byte_array_free(a, TRUE);
	return out;
}

/* header_end - offset of the empty line that ends the header block */
static size_t
header_end(const char *m)
{
	const char *e = strstr(m, "\r\n\r\n");

	return e != NULL ? (size_t)(e - m) + 2 : strlen(m);
}

/* drop_header - remove field name (with its folds) from a header block */
static void
drop_header(GString *h, const char *name)
{
	size_t n = strlen(name), i = 0, end;

	while (i < h->len) {
		end = i;
		do {
			while (end < h->len && h->str[end] != '\n')
				end++;
			end++;
		} while (end < h->len && (h->str[end] == ' ' ||
		    h->str[end] == '\t'));
		if (end > h->len)
			end = h->len;
		if (g_ascii_strncasecmp(h->str + i, name, n) == 0 &&
		    h->str[i + n] == ':')
			g_string_erase(h, (gssize)i, (gssize)(end - i));
		else
			i = end;
	}
}

/*
 * rebuild - the message as the MTA will have it: the header block of m
 * with the reported values put in, then the new body (g_free())
 */
static char *
rebuild(const char *m, const struct pd_bodyedit *be, size_t *len)
{
	GString *s = g_string_new_len(m, (gssize)header_end(m));

	if (be->content_type != NULL) {
		drop_header(s, "Content-Type");
		g_string_append_printf(s, "Content-Type: %s\r\n",
		    be->content_type);
	}
	if (be->content_transfer_encoding != NULL) {
		drop_header(s, "Content-Transfer-Encoding");
		g_string_append_printf(s, "Content-Transfer-Encoding: %s\r\n",
		    be->content_transfer_encoding);
	}
	g_string_append(s, "\r\n");
	g_string_append_len(s, pd_buf_str(&be->body), (gssize)be->body.len);
	*len = s->len;
	return g_string_free(s, FALSE);
}

/* cmds_str - "resolve priority=high" */
static void
cmds_str(const struct pd_cmd_list *l, char *out, size_t size)
{
	size_t o = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < l->n && o + 1 < size; i++)
		o += (size_t)snprintf(out + o, size - o, "%s%s%s%s",
		    i ? " " : "", pd_cmd_name(l->cmds[i].kind),
		    l->cmds[i].arg[0] ? "=" : "", l->cmds[i].arg);
}

struct want {
	const char	*cmds;
	bool		 changed;
	bool		 sealed;
	const char	*plain;		/* text after re-parsing, or NULL */
	const char	*html;
	const char	*ct;		/* content_type, or NULL */
	const char	*cte;
};

/*
 * run - msg (LF) through pd_bodyedit; check w; return the CRLF message
 * (g_free()) and leave the result in *be
 */
static char *
run(const char *name, const char *msg, const struct want *w,
    struct pd_bodyedit *be)
{
	struct pd_err err = { 0, "" };
	char got[1024], label[200], *m, *re, *t;
	struct texts tx = { NULL, NULL, false };
	GMimeMessage *pm;
	size_t len, rlen;

	m = crlf(msg, strlen(msg), &len);
	is_int(pd_bodyedit_commands(m, len, be, &err), PD_OK, name);
	cmds_str(&be->cmds, got, sizeof(got));
	snprintf(label, sizeof(label), "%s: commands", name);
	is_str(got, w->cmds, label);
	ok(be->changed == w->changed && be->sealed == w->sealed,
	    "%s: changed %d sealed %d", name, w->changed, w->sealed);
	snprintf(label, sizeof(label), "%s: Content-Type", name);
	is_str(be->content_type, w->ct, label);
	snprintf(label, sizeof(label), "%s: Content-Transfer-Encoding", name);
	is_str(be->content_transfer_encoding, w->cte, label);
	if (!be->changed)
		return m;
	re = rebuild(m, be, &rlen);
	pm = parse(re, rlen);
	if (pm != NULL)
		walk(g_mime_message_get_mime_part(pm), 0, &tx);
	if (w->plain != NULL) {
		t = tx.plain != NULL ? text_of(tx.plain) : NULL;
		snprintf(label, sizeof(label), "%s: plain text", name);
		is_str(t, w->plain, label);
		g_free(t);
	}
	if (w->html != NULL) {
		t = tx.html != NULL ? text_of(tx.html) : NULL;
		snprintf(label, sizeof(label), "%s: HTML text", name);
		is_str(t, w->html, label);
		g_free(t);
	}
	if (pm != NULL)
		g_object_unref(pm);
	g_free(re);
	return m;
}

/* contains - hay holds needle (bytes) */
static bool
contains(const struct pd_buf *hay, const char *needle)
{
	size_t n = strlen(needle);
	size_t i;

	for (i = 0; n <= hay->len && i <= hay->len - n; i++)
		if (memcmp(hay->data + i, needle, n) == 0)
			return true;
	return false;
}

/* check - run a case and drop the results */
static void
check(const char *name, const char *msg, const struct want *w)
{
	struct pd_bodyedit be;

	g_free(run(name, msg, w, &be));
	pd_bodyedit_free(&be);
}

#define H	"From: Agent <agent@example.com>\nTo: support@example.com\n" \
	"Subject: Re: [PD-1-ABCD] printer\nMIME-Version: 1.0\n"

/* test_plain - 7bit, quoted-printable, base64 */
static void
test_plain(void)
{
	struct pd_bodyedit be;
	char *m;

	m = run("7bit", H "Content-Type: text/plain; charset=us-ascii\n"
	    "Content-Transfer-Encoding: 7bit\n\n#resolve\n#priority high\n\n"
	    "Hello Jane,\nfixed.\n", &(struct want){ "resolve priority=high",
	    true, false, "Hello Jane,\nfixed.\n", NULL, NULL, NULL }, &be);
	is_str(pd_buf_str(&be.body), "Hello Jane,\r\nfixed.\r\n",
	    "7bit: the body exactly");
	is_str(be.first_text, "Hello Jane,\nfixed.\n", "7bit: first_text");
	pd_bodyedit_free(&be);
	g_free(m);
	m = run("quoted-printable", H "Content-Type: text/plain; charset="
	    "utf-8\nContent-Transfer-Encoding: quoted-printable\n\n=23resolve"
	    "\n=23assign bob\n\nA long line that is broken with a soft =\n"
	    "line break, caf=C3=A9.\n", &(struct want){ "resolve assign=bob",
	    true, false, "A long line that is broken with a soft line break, "
	    "caf\xc3\xa9.\n", NULL, NULL, NULL }, &be);
	ok(contains(&be.body, "=C3=A9") && !contains(&be.body, "#"),
	    "quoted-printable: still encoded, no command left");
	pd_bodyedit_free(&be);
	g_free(m);
	check("QP soft break inside the command", H "Content-Type: text/plain"
	    "\nContent-Transfer-Encoding: quoted-printable\n\n=23reso=\nlve\n"
	    "Hi\n", &(struct want){ "resolve", true, false, "Hi\n", NULL, NULL,
	    NULL });
	m = run("only commands", H "Content-Type: text/plain\n\n#resolve\n",
	    &(struct want){ "resolve", true, false, "", NULL, NULL, NULL },
	    &be);
	is_int((long long)be.body.len, 0, "only commands: empty body");
	pd_bodyedit_free(&be);
	g_free(m);
	/* base64 of "#resolve\r\n#open\r\nHi there, done.\r\n" */
	m = run("base64", H "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: base64\n\nI3Jlc29sdmUNCiNvcGVuDQpIaSB0"
	    "aGVyZSwgZG9uZS4NCg==\n", &(struct want){ "resolve open", true,
	    false, "Hi there, done.\n", NULL, NULL, NULL }, &be);
	ok(!contains(&be.body, "Hi there"), "base64: still encoded");
	pd_bodyedit_free(&be);
	g_free(m);
}

#define ALT_PLAIN "--ALT\nContent-Type: text/plain; charset=utf-8\n\n" \
	"#resolve\nThanks!\n"
#define ALT_HTML(x) "--ALT\nContent-Type: text/html; charset=utf-8\n" \
	"Content-Transfer-Encoding: quoted-printable\n\n<div dir=3D\"ltr\">" \
	x "<div>Thanks!</div></div>\n--ALT--\nepilogue\n"
#define ALT_HEAD H "Content-Type: multipart/alternative; boundary=\"ALT\"\n" \
	"\nThis is a preamble.\n\n"

/* test_alternative - both alternatives stripped, boundaries kept */
static void
test_alternative(void)
{
	struct pd_bodyedit be;
	const char *b;
	char *m;

	m = run("alternative", ALT_HEAD ALT_PLAIN ALT_HTML("#resolve"),
	    &(struct want){ "resolve", true, false, "Thanks!",
	    "<div dir=\"ltr\"><div>Thanks!</div></div>", NULL, NULL }, &be);
	b = pd_buf_str(&be.body);
	ok(strncmp(b, "This is a preamble.\r\n\r\n--ALT\r\n", 30) == 0 &&
	    be.body.len > 20 && strcmp(b + be.body.len - 19,
	    "--ALT--\r\nepilogue\r\n") == 0,
	    "alternative: preamble, boundaries and epilogue kept");
	ok(!be.html_differs, "alternative: same commands in both");
	is_str(be.first_text, "Thanks!", "alternative: first_text (plain)");
	pd_bodyedit_free(&be);
	g_free(m);
	m = run("alternative, HTML without command", ALT_HEAD ALT_PLAIN
	    ALT_HTML(""), &(struct want){ "resolve", true, false, "Thanks!",
	    "<div dir=\"ltr\"><div>Thanks!</div></div>", NULL, NULL }, &be);
	ok(be.html_differs, "alternative, HTML without command: differs");
	pd_bodyedit_free(&be);
	g_free(m);
	m = run("alternative, other HTML command", ALT_HEAD ALT_PLAIN
	    ALT_HTML("#pending"), &(struct want){ "resolve", true, false,
	    "Thanks!", "<div dir=\"ltr\"><div>Thanks!</div></div>", NULL,
	    NULL }, &be);
	ok(be.html_differs, "alternative, other HTML command: differs, "
	    "plain one used, HTML stripped");
	pd_bodyedit_free(&be);
	g_free(m);
	m = run("HTML only", H "Content-Type: text/html; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n<p>#resolve</p>"
	    "<p>Gr=FC=DFe</p>\n", &(struct want){ "resolve", true, false, NULL,
	    "<p></p><p>Gr\xc3\xbc\xc3\x9f" "e</p>\n",
	    "text/html; charset=utf-8", NULL }, &be);
	is_str(be.first_text, "\n\n\nGr\xc3\xbc\xc3\x9f" "e\n ",
	    "HTML only: first_text is the visible text");
	pd_bodyedit_free(&be);
	g_free(m);
}

#define PDF	"--MIX\nContent-Type: application/pdf; name=\"a.pdf\"\n" \
	"Content-Disposition: attachment; filename=\"a.pdf\"\n" \
	"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQKJcOkw7zDtsOfCjIg" \
	"MCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0\nZURlY29kZT4+CnN0cmVh" \
	"bQp4n" \
	"DPQM1Qo5ypUMFAw0DMwslAwtTTVMzIxVkgx\n--MIX\nContent-Type: text/plain" \
	"; charset=utf-8\nContent-Disposition: attachment; filename=\"n.txt\"" \
	"\n\n#resolve\nattached text\n--MIX--\n"

/* test_mixed - only the first child; attachments byte for byte */
static void
test_mixed(void)
{
	struct pd_bodyedit be;
	char *m, *att;
	size_t n;

	m = run("mixed", H "Content-Type: multipart/mixed; boundary=\"MIX\"\n"
	    "\n--MIX\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n#pending\n\xd0\x9f\xd1\x80\xd0"
	    "\xb8\xd0\xb2\xd0\xb5\xd1\x82!\n" PDF, &(struct want){ "pending",
	    true, false, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82!",
	    NULL, NULL, NULL }, &be);
	att = crlf(PDF, strlen(PDF), &n);
	ok(contains(&be.body, att) && contains(&be.body, "8bit"),
	    "mixed: attachments byte for byte, 8bit kept");
	g_free(att);
	pd_bodyedit_free(&be);
	g_free(m);
	check("mixed, attachment first", H "Content-Type: multipart/mixed; "
	    "boundary=\"MIX\"\n\n" PDF, &(struct want){ "", false, false, NULL,
	    NULL, NULL, NULL });
	check("mixed, nested alternative", H "Content-Type: multipart/mixed; "
	    "boundary=\"MIX\"\n\n--MIX\nContent-Type: multipart/alternative; "
	    "boundary=\"ALT\"\n\n" ALT_PLAIN ALT_HTML("#resolve") PDF,
	    &(struct want){ "resolve", true, false, "Thanks!",
	    "<div dir=\"ltr\"><div>Thanks!</div></div>", NULL, NULL });
	check("mixed, message/rfc822 first", H "Content-Type: multipart/mixed;"
	    " boundary=\"MIX\"\n\n--MIX\nContent-Type: message/rfc822\n\n"
	    "Subject: x\n\n#resolve\n" PDF, &(struct want){ "", false, false,
	    NULL, NULL, NULL, NULL });
	check("top-level attachment", H "Content-Type: text/plain\n"
	    "Content-Disposition: attachment; filename=x.txt\n\n#resolve\n",
	    &(struct want){ "", false, false, NULL, NULL, NULL, NULL });
}

/* KOI8-R "Добрый день!\nВопрос решён.\n" and its UTF-8 */
#define KOI8	"\xe4\xcf\xc2\xd2\xd9\xca \xc4\xc5\xce\xd8!\n\xf7\xcf\xd0\xd2" \
	"\xcf\xd3 \xd2\xc5\xdb\xa3\xce.\n"
#define KOI8_U	"\xd0\x94\xd0\xbe\xd0\xb1\xd1\x80\xd1\x8b\xd0\xb9 \xd0\xb4" \
	"\xd0\xb5\xd0\xbd\xd1\x8c!\n\xd0\x92\xd0\xbe\xd0\xbf\xd1\x80\xd0" \
	"\xbe\xd1\x81 \xd1\x80\xd0\xb5\xd1\x88\xd1\x91\xd0\xbd.\n"
/* windows-1251 "Привет, мир" */
#define CP1251	"\xcf\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0\n"
#define CP1251_U "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, \xd0" \
	"\xbc\xd0\xb8\xd1\x80\n"

/* test_charsets - relabelling, encodings, undecodable text */
static void
test_charsets(void)
{
	struct pd_bodyedit be;
	char *m;
	char line[1300];

	m = run("KOI8-R top level", H "Content-Type: text/plain; charset="
	    "koi8-r\nContent-Transfer-Encoding: 8bit\n\n#resolve\n" KOI8,
	    &(struct want){ "resolve", true, false, KOI8_U, NULL,
	    "text/plain; charset=utf-8", NULL }, &be);
	is_str(be.first_text, KOI8_U, "KOI8-R top level: first_text");
	pd_bodyedit_free(&be);
	g_free(m);
	check("KOI8-R quoted-printable", H "Content-Type: text/plain; "
	    "charset=KOI8-R; format=flowed\nContent-Transfer-Encoding: "
	    "quoted-printable\n\n#open\n=E4=CF=C2=D2=D9=CA =C4=C5=CE=D8!\n",
	    &(struct want){ "open", true, false, "\xd0\x94\xd0\xbe\xd0\xb1\xd1"
	    "\x80\xd1\x8b\xd0\xb9 \xd0\xb4\xd0\xb5\xd0\xbd\xd1\x8c!\n", NULL,
	    "text/plain; charset=utf-8; format=flowed", NULL });
	check("8-bit text without labels", H "\n#open\n" CP1251_U,
	    &(struct want){ "open", true, false, CP1251_U, NULL,
	    "text/plain; charset=utf-8", "quoted-printable" });
	check("7bit ASCII without labels", H "\n#open\nHi\n",
	    &(struct want){ "open", true, false, "Hi\n", NULL, NULL, NULL });
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	m = g_strdup_printf(H "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n#open\n%s\n", line);
	check("8bit line over 998 octets", m, &(struct want){ "open", true,
	    false, NULL, NULL, NULL, "quoted-printable" });
	g_free(m);
	m = run("invalid UTF-8", H "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n#resolve\nbad \xff\xfe\n",
	    &(struct want){ "resolve", false, false, NULL, NULL, NULL, NULL },
	    &be);
	ok(be.undecodable, "invalid UTF-8: undecodable, left as it was");
	pd_bodyedit_free(&be);
	g_free(m);
	m = run("undeclared windows-1251", H "Content-Type: text/plain\n\n"
	    "#resolve\n" CP1251, &(struct want){ "resolve", false, false, NULL,
	    NULL, NULL, NULL }, &be);
	ok(be.undecodable, "undeclared windows-1251: undecodable");
	is_str(be.first_text, CP1251_U, "undeclared windows-1251: first_text "
	    "guessed");
	pd_bodyedit_free(&be);
	g_free(m);
	check("unknown charset", H "Content-Type: text/plain; charset=x-none"
	    "\n\n#resolve\nHi\n", &(struct want){ "resolve", false, false,
	    NULL, NULL, NULL, NULL });
}

#define SIG	"Content-Type: multipart/signed; protocol=\"application/pgp-" \
	"signature\"; micalg=pgp-sha256; boundary=\"SIG\"\n\n--SIG\n" \
	"Content-Type: text/plain; charset=utf-8\n\n#resolve\n#assign bob\n" \
	"Signed text.\n--SIG\nContent-Type: application/pgp-signature; " \
	"name=\"signature.asc\"\n\n-----BEGIN PGP SIGNATURE-----\n" \
	"iQEzBAEBCAAdFiEE\n-----END PGP SIGNATURE-----\n--SIG--\n"

/* test_sealed - signed and encrypted mail is read, never edited */
static void
test_sealed(void)
{
	struct pd_bodyedit be;
	char *m;

	m = run("multipart/signed", H SIG, &(struct want){
	    "resolve assign=bob", false, true, NULL, NULL, NULL, NULL }, &be);
	ok(be.body.len == 0 && be.first_text != NULL &&
	    strcmp(be.first_text, "Signed text.") == 0,
	    "multipart/signed: body untouched, first_text after the block");
	pd_bodyedit_free(&be);
	g_free(m);
	check("signed inside mixed", H "Content-Type: multipart/mixed; "
	    "boundary=\"MIX\"\n\n--MIX\n" SIG PDF, &(struct want){
	    "resolve assign=bob", false, true, NULL, NULL, NULL, NULL });
	check("application/pkcs7-mime", H "Content-Type: application/pkcs7-"
	    "mime; smime-type=enveloped-data; name=smime.p7m\n"
	    "Content-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHA6CAMIACAQ"
	    "Ax\n",
	    &(struct want){ "", false, true, NULL, NULL, NULL, NULL });
	check("application/x-pkcs7-mime", H "Content-Type: application/x-"
	    "pkcs7-mime; name=smime.p7m\nContent-Transfer-Encoding: base64\n\n"
	    "MIAGCSqGSIb3DQEHAqCAMIACAQEx\n", &(struct want){ "", false, true,
	    NULL, NULL, NULL, NULL });
	check("multipart/encrypted", H "Content-Type: multipart/encrypted; "
	    "protocol=\"application/pgp-encrypted\"; boundary=\"E\"\n\n--E\n"
	    "Content-Type: application/pgp-encrypted\n\nVersion: 1\n--E\n"
	    "Content-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE"
	    "-----\nhQEMA\n-----END PGP MESSAGE-----\n--E--\n", &(struct want){
	    "", false, true, NULL, NULL, NULL, NULL });
}

/* test_nothing - no commands, bad input */
static void
test_nothing(void)
{
	struct pd_err err = { 0, "" };
	struct pd_bodyedit be;
	char *m;

	m = run("no commands", H "Content-Type: text/plain\n\nHello #resolve"
	    "\n#open\n", &(struct want){ "", false, false, NULL, NULL, NULL,
	    NULL }, &be);
	is_str(be.first_text, "Hello #resolve\n#open\n",
	    "no commands: first_text");
	pd_bodyedit_free(&be);
	g_free(m);
	check("quoted first", H "\n> #resolve\n", &(struct want){ "", false,
	    false, NULL, NULL, NULL, NULL });
	check("headers only", H "\n", &(struct want){ "", false, false, NULL,
	    NULL, NULL, NULL });
	is_int(pd_bodyedit_commands("garbage", 7, &be, &err), PD_EINVAL,
	    "garbage: PD_EINVAL");
	ok(err.code == PD_EINVAL && err.msg[0] != '\0' && !be.changed,
	    "garbage: err set, nothing changed");
	pd_bodyedit_free(&be);
	pd_bodyedit_free(NULL);
	pd_bodyedit_free(&be);
	ok(be.first_text == NULL && be.body.data == NULL,
	    "free: NULL-safe, leaves it zeroed");
}

/* --- corpus ----------------------------------------------------------- */

struct tally {
	size_t	files, parsed, changed;
	size_t	tried, passed;
};

/*
 * insert_html - "#resolve<br>" at the very start: some HTML has visible
 * text before <body> (mailparser spam.eml), so after <body> would not
 * always be the top
 */
static GByteArray *
insert_html(const GByteArray *a)
{
	GByteArray *o = g_byte_array_new();

	g_byte_array_append(o, (const guint8 *)"#resolve<br>", 12);
	g_byte_array_append(o, a->data, a->len);
	return o;
}

/* put_command - put "#resolve" at the top of part; keep its encoding */
static void
put_command(GMimePart *part, bool html)
{
	GByteArray *a = raw_of(part), *o;
	GMimeStream *ms;
	GMimeDataWrapper *w;

	if (html) {
		o = insert_html(a);
	} else {
		o = g_byte_array_new();
		g_byte_array_append(o, (const guint8 *)"#resolve\r\n", 10);
		g_byte_array_append(o, a->data, a->len);
	}
	ms = g_mime_stream_mem_new_with_buffer((char *)o->data, o->len);
	w = g_mime_data_wrapper_new_with_stream(ms,
	    GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, w);
	g_object_unref(w);
	g_object_unref(ms);
	g_byte_array_free(o, TRUE);
	g_byte_array_free(a, TRUE);
}

/* skip_blank - text without its leading blank lines (rule 4) */
static const char *
skip_blank(const char *t)
{
	const char *p = t, *line = t;

	for (;; p++) {
		if (*p == '\n')
			line = p + 1;
		else if (strncmp(p, "\xc2\xa0", 2) == 0)
			p++;
		else if (*p != ' ' && *p != '\t' && *p != '\r')
			return *p == '\0' ? p : line;
	}
}

/* corpus_round - original texts must come back after the round trip */
static bool
corpus_round(const char *mod, size_t len, const char *plain,
    const char *html, char *why, size_t wsize)
{
	struct pd_bodyedit be;
	struct texts tx = { NULL, NULL, false };
	GMimeMessage *pm = NULL;
	char *re = NULL, *tp = NULL, *th = NULL;
	size_t rlen;
	bool good = false;

	if (pd_bodyedit_commands(mod, len, &be, NULL) != PD_OK ||
	    be.cmds.n != 1 || be.cmds.bad || !be.changed || be.undecodable) {
		snprintf(why, wsize, "n=%d bad=%d changed=%d undecodable=%d",
		    be.cmds.n, be.cmds.bad, be.changed, be.undecodable);
		goto out;
	}
	re = rebuild(mod, &be, &rlen);
	pm = parse(re, rlen);
	if (pm != NULL)
		walk(g_mime_message_get_mime_part(pm), 0, &tx);
	tp = tx.plain != NULL ? text_of(tx.plain) : NULL;
	th = tx.html != NULL ? text_of(tx.html) : NULL;
	good = (plain == NULL || (tp != NULL && same_text(tp,
	    skip_blank(plain)))) && (html == NULL || (th != NULL &&
	    same_text(th, html)));
	if (!good)
		snprintf(why, wsize, "text differs");
out:
	g_free(tp);
	g_free(th);
	if (pm != NULL)
		g_object_unref(pm);
	g_free(re);
	pd_bodyedit_free(&be);
	return good;
}

/* corpus_insert - "#resolve" into one message and back; true if tried */
static bool
corpus_insert(const char *m, size_t len, bool *passed, char *why,
    size_t wsize)
{
	GMimeMessage *pm = parse(m, len);
	struct texts tx = { NULL, NULL, false };
	GMimeFormatOptions *fo;
	char *plain = NULL, *html = NULL, *s = NULL, *mod = NULL;
	size_t mlen;
	bool tried = false;

	if (pm != NULL)
		walk(g_mime_message_get_mime_part(pm), 0, &tx);
	if (pm == NULL || tx.sealed || (tx.plain == NULL && tx.html == NULL))
		goto out;
	plain = tx.plain != NULL ? text_of(tx.plain) : NULL;
	html = tx.html != NULL ? text_of(tx.html) : NULL;
	if ((tx.plain != NULL && (plain == NULL || plain[0] == '#')) ||
	    (tx.html != NULL && html == NULL))
		goto out;		/* not decodable here either */
	if (tx.plain != NULL)
		put_command(tx.plain, false);
	if (tx.html != NULL)
		put_command(tx.html, true);
	fo = g_mime_format_options_new();
	s = g_mime_object_to_string(GMIME_OBJECT(pm), fo);
	g_mime_format_options_free(fo);
	mod = crlf(s, strlen(s), &mlen);
	tried = true;
	*passed = corpus_round(mod, mlen, plain, html, why, wsize);
out:
	g_free(plain);
	g_free(html);
	g_free(s);
	g_free(mod);
	if (pm != NULL)
		g_object_unref(pm);
	return tried;
}

/* corpus_file - one file: no crash, then the round trip */
static void
corpus_file(const char *path, struct tally *t)
{
	struct pd_bodyedit be;
	char *raw = NULL, *m;
	char why[200];
	gsize n = 0;
	size_t len;
	bool passed = false;

	if (!g_file_get_contents(path, &raw, &n, NULL) ||
	    n > CORPUS_FILE_MAX) {
		g_free(raw);
		return;
	}
	m = crlf(raw, n, &len);
	g_free(raw);
	t->files++;
	if (pd_bodyedit_commands(m, len, &be, NULL) == PD_OK)
		t->parsed++;
	if (be.changed)
		t->changed++;
	pd_bodyedit_free(&be);
	if (corpus_insert(m, len, &passed, why, sizeof(why))) {
		t->tried++;
		if (passed)
			t->passed++;
		else if (t->tried - t->passed <= 10)
			printf("# round trip failed: %s: %s\n", path, why);
	}
	g_free(m);
}

/* corpus_dir - every .eml and .msg file below dir */
static void
corpus_dir(const char *dir, struct tally *t, int depth)
{
	GDir *d = depth < 8 ? g_dir_open(dir, 0, NULL) : NULL;
	const char *name;
	char *path;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		path = g_build_filename(dir, name, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			corpus_dir(path, t, depth + 1);
		else if (g_str_has_suffix(name, ".eml") ||
		    g_str_has_suffix(name, ".msg"))
			corpus_file(path, t);
		g_free(path);
	}
	if (d != NULL)
		g_dir_close(d);
}

/*
 * corpus_control - the round-trip check must be able to fail: a command
 * that is not at the top, and a wrong expected text
 */
static void
corpus_control(void)
{
	static const char late[] = H "\nHello\n#resolve\n";
	static const char top[] = H "\n#resolve\nHello\n";
	char *m, why[200];
	size_t len;

	m = crlf(late, strlen(late), &len);
	ok(!corpus_round(m, len, "Hello\n", NULL, why, sizeof(why)),
	    "corpus round trip: negative control (command not on top) fails");
	g_free(m);
	m = crlf(top, strlen(top), &len);
	ok(corpus_round(m, len, "Hello\n", NULL, why, sizeof(why)) &&
	    !corpus_round(m, len, "Hello!\n", NULL, why, sizeof(why)),
	    "corpus round trip: negative control (other text) fails");
	g_free(m);
}

/* skip - a skipped test */
static void
skip(const char *why)
{
	tap_count++;
	printf("ok %d # SKIP %s\n", tap_count, why);
}

/* test_corpus - no crash anywhere; "#resolve" round trips */
static void
test_corpus(void)
{
	const char *env = getenv("PD_CORPUS");
	const char *top = getenv("top_srcdir");
	char *dir = env != NULL ? g_strdup(env) : g_build_filename(top != NULL
	    ? top : ".", "..", "shared", "corpus", NULL);
	struct tally t;

	memset(&t, 0, sizeof(t));
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		skip("corpus not found (set PD_CORPUS)");
		g_free(dir);
		return;
	}
	corpus_control();
	corpus_dir(dir, &t, 0);
	ok(t.files > 500, "corpus: %zu messages without a crash (%zu parsed, "
	    "%zu with a command block)", t.files, t.parsed, t.changed);
	ok(t.tried > 300 && t.passed == t.tried, "corpus: \"#resolve\" put "
	    "into %zu messages, %zu came back with their text", t.tried,
	    t.passed);
	g_free(dir);
}

/* --- threads ---------------------------------------------------------- */

struct job {
	const char	*msg;
	size_t		 len;
	int		 bad;
};

/* thread_main - the same message many times */
static void *
thread_main(void *arg)
{
	struct job *j = arg;
	struct pd_bodyedit be;
	int i;

	for (i = 0; i < 100; i++) {
		if (pd_bodyedit_commands(j->msg, j->len, &be, NULL) != PD_OK ||
		    !be.changed || be.cmds.n != 1)
			j->bad++;
		pd_bodyedit_free(&be);
	}
	return NULL;
}

/* test_threads - four threads at once give the same answers */
static void
test_threads(void)
{
	static const char msg[] = ALT_HEAD ALT_PLAIN ALT_HTML("#resolve");
	struct job jobs[4];
	pthread_t th[4];
	char *m;
	size_t len;
	int i, bad = 0;

	m = crlf(msg, strlen(msg), &len);
	for (i = 0; i < 4; i++) {
		jobs[i].msg = m;
		jobs[i].len = len;
		jobs[i].bad = 0;
		pthread_create(&th[i], NULL, thread_main, &jobs[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		bad += jobs[i].bad;
	}
	is_int(bad, 0, "threads: 4 x 100 calls at once");
	g_free(m);
}

int
main(void)
{
	pd_mime_init();
	test_plain();
	test_alternative();
	test_mixed();
	test_charsets();
	test_sealed();
	test_nothing();
	test_threads();
	test_corpus();
	pd_mime_shutdown();
	return tap_done();
}
