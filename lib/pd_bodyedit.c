/*
 * pd_bodyedit.c - take the agent's command lines out of a reply body
 *
 * PURPOSE	See pd_bodyedit.h.
 * DESIGN	Three steps, each on the one GMime tree parsed per call:
 *		be_walk() picks the text parts (borrowed pointers into the
 *		tree) and notices sealed types; be_part() decodes one part,
 *		runs pd_cmd on it and, when allowed, puts the new text into
 *		the part (be_set_text()); be_write() serialises the top-level
 *		part's content through a unix2dos filter.  The top-level
 *		Content-Type and Content-Transfer-Encoding values are read
 *		before and after the edit and reported when they differ.
 * OWNERSHIP	Every GMime object made here is unreffed before return; the
 *		tree owns the parts be_walk() finds.  Decoded text is owned by
 *		struct be_text and freed by be_text_free().
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <string.h>

#include <gmime/gmime.h>

#include "pd_bodyedit.h"
#include "pd_charset.h"
#include "pd_mem.h"

#define BODY_SLACK	(64 * 1024)

/* The text parts that carry the commands (borrowed from the tree). */
struct be_walk {
	GMimePart	*plain;
	GMimePart	*html;
	bool		 sealed;
};

/* One text part, decoded, and what stripping it gives. */
struct be_text {
	GByteArray	*raw;		/* without transfer encoding */
	char		*utf8;		/* NULL when it is not UTF-8 */
	size_t		 utf8_len;
	struct pd_buf	 html;		/* stripped HTML */
	const char	*out;		/* text after stripping */
	size_t		 out_len;
	bool		 found;		/* a command block was there */
};

/* be_sealed_type - signed or encrypted content */
static bool
be_sealed_type(GMimeContentType *ct)
{
	return g_mime_content_type_is_type(ct, "multipart", "signed") ||
	    g_mime_content_type_is_type(ct, "multipart", "encrypted") ||
	    g_mime_content_type_is_type(ct, "application", "pkcs7-mime") ||
	    g_mime_content_type_is_type(ct, "application", "x-pkcs7-mime");
}

/*
 * be_walk - find the text parts below obj (see DESIGN in pd_bodyedit.h):
 * the first text/plain and text/html reachable through first children,
 * and through every alternative of multipart/alternative.
 */
static void
be_walk(GMimeObject *obj, int depth, struct be_walk *w)
{
	GMimeContentType *ct;
	GMimeMultipart *mp;
	int i, n;

	if (obj == NULL || depth > PD_BODYEDIT_DEPTH_MAX)
		return;
	ct = g_mime_object_get_content_type(obj);
	if (ct == NULL)
		return;
	if (be_sealed_type(ct)) {
		w->sealed = true;
		if (GMIME_IS_MULTIPART(obj) &&
		    g_mime_content_type_is_type(ct, "multipart", "signed"))
			be_walk(g_mime_multipart_get_part(GMIME_MULTIPART(obj),
			    0), depth + 1, w);
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		mp = GMIME_MULTIPART(obj);
		n = g_mime_multipart_get_count(mp);
		if (!g_mime_content_type_is_type(ct, "multipart",
		    "alternative") && n > 1)
			n = 1;
		for (i = 0; i < n; i++)
			be_walk(g_mime_multipart_get_part(mp, i), depth + 1,
			    w);
		return;
	}
	if (!GMIME_IS_PART(obj) || g_mime_part_is_attachment(GMIME_PART(obj)))
		return;
	if (w->plain == NULL && g_mime_content_type_is_type(ct, "text",
	    "plain"))
		w->plain = GMIME_PART(obj);
	else if (w->html == NULL && g_mime_content_type_is_type(ct, "text",
	    "html"))
		w->html = GMIME_PART(obj);
}

/* be_label_in - charset label is one of the names in list */
static bool
be_label_in(const char *label, const char *const *list)
{
	size_t i;

	for (i = 0; label != NULL && list[i] != NULL; i++)
		if (g_ascii_strcasecmp(label, list[i]) == 0)
			return true;
	return false;
}

static const char *const utf8_labels[] = { "utf-8", "utf8", NULL };
static const char *const ascii_labels[] = {
	"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", NULL
};

/* be_is_ascii - p[0..n) is 7-bit */
static bool
be_is_ascii(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return false;
	return true;
}

