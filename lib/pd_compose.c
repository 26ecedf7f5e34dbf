/*
 * pd_compose.c - building outgoing messages with GMime
 *
 * PURPOSE	See pd_compose.h.
 * DESIGN	The sequence verified for GMime 3.2.13 (engineering guide
 *		4.6): addresses with charset utf-8 (else GMime picks
 *		ISO-8859-5 for Cyrillic), g_mime_object_encode() with the
 *		7-bit constraint (else the text goes out 8bit), DOS newlines.
 * THREADS	Reentrant; GMime objects never leave the function.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <gmime/gmime.h>

#include "pd_addr.h"
#include "pd_compose.h"
#include "pd_err.h"
#include "pd_mem.h"
#include "pd_msgid.h"

#define HEADER_TEXT_MAX	998

/* compose_flat - a header value with every control character a space */
static char *
compose_flat(const char *s)
{
	char *out = pd_xstrndup(s ? s : "", HEADER_TEXT_MAX);
	char *p;

	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return out;
}

/* compose_refs - "<a> <b>" from space-separated ids; NULL if none valid */
static char *
compose_refs(const char *ids)
{
	char **v = g_strsplit(ids ? ids : "", " ", 0);
	GString *s = g_string_new(NULL);
	char one[PD_MSGID_MAX + 3];
	char *out;
	int i;

	for (i = 0; v[i] != NULL; i++) {
		g_snprintf(one, sizeof(one), "<%s>", v[i]);
		if (*v[i] == '\0' || pd_msgid_parse_one(one, one + 1,
		    sizeof(one) - 1) != PD_OK)
			continue;
		g_string_append_printf(s, "%s<%s>", s->len ? " " : "", one + 1);
	}
	g_strfreev(v);
	out = s->len ? pd_xstrdup(s->str) : NULL;
	g_string_free(s, TRUE);
	return out;
}

/* compose_addr - add one mailbox to a header of msg */
static void
compose_addr(GMimeMessage *msg, GMimeAddressType type, const char *name,
    const char *addr)
{
	InternetAddress *ia;
	char *flat = compose_flat(name);

	ia = internet_address_mailbox_new(*flat ? flat : NULL, addr);
	internet_address_set_charset(ia, "utf-8");
	internet_address_list_add(g_mime_message_get_addresses(msg, type), ia);
	g_object_unref(ia);
	pd_free(flat);
}

/* compose_headers - threading, RFC 3834 and date headers */
static void
compose_headers(GMimeMessage *msg, const struct pd_compose_in *in)
{
	GMimeObject *obj = GMIME_OBJECT(msg);
	GDateTime *date = g_date_time_new_from_unix_utc(in->date);
	char *refs = compose_refs(in->references);
	char *irt = compose_refs(in->in_reply_to);

	g_mime_message_set_message_id(msg, in->message_id);
	g_mime_message_set_date(msg, date);
	if (irt != NULL)
		g_mime_object_set_header(obj, "In-Reply-To", irt, NULL);
	if (refs != NULL)
		g_mime_object_set_header(obj, "References", refs, NULL);
	g_mime_object_set_header(obj, "Auto-Submitted", in->auto_submitted,
	    NULL);
	g_mime_object_set_header(obj, "X-Auto-Response-Suppress", "All", NULL);
	g_date_time_unref(date);
	pd_free(refs);
	pd_free(irt);
}

/* compose_valid - every address and id the message needs is usable */
static int
compose_valid(const struct pd_compose_in *in)
{
	char tmp[PD_MSGID_MAX + 3];

	if (pd_addr_normalize(in->from_addr, tmp, sizeof(tmp)) != PD_OK ||
	    pd_addr_normalize(in->to_addr, tmp, sizeof(tmp)) != PD_OK ||
	    (in->reply_to != NULL && pd_addr_normalize(in->reply_to, tmp,
	    sizeof(tmp)) != PD_OK))
		return PD_EINVAL;
	g_snprintf(tmp, sizeof(tmp), "<%s>", in->message_id);
	if (pd_msgid_parse_one(tmp, tmp, sizeof(tmp)) != PD_OK ||
	    in->auto_submitted == NULL || !g_utf8_validate(in->body, -1, NULL)
	    || !g_utf8_validate(in->subject, -1, NULL) ||
	    (in->html != NULL && !g_utf8_validate(in->html, -1, NULL)))
		return PD_EINVAL;
	return PD_OK;
}

/* compose_text - a text/SUBTYPE part holding UTF-8 text */
static GMimeObject *
compose_text(const char *subtype, const char *text)
{
	GMimeTextPart *part = g_mime_text_part_new_with_subtype(subtype);

	g_mime_text_part_set_text(part, text);
	g_mime_text_part_set_charset(part, "utf-8");
	return GMIME_OBJECT(part);
}

/*
 * compose_body - the text/plain body, or with in->html a
 * multipart/alternative of it and the HTML, plain first (RFC 2046
 * 5.1.4: the last part is the one preferred)
 */
static GMimeObject *
compose_body(const struct pd_compose_in *in)
{
	GMimeMultipart *alt;
	GMimeObject *part;

	if (in->html == NULL)
		return compose_text("plain", in->body);
	alt = g_mime_multipart_new_with_subtype("alternative");
	part = compose_text("plain", in->body);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	part = compose_text("html", in->html);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	return GMIME_OBJECT(alt);
}

/* pd_compose_message - see pd_compose.h */
int
pd_compose_message(const struct pd_compose_in *in, struct pd_buf *out)
{
	GMimeFormatOptions *fo;
	GMimeObject *body;
	GMimeMessage *msg;
	char *subject;
	char *text;
	int rc;

	if (compose_valid(in) != PD_OK)
		return PD_EINVAL;
	msg = g_mime_message_new(TRUE);
	compose_addr(msg, GMIME_ADDRESS_TYPE_FROM, in->from_name,
	    in->from_addr);
	compose_addr(msg, GMIME_ADDRESS_TYPE_TO, NULL, in->to_addr);
	if (in->reply_to != NULL)
		compose_addr(msg, GMIME_ADDRESS_TYPE_REPLY_TO, in->from_name,
		    in->reply_to);
	subject = compose_flat(in->subject);
	g_mime_message_set_subject(msg, subject, "utf-8");
	pd_free(subject);
	compose_headers(msg, in);
	body = compose_body(in);
	g_mime_message_set_mime_part(msg, body);
	g_object_unref(body);
	g_mime_object_encode(GMIME_OBJECT(msg), GMIME_ENCODING_CONSTRAINT_7BIT);
	fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	text = g_mime_object_to_string(GMIME_OBJECT(msg), fo);
	rc = pd_buf_adds(out, text);
	g_free(text);
	g_mime_format_options_free(fo);
	g_object_unref(msg);
	return rc;
}