/* be_dup - NUL-terminated copy of p[0..n) */
static char *
be_dup(const char *p, size_t n)
{
	char *s = pd_xmalloc(n + 1);

	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/*
 * be_utf8 - raw[0..n) in charset as UTF-8 (pd_free()); NULL when it is
 * not valid UTF-8 as labelled.  guess: an unlabelled text that is not
 * UTF-8 is read in pd_charset_guess()'s charset.
 */
static char *
be_utf8(const char *charset, const char *raw, size_t n, bool guess,
    size_t *len)
{
	const char *from;
	gsize outlen = 0;
	gchar *u;
	char *s = NULL;

	if (charset == NULL && guess && !g_utf8_validate(raw, (gssize)n,
	    NULL))
		charset = pd_charset_guess(raw, n);
	if (charset == NULL || be_label_in(charset, utf8_labels) ||
	    be_label_in(charset, ascii_labels)) {
		if (!g_utf8_validate(raw, (gssize)n, NULL))
			return NULL;
		*len = n;
		return be_dup(raw, n);
	}
	from = g_mime_charset_iconv_name(charset);
	u = g_convert(raw, (gssize)n, "UTF-8", from != NULL ? from : charset,
	    NULL, &outlen, NULL);
	if (u != NULL && g_utf8_validate(u, (gssize)outlen, NULL)) {
		s = be_dup(u, outlen);
		*len = outlen;
	}
	g_free(u);
	return s;
}

/* be_content - the part's content without transfer encoding */
static GByteArray *
be_content(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GByteArray *a = g_byte_array_new();
	GMimeStream *ms;

	if (w == NULL)
		return a;
	ms = g_mime_stream_mem_new_with_byte_array(a);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(ms), FALSE);
	if (g_mime_data_wrapper_write_to_stream(w, ms) < 0)
		g_byte_array_set_size(a, 0);
	g_object_unref(ms);
	return a;
}

/*
 * be_strip - run pd_cmd on text[0..n) into cmds; t->out is the text
 * after stripping (into t->html for HTML)
 */
static void
be_strip(struct be_text *t, const char *text, size_t n, bool html,
    struct pd_cmd_list *cmds)
{
	size_t off;

	t->out = text;
	t->out_len = n;
	if (html) {
		pd_buf_free(&t->html);
		pd_buf_init(&t->html, n);
		t->found = pd_cmd_strip_html(text, n, cmds, &t->html);
		if (t->found) {
			t->out = pd_buf_str(&t->html);
			t->out_len = t->html.len;
		}
		return;
	}
	off = pd_cmd_parse_text(text, n, cmds);
	t->found = off > 0;
	t->out = text + off;
	t->out_len = n - off;
}

/* be_text_free - release a decoded part */
static void
be_text_free(struct be_text *t)
{
	if (t->raw != NULL)
		g_byte_array_free(t->raw, TRUE);
	pd_xfree(&t->utf8);
	pd_buf_free(&t->html);
}

/* be_max_line - the longest line of p[0..n) in octets, without CR LF */
static size_t
be_max_line(const char *p, size_t n)
{
	size_t i, start = 0, len, max = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '\n')
			continue;
		len = i - start;
		if (len > 0 && p[i - 1] == '\r')
			len--;
		if (len > max)
			max = len;
		start = i + 1;
	}
	return max;
}

/* be_encoding - the transfer encoding for new text (pd_bodyedit.h) */
static GMimeContentEncoding
be_encoding(GMimeContentEncoding enc, const char *p, size_t n)
{
	bool short_lines = be_max_line(p, n) <= PD_BODYEDIT_LINE_MAX;

	switch (enc) {
	case GMIME_CONTENT_ENCODING_BASE64:
	case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE:
	case GMIME_CONTENT_ENCODING_BINARY:
		return enc;
	case GMIME_CONTENT_ENCODING_8BIT:
		return short_lines ? enc :
		    GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
	case GMIME_CONTENT_ENCODING_DEFAULT:
	case GMIME_CONTENT_ENCODING_7BIT:
		return short_lines && be_is_ascii(p, n) ? enc :
		    GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
	default:
		return GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
	}
}

/* be_set_text - make UTF-8 p[0..n) the content of part (see DESIGN) */
static void
be_set_text(GMimePart *part, const char *charset, const char *p, size_t n)
{
	GMimeContentEncoding enc = g_mime_part_get_content_encoding(part);
	GMimeContentEncoding want = be_encoding(enc, p, n);
	GMimeStream *ms = g_mime_stream_mem_new_with_buffer(p, n);
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(ms,
	    GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(part, w);
	g_object_unref(w);
	g_object_unref(ms);
	if (want != enc)
		g_mime_part_set_content_encoding(part, want);
	if (!be_label_in(charset, utf8_labels) && !((charset == NULL ||
	    be_label_in(charset, ascii_labels)) && be_is_ascii(p, n)))
		g_mime_object_set_content_type_parameter(GMIME_OBJECT(part),
		    "charset", "utf-8");
}

/*
 * be_first_text - keep text[0..n) (HTML: its visible text) as
 * out->first_text: CRLF made LF, at most PD_BODYEDIT_TEXT_MAX bytes, cut
 * at a character boundary
 */
static void
be_first_text(struct pd_bodyedit *out, const char *text, size_t n,
    bool html)
{
	struct pd_buf b;
	size_t i, cut = n;

	pd_buf_init(&b, PD_BODYEDIT_TEXT_MAX);
	if (html) {
		if (pd_cmd_html_text(text, n, PD_BODYEDIT_TEXT_MAX, &b) !=
		    PD_OK)
			pd_buf_reset(&b);
	} else {
		if (cut > PD_BODYEDIT_TEXT_MAX) {
			cut = PD_BODYEDIT_TEXT_MAX;
			while (cut > 0 && ((unsigned char)text[cut] & 0xc0) ==
			    0x80)
				cut--;
		}
		for (i = 0; i < cut; i++)
			if (!(text[i] == '\r' && i + 1 < cut &&
			    text[i + 1] == '\n'))
				(void)pd_buf_addc(&b, text[i]);
	}
	pd_xfree(&out->first_text);
	out->first_text = pd_buf_detach(&b);
}

/* be_same - two command lists say the same */
static bool
be_same(const struct pd_cmd_list *a, const struct pd_cmd_list *b)
{
	int i;

	if (a->n != b->n || a->bad != b->bad)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->cmds[i].kind != b->cmds[i].kind ||
		    strcmp(a->cmds[i].arg, b->cmds[i].arg) != 0)
			return false;
	return true;
}

/*
 * be_part - read the commands of one text part into cmds, keep its text
 * in out->first_text when first, and put the stripped text into the part
 * when the message is not sealed and the text decoded
 */
static void
be_part(struct pd_bodyedit *out, GMimePart *part, bool html,
    struct pd_cmd_list *cmds, bool first)
{
	const char *charset = g_mime_object_get_content_type_parameter(
	    GMIME_OBJECT(part), "charset");
	struct pd_cmd_list ignored;
	struct be_text t;
	const char *raw;
	size_t rlen;

	memset(&t, 0, sizeof(t));
	pd_buf_init(&t.html, 0);
	t.raw = be_content(part);
	raw = t.raw->len > 0 ? (const char *)t.raw->data : "";
	rlen = t.raw->len;
	t.utf8 = be_utf8(charset, raw, rlen, false, &t.utf8_len);
	if (t.utf8 == NULL) {
		be_strip(&t, raw, rlen, html, cmds);
		if (t.found)
			out->undecodable = true;
		if (!first || charset != NULL)
			goto out;
		t.utf8 = be_utf8(NULL, raw, rlen, true, &t.utf8_len);
		if (t.utf8 == NULL)
			goto out;
		be_strip(&t, t.utf8, t.utf8_len, html, &ignored);
		be_first_text(out, t.out, t.out_len, html);
		goto out;
	}
	be_strip(&t, t.utf8, t.utf8_len, html, cmds);
	if (first)
		be_first_text(out, t.out, t.out_len, html);
	if (t.found && !out->sealed) {
		be_set_text(part, charset, t.out, t.out_len);
		out->changed = true;
	}
out:
	be_text_free(&t);
}

/* be_header - unfolded copy of a header of obj, or NULL */
static char *
be_header(GMimeObject *obj, const char *name)
{
	const char *v = g_mime_object_get_header(obj, name);
	char *s, *p, *q;

	if (v == NULL)
		return NULL;
	s = pd_xstrdup(v);
	for (p = q = s; *p != '\0'; p++)
		if (*p != '\r' && *p != '\n')
			*q++ = *p;
	*q = '\0';
	return s;
}

/* be_changed - the header now, when it is not what it was (was) */
static char *
be_changed(GMimeObject *obj, const char *name, const char *was)
{
	char *now = be_header(obj, name);

	if (now != NULL && (was == NULL || strcmp(now, was) != 0))
		return now;
	pd_free(now);
	return NULL;
}

/* be_write - the content of top, CRLF, into out->body */
static int
be_write(struct pd_bodyedit *out, GMimeObject *top, struct pd_err *err)
{
	GMimeFormatOptions *fo = g_mime_format_options_new();
	GByteArray *a = g_byte_array_new();
	GMimeStream *ms = g_mime_stream_mem_new_with_byte_array(a);
	GMimeStream *fs = g_mime_stream_filter_new(ms);
	GMimeFilter *f = g_mime_filter_unix2dos_new(FALSE);
	int rc = PD_OK;

	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(ms), FALSE);
	g_mime_stream_filter_add(GMIME_STREAM_FILTER(fs), f);
	g_mime_format_options_set_newline_format(fo,
	    GMIME_NEWLINE_FORMAT_DOS);
	if (g_mime_object_write_content_to_stream(top, fo, fs) < 0 ||
	    g_mime_stream_flush(fs) < 0)
		rc = pd_err_set(err, PD_EINVAL, "cannot write the new body");
	else if (pd_buf_add(&out->body, a->data, a->len) != PD_OK)
		rc = pd_err_set(err, PD_EINVAL, "new body over %zu bytes",
		    out->body.max);
	g_object_unref(f);
	g_object_unref(fs);
	g_object_unref(ms);
	g_byte_array_free(a, TRUE);
	g_mime_format_options_free(fo);
	return rc;
}

/* be_parse - the message in msg[0..len), or NULL */
static GMimeMessage *
be_parse(const char *msg, size_t len, GMimeParserOptions *opts)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(msg, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(st);
	GMimeMessage *m;

	g_object_unref(st);
	m = g_mime_parser_construct_message(parser, opts);
	g_object_unref(parser);
	return m;
}

/* be_edit - find, read and strip the commands of the message below top */
static int
be_edit(struct pd_bodyedit *out, GMimeObject *top, struct pd_err *err)
{
	struct pd_cmd_list html_cmds;
	struct be_walk w;
	char *ct = be_header(top, "Content-Type");
	char *cte = be_header(top, "Content-Transfer-Encoding");
	int rc = PD_OK;

	memset(&w, 0, sizeof(w));
	memset(&html_cmds, 0, sizeof(html_cmds));
	be_walk(top, 0, &w);
	out->sealed = w.sealed;
	if (w.plain != NULL)
		be_part(out, w.plain, false, &out->cmds, true);
	if (w.html != NULL)
		be_part(out, w.html, true, w.plain != NULL ? &html_cmds :
		    &out->cmds, w.plain == NULL);
	if (w.plain != NULL && w.html != NULL &&
	    !be_same(&out->cmds, &html_cmds))
		out->html_differs = true;
	if (out->changed) {
		out->content_type = be_changed(top, "Content-Type", ct);
		out->content_transfer_encoding = be_changed(top,
		    "Content-Transfer-Encoding", cte);
		rc = be_write(out, top, err);
	}
	pd_free(ct);
	pd_free(cte);
	return rc;
}

/* pd_bodyedit_commands - see pd_bodyedit.h */
int
pd_bodyedit_commands(const char *msg, size_t len, struct pd_bodyedit *out,
    struct pd_err *err)
{
	GMimeParserOptions *opts = g_mime_parser_options_new();
	GMimeMessage *m;
	GMimeObject *top = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	pd_buf_init(&out->body, len < (SIZE_MAX - BODY_SLACK) / 8 ?
	    len * 8 + BODY_SLACK : SIZE_MAX / 2);
	m = be_parse(msg, len, opts);
	if (m != NULL)
		top = g_mime_message_get_mime_part(m);
	if (top == NULL)
		rc = pd_err_set(err, PD_EINVAL, "not a MIME message");
	else
		rc = be_edit(out, top, err);
	if (rc != PD_OK) {
		out->changed = false;
		pd_buf_free(&out->body);
		pd_xfree(&out->content_type);
		pd_xfree(&out->content_transfer_encoding);
	}
	if (m != NULL)
		g_object_unref(m);
	g_mime_parser_options_free(opts);
	return rc;
}

/* pd_bodyedit_free - see pd_bodyedit.h */
void
pd_bodyedit_free(struct pd_bodyedit *be)
{
	if (be == NULL)
		return;
	pd_buf_free(&be->body);
	pd_xfree(&be->content_type);
	pd_xfree(&be->content_transfer_encoding);
	pd_xfree(&be->first_text);
	memset(be, 0, sizeof(*be));
}
