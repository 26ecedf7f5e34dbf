/*
 * test_digest_render.c - unit tests for the SLA digest's text, HTML and
 *			  mail (pd_digest_render.c, pd_digest_mail.c)
 *
 * A digest filled by hand (no store): tickets in the three lists with a
 * Cyrillic subject, hostile ones (<script>, CR/LF header injection, a
 * bidi override) and no owner; figures whose shares must round as
 * documented (88%, 99% for 199 of 200, 1% for 1 of 200); CSAT grades and
 * comments.  It is rendered with the shipped templates in English and
 * Russian: the figures, dates and words appear as expected, values are
 * escaped in the HTML and flattened in the text, no "nan" or "inf", text
 * lines fit 78 columns.  An empty digest renders without dividing by
 * zero.  The mail parses back with GMime as multipart/alternative whose
 * decoded parts are the rendered text and HTML, 7-bit, CRLF.  Broken
 * templates are errors that name the file.  pd_digest_format_span's rule
 * is checked case by case.  The digest is allocated with pd_mem and
 * released by pd_digest_clear(), as one from pd_digest_compute() is.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>

#include "pd_digest.h"
#include "pd_digest_impl.h"
#include "pd_mem.h"
#include "pd_mime.h"
#include "pd_rfc2047.h"
#include "../harness/tap.h"

#define SINCE	1795240800	/* Sat 2026-11-21 06:00 UTC, 09:00 MSK */
#define DAY	86400
#define HOUR	3600

/* The configuration: templates in tdir, the queue speaks lang. */
static const char conf_fmt[] =
	"[general]\n"
	"database = %s/db\n"
	"key_file = %s/key\n"
	"templates = %s\n"
	"timezone = Europe/Moscow\n"
	"language = %s\n"
	"[sla standard]\n"
	"business_hours = mon-fri 09:00-18:00\n"
	"warn_before = 2h\n"
	"[queue support]\n"
	"address = support@example.com\n"
	"name = %s\n"
	"managers = boss@example.com\n";

static char *tmpdir;

/* conf_new - load the test configuration; NULL (and a diagnostic) if not */
static struct pd_conf *
conf_new(const char *tdir, const char *lang)
{
	struct pd_err err = { 0, "" };
	char *file = g_build_filename(tmpdir, "test.conf", NULL);
	char *text = g_strdup_printf(conf_fmt, tmpdir, tmpdir, tdir, lang,
	    strcmp(lang, "ru") == 0 ? "Служба поддержки" :
	    "Example Support");
	struct pd_conf *conf = NULL;

	if (g_file_set_contents(file, text, -1, NULL))
		conf = pd_conf_load(file, &err);
	g_unlink(file);
	if (conf == NULL)
		printf("# configuration: %s\n", err.msg);
	g_free(text);
	g_free(file);
	return conf;
}

/* copy - a copy of s (may be NULL) that pd_digest_clear() frees */
static char *
copy(const char *s)
{
	return s != NULL ? pd_xstrdup(s) : NULL;
}

/* ticket - one hand-made list entry; strings are copied */
static void
ticket(struct pd_digest_list *l, const char *tag, const char *subject,
    const char *customer, const char *owner, enum pd_priority prio,
    enum pd_ticket_status st, long age, enum pd_digest_target target,
    long open_time, int64_t breached_at)
{
	struct pd_digest_ticket *t;

	l->v = pd_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	t = &l->v[l->n++];
	memset(t, 0, sizeof(*t));
	g_strlcpy(t->tag, tag, sizeof(t->tag));
	t->subject = copy(subject);
	t->customer = copy(customer);
	t->owner = copy(owner);
	t->priority = prio;
	t->status = st;
	t->age = age;
	t->target = target;
	t->open_time = open_time;
	t->breached_at = breached_at;
}

/* fill - the busy digest described at the top */
static void
fill(struct pd_digest *d, const struct pd_conf_queue *q)
{
	static const long grades[] = { 0, 1, 0, 2, 3, 6 };
	int g;

	d->queue = q;
	d->since = SINCE;
	d->until = SINCE + DAY;
	d->now = SINCE + DAY + 300;
	ticket(&d->breached, "[PD-1042-K7QF]", "Принтер в "
	    "переговорной печатает пустые листы",
	    "anna@customer.example", NULL,
	    PD_PRIO_HIGH, PD_TS_OPEN, 2 * DAY + 3 * HOUR,
	    PD_DIGEST_FIRST_RESPONSE, 7500, SINCE + 5 * HOUR + 1200);
	ticket(&d->breached, "[PD-1043-AB2C]", "<script>alert(1)</script> & "
	    "\"quotes\"", "evil\"<b>@x.example", "bob@example.com",
	    PD_PRIO_URGENT, PD_TS_PENDING, 5 * HOUR, PD_DIGEST_RESOLUTION,
	    45 * 60, SINCE + 9 * HOUR);
	ticket(&d->still, "[PD-1044-ZZ9Q]", "Invoice\r\nBcc: victim@example.org"
	    "\r\n\r\nbody", "c@x.example", "carol@example.com",
	    PD_PRIO_NORMAL, PD_TS_NEW, 8 * DAY, PD_DIGEST_FIRST_RESPONSE,
	    3 * DAY + 4 * HOUR, 0);
	ticket(&d->at_risk, "[PD-1045-QQ11]", "\xe2\x80\xae" "gnp.exe long "
	    "subject words words words words words words words words words "
	    "words words words words words words words words", "d@x.example",
	    NULL, PD_PRIO_LOW, PD_TS_OPEN, 600, PD_DIGEST_RESOLUTION, 1800, 0);
	d->opened = 42;
	d->first_response = (struct pd_digest_times){ 40, 35, 7500, 27600 };
	d->resolution = (struct pd_digest_times){ 200, 199, 36000,
	    3 * DAY + 4 * HOUR };
	d->reopened = 1;
	d->complaints = 3;
	d->csat_grades = 5;
	for (g = 1; g <= 5; g++)
		d->csat_by_grade[g] = grades[g];
	d->csat_answers = 12;
	d->csat_top = 9;
	d->comments = pd_xcalloc(2, sizeof(*d->comments));
	d->n_comments = 2;
	g_strlcpy(d->comments[0].tag, "[PD-1001-CCCC]", PD_TAG_MAX);
	d->comments[0].grade = 5;
	d->comments[0].text = copy("Спасибо!\n"
	    "Очень быстро ответили.");
	g_strlcpy(d->comments[1].tag, "[PD-1002-DDDD]", PD_TAG_MAX);
	d->comments[1].grade = 1;
	d->comments[1].text = copy("<img src=x onerror=alert(1)>"
	    "\r\nBcc: x");
	d->backlog = 17;
	d->backlog_by_age[0] = 5;
	d->backlog_by_age[1] = 7;
	d->backlog_by_age[2] = 3;
	d->backlog_by_age[3] = 2;
}

/* render - text or HTML of d in lang, or NULL (and a diagnostic) */
static char *
render(const struct pd_conf *conf, const struct pd_digest *d,
    const char *lang, bool html)
{
	struct pd_err err = { 0, "" };
	struct pd_buf out;
	int rc;

	pd_buf_init(&out, 1 << 22);
	rc = html ? pd_digest_render_html(conf, d, lang, &out, &err) :
	    pd_digest_render_text(conf, d, lang, &out, &err);
	if (rc != PD_OK) {
		printf("# render: %s\n", err.msg);
		pd_buf_free(&out);
		return NULL;
	}
	return pd_buf_detach(&out);
}

/* has - s (may be NULL) contains text */
static bool
has(const char *s, const char *text)
{
	return s != NULL && strstr(s, text) != NULL;
}

/* show - a diagnostic: the lines of s from the first text on */
static void
show(const char *s, const char *text)
{
	const char *p = s != NULL ? strstr(s, text) : NULL;
	char **lines;
	int i;

	if (p == NULL)
		p = s != NULL ? s : "(null)";
	lines = g_strsplit(p, "\n", 6);
	for (i = 0; lines[i] != NULL && i < 5; i++)
		printf("#   |%s\n", lines[i]);
	g_strfreev(lines);
}

/* has_word - s has w as a word of its own (no ASCII letter around it) */
static bool
has_word(const char *s, const char *w)
{
	const char *p;
	size_t n = strlen(w);

	for (p = s; p != NULL && (p = strcasestr(p, w)) != NULL; p++)
		if ((p == s || !g_ascii_isalpha(p[-1])) &&
		    !g_ascii_isalpha(p[n]))
			return true;
	return false;
}

/* sane - no "nan" or "inf" word, no CR, no bidi override */
static bool
sane(const char *s)
{
	return s != NULL && !has_word(s, "nan") && !has_word(s, "inf") &&
	    strchr(s, '\r') == NULL && !has(s, "\xe2\x80\xae");
}

/* widest - the widest line of s, in characters */
static long
widest(const char *s)
{
	char **lines = g_strsplit(s != NULL ? s : "", "\n", -1);
	long w = 0;
	int i;

	for (i = 0; lines[i] != NULL; i++)
		w = MAX(w, g_utf8_strlen(lines[i], -1));
	g_strfreev(lines);
	return w;
}

/* test_span - pd_digest_format_span and its Russian words */
static void
test_span(void)
{
	static const struct {
		long		 s;
		const char	*want;
	} cases[] = {
		{ 0, "0m" }, { -90, "0m" }, { 29, "0m" }, { 30, "1m" },
		{ 2700, "45m" }, { 3569, "59m" }, { 3570, "1h 00m" },
		{ 7500, "2h 05m" }, { 86369, "23h 59m" }, { 86370, "1d 0h" },
		{ DAY + 1799, "1d 0h" }, { DAY + 1800, "1d 1h" },
		{ 3 * DAY + 4 * HOUR, "3d 4h" }, { 40 * DAY, "40d 0h" },
	};
	char buf[PD_DIGEST_WORD_MAX], name[64];
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		pd_digest_format_span(cases[i].s, buf, sizeof(buf));
		g_snprintf(name, sizeof(name), "span %ld s", cases[i].s);
		is_str(buf, cases[i].want, name);
	}
	pd_digest_span_lang(7500, true, buf, sizeof(buf));
	is_str(buf, "2 ч 05 мин", "span in Russian: hours");
	pd_digest_span_lang(3 * DAY + 4 * HOUR, true, buf, sizeof(buf));
	is_str(buf, "3 дн. 4 ч", "span in Russian: days");
	pd_digest_span_lang(2700, true, buf, sizeof(buf));
	is_str(buf, "45 мин", "span in Russian: minutes");
}

/* test_days - the days of a Subject, in the queue's zone */
static void
test_days(const struct pd_conf_queue *q)
{
	struct pd_digest d = { 0 };
	char buf[2 * PD_DIGEST_WORD_MAX];

	d.queue = q;
	d.since = SINCE;
	d.until = SINCE + DAY;
	pd_digest_days(&d, q->sla->tz, false, buf, sizeof(buf));
	is_str(buf, "21–22 Nov", "days: 09:00 to 09:00");
	d.since = SINCE - 9 * HOUR;		/* local midnight */
	d.until = d.since + DAY;
	pd_digest_days(&d, q->sla->tz, false, buf, sizeof(buf));
	is_str(buf, "21 Nov", "days: midnight to midnight is one day");
	d.since = SINCE + 9 * DAY;
	d.until = d.since + DAY;
	pd_digest_days(&d, q->sla->tz, true, buf, sizeof(buf));
	is_str(buf, "30 ноября – 1 "
	    "декабря", "days across months, Russian");
}

/* test_text_en - figures, words and flattening of the English text */
static void
test_text_en(const char *t)
{
	ok(has(t, "SLA digest: Example Support\n"
	    "Sat 21 Nov 09:00 – Sun 22 Nov 09:00 (Europe/Moscow)\n"),
	    "text: queue and period in the queue's zone");
	ok(has(t, "[PD-1042-K7QF] Принтер в "
	    "переговорной печатает "
	    "пустые листы\n"
	    "    anna@customer.example, 2d 3h old\n    First response "
	    "late by 2h 05m, breached Sat 21 Nov 14:20\n    Priority: high. "
	    "Status: open. Owner: unassigned\n"),
	    "text: a breached ticket, whole");
	ok(has(t, "Resolution late by 45m") && has(t, "Owner: bob@example.com"),
	    "text: the second breach, with its owner");
	ok(has(t, "[PD-1044-ZZ9Q] Invoice Bcc: victim@example.org body\n") &&
	    !has(t, "\nBcc:") && has(t, "First response overdue by 3d 4h"),
	    "text: CR/LF in a subject flattened; still in breach 3d 4h");
	if (!ok(has(t, "[PD-1045-QQ11] gnp.exe long subject") &&
	    has(t, "words…\n") && has(t, "Resolution due in 30m"),
	    "text: at risk, bidi override dropped, long subject cut"))
		show(t, "[PD-1045");
	ok(has(t, "2h 05m") && has(t, "7h 40m") && has(t, "88% (35 of 40)"),
	    "text: first response median, p90 and share within SLA");
	ok(has(t, "99% (199 of 200)") && has(t, "1% (1 of 200)") &&
	    has(t, "10h 00m"), "text: 199 of 200 is 99%%, 1 of 200 is 1%%");
	ok(has(t, "Complaints [10]                 3") &&
	    has(t, "Opened [4]                      42"),
	    "text: opened and complaints");
	ok(has(t, "75% (9 of 12)") &&
	    has(t, "grade 5   ##########..........  6 (50%)") &&
	    has(t, "grade 2   ....................  0 (0%)"),
	    "text: CSAT share and distribution");
	ok(has(t, "  [PD-1001-CCCC], grade 5:\n    Спасибо! "
	    "Очень быстро ответили.\n") &&
	    has(t, "<img src=x onerror=alert(1)> Bcc: x"),
	    "text: comments, on lines of their own");
	ok(has(t, "BACKLOG AT Sun 22 Nov 09:05") &&
	    has(t, "under 1 day     ######..............  5") &&
	    has(t, "7 days or more  ##....") && has(t, "with\n     2h 00m"),
	    "text: backlog by age, warn_before in the footnote");
	ok(sane(t), "text: no nan, inf, CR or bidi override");
	if (!ok(widest(t) <= 78, "text: lines of at most 78 characters"))
		printf("#   widest: %ld\n", widest(t));
}

/* test_html - escaping, bars and the single-column layout */
static void
test_html(const char *h, const char *words)
{
	ok(h != NULL && g_str_has_prefix(h, "<!DOCTYPE html>") &&
	    has(h, words), "html: a document in its language (%s)", words);
	ok(!has(h, "<script") && !has(h, "<img") &&
	    has(h, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
	    "&quot;quotes&quot;") && has(h, "evil&quot;&lt;b&gt;@x.example"),
	    "html: subjects and addresses are escaped");
	ok(!has(h, "<style") && !has(h, "class=") && !has(h, "<link") &&
	    !has(h, "url(") && !has(h, "http"),
	    "html: inline styles only, nothing external");
	ok(has(h, "max-width:600px") && has(h, "width=\"25%\"") &&
	    has(h, "width=\"88%\"") && has(h, "width=\"29%\""),
	    "html: one column; bars of 25%%, 88%% and 29%% wide");
	ok(sane(h), "html: no nan, inf, CR or bidi override");
}

/* test_text_ru - the Russian words */
static void
test_text_ru(const char *t)
{
	ok(has(t, "Сводка SLA: Example Support\n"
	    "сб, 21 ноября, 09:00 — "
	    "вс, 22 ноября, 09:00 (Europe/Moscow)\n"),
	    "ru text: queue and period");
	ok(has(t, "Срок первого ответа "
	    "истёк сб, 21 ноября, 14:20; "
	    "превышение 2 ч 05 мин") &&
	    has(t, "Ответственный: не назначен")
	    && has(t, "Приоритет высокий, открыто."),
	    "ru text: a breached ticket");
	ok(has(t, "88% (35 из 40)") && has(t, "7 ч 40 мин") &&
	    has(t, "3 дн. 4 ч") && has(t, "До срока "
	    "решения осталось 30 мин"),
	    "ru text: figures and spans in Russian");
	ok(sane(t), "ru text: no nan, inf, CR or bidi override");
	if (!ok(widest(t) <= 78, "ru text: lines of at most 78 characters"))
		printf("#   widest: %ld\n", widest(t));
}

/* test_empty - a period where nothing happened */
static void
test_empty(const struct pd_conf *conf)
{
	struct pd_digest d = { 0 };
	char *t, *h, *r;

	d.queue = &conf->queues[0];
	d.since = SINCE;
	d.until = SINCE + DAY;
	d.now = SINCE + DAY;
	t = render(conf, &d, "en", false);
	h = render(conf, &d, "en", true);
	r = render(conf, &d, "ru", false);
	ok(has(t, "  No ticket breached in this period.\n") &&
	    has(t, "No other ticket is past a target.") &&
	    has(t, "No ticket is close to a target.") &&
	    has(t, "No comments in this period."),
	    "empty: every list says so in one line");
	ok(has(t, "median [7]                    —") &&
	    has(t, "within SLA [8]       —\n") && has(t, "Top grades"
	    "                      —\n") && !has(t, "grade 5"),
	    "empty: no share, median or distribution, a dash instead");
	ok(sane(t) && sane(h) && sane(r), "empty: no nan or inf anywhere");
	ok(has(h, "No ticket breached in this period.") &&
	    !has(h, "width=\"0%\"") && has(r, "За этот период "
	    "сроки не нарушались."),
	    "empty: HTML without empty bars; Russian");
	pd_free(t);
	pd_free(h);
	pd_free(r);
}

/* header_value - the unfolded raw value of header name in mail */
static char *
header_value(const char *mail, const char *name)
{
	char *key = g_strdup_printf("\r\n%s: ", name);
	const char *p = strstr(mail, key);
	GString *v = g_string_new(NULL);

	if (p != NULL)
		for (p += strlen(key); *p != '\0'; p++) {
			if (p[0] == '\r' && p[1] == '\n' && p[2] != ' ' &&
			    p[2] != '\t')
				break;
			if (*p != '\r' && *p != '\n')
				g_string_append_c(v, *p);
		}
	g_free(key);
	return g_string_free(v, FALSE);
}

/* part_text - the transfer-decoded content of a part, LF line ends */
static char *
part_text(GMimeObject *obj)
{
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *bytes;
	char *out;

	g_mime_data_wrapper_write_to_stream(w, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	out = g_strndup((const char *)bytes->data, bytes->len);
	g_object_unref(mem);
	return out;
}

/* crlf_to_lf - s with every CRLF made LF, in place */
static char *
crlf_to_lf(char *s)
{
	char *r, *w;

	for (r = w = s; *r != '\0'; r++)
		if (!(r[0] == '\r' && r[1] == '\n'))
			*w++ = *r;
	*w = '\0';
	return s;
}

/* seven_bit_crlf - every byte < 0x80, every LF after a CR */
static bool
seven_bit_crlf(const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80 || (*p == '\n' && (p == s ||
		    p[-1] != '\r')))
			return false;
	return true;
}

/* check_parts - the two alternatives decode to text and html */
static void
check_parts(GMimeMessage *msg, const char *text, const char *html,
    const char *lang)
{
	GMimeObject *top = g_mime_message_get_mime_part(msg);
	GMimeObject *p0, *p1;
	char *t0, *t1;
	int e0, e1;

	if (!ok(top != NULL && GMIME_IS_MULTIPART(top) &&
	    g_mime_content_type_is_type(g_mime_object_get_content_type(top),
	    "multipart", "alternative") &&
	    g_mime_multipart_get_count(GMIME_MULTIPART(top)) == 2,
	    "%s mail: multipart/alternative of two parts", lang))
		return;
	p0 = g_mime_multipart_get_part(GMIME_MULTIPART(top), 0);
	p1 = g_mime_multipart_get_part(GMIME_MULTIPART(top), 1);
	ok(g_mime_content_type_is_type(g_mime_object_get_content_type(p0),
	    "text", "plain") && g_mime_content_type_is_type(
	    g_mime_object_get_content_type(p1), "text", "html") &&
	    g_ascii_strcasecmp(g_mime_object_get_content_type_parameter(p0,
	    "charset"), "utf-8") == 0 && g_ascii_strcasecmp(
	    g_mime_object_get_content_type_parameter(p1, "charset"),
	    "utf-8") == 0, "%s mail: text/plain first, then text/html, "
	    "both utf-8", lang);
	e0 = g_mime_part_get_content_encoding(GMIME_PART(p0));
	e1 = g_mime_part_get_content_encoding(GMIME_PART(p1));
	ok((e0 == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    e0 == GMIME_CONTENT_ENCODING_BASE64) &&
	    (e1 == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    e1 == GMIME_CONTENT_ENCODING_BASE64),
	    "%s mail: both parts quoted-printable or base64", lang);
	t0 = crlf_to_lf(part_text(p0));
	t1 = crlf_to_lf(part_text(p1));
	ok(strcmp(t0, text) == 0, "%s mail: decoded text/plain is the "
	    "rendered text", lang);
	ok(strcmp(t1, html) == 0, "%s mail: decoded text/html is the "
	    "rendered HTML", lang);
	g_free(t0);
	g_free(t1);
}

/* test_mail - the whole mail, parsed back */
static void
test_mail(const struct pd_conf *conf, const struct pd_digest *d,
    const char *lang, const char *subject)
{
	struct pd_err err = { 0, "" };
	GMimeParser *parser;
	GMimeStream *stream;
	GMimeMessage *msg;
	struct pd_buf out;
	char *text = render(conf, d, NULL, false);
	char *html = render(conf, d, NULL, true);
	char *raw, *subj;

	pd_buf_init(&out, 1 << 23);
	is_int(pd_digest_build_mail(conf, d, "boss@example.com",
	    "digest-1@example.com", SINCE + DAY + 300, &out, &err), PD_OK,
	    "mail builds");
	ok(seven_bit_crlf(pd_buf_str(&out)) && has(out.data, "\r\n\r\n"),
	    "%s mail: 7-bit clean, CRLF line ends, headers end", lang);
	ok(has(out.data, "\r\nAuto-Submitted: auto-generated\r\n") &&
	    has(out.data, "\r\nX-Auto-Response-Suppress: All\r\n") &&
	    has(out.data, "\r\nMessage-Id: <digest-1@example.com>\r\n") &&
	    has(out.data, "\r\nMIME-Version: 1.0\r\n") &&
	    has(out.data, "\r\nTo: boss@example.com\r\n") &&
	    has(out.data, "Date: Sun, 22 Nov 2026 06:05:00 +0000\r\n"),
	    "%s mail: RFC 3834 headers, Message-ID, Date, To", lang);
	raw = header_value(out.data, "Subject");
	subj = pd_rfc2047_decode(raw, strlen(raw), NULL);
	if (!is_str(subj, subject, "mail: Subject in the queue's language"))
		printf("#   raw: %s\n", raw);
	g_free(raw);
	pd_free(subj);
	raw = header_value(out.data, "From");
	subj = pd_rfc2047_decode(raw, strlen(raw), NULL);
	ok(has(subj, "<support@example.com>") && has(subj, strcmp(lang,
	    "ru") == 0 ? "Служба поддержки" : "Example Support"),
	    "%s mail: From the queue's name and address", lang);
	g_free(raw);
	pd_free(subj);
	stream = g_mime_stream_mem_new_with_buffer(out.data, out.len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (ok(msg != NULL, "%s mail: GMime parses it", lang))
		check_parts(msg, text, html, lang);
	if (msg != NULL)
		g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(stream);
	pd_buf_free(&out);
	pd_free(text);
	pd_free(html);
}

/* test_errors - broken templates and unusable recipients */
static void
test_errors(const struct pd_digest *full)
{
	char *en = g_build_filename(tmpdir, "bad", "en", NULL);
	char *bad = g_build_filename(tmpdir, "bad", NULL);
	char *f1 = g_build_filename(en, "digest", NULL);
	char *f2 = g_build_filename(en, "digest-html", NULL);
	struct pd_err err = { 0, "" };
	struct pd_digest d = *full;
	struct pd_conf *conf;
	struct pd_buf out;

	g_mkdir_with_parents(en, 0700);
	g_file_set_contents(f1, "{{queue}}\n{{#breached}}unclosed\n", -1,
	    NULL);
	g_file_set_contents(f2, "<p>{{price}}</p>\n", -1, NULL);
	conf = conf_new(bad, "en");
	d.queue = &conf->queues[0];
	pd_buf_init(&out, 1 << 20);
	is_int(pd_digest_render_text(conf, &d, "en", &out, &err), PD_EINVAL,
	    "unclosed section: PD_EINVAL");
	ok(has(err.msg, "/bad/en/digest"), "and the file is named: %s",
	    err.msg);
	is_int(pd_digest_render_html(conf, &d, "ru", &out, &err), PD_EINVAL,
	    "unknown name (ru falls back to en): PD_EINVAL");
	ok(has(err.msg, "price") && has(err.msg, "digest-html"),
	    "and the name and file are named: %s", err.msg);
	is_int(pd_digest_build_mail(conf, &d, "boss@example.com", "x@y",
	    SINCE, &out, &err), PD_EINVAL, "the mail fails with its template");
	pd_conf_unref(&conf);
	d.queue = NULL;
	is_int(pd_digest_render_text(NULL, &d, "en", &out, &err), PD_EINVAL,
	    "a digest without a queue: PD_EINVAL");
	pd_buf_free(&out);
	g_unlink(f1);
	g_unlink(f2);
	g_rmdir(en);
	g_rmdir(bad);
	g_free(f1);
	g_free(f2);
	g_free(en);
	g_free(bad);
}

/* test_bad_recipient - a header injection through the recipient */
static void
test_bad_recipient(const struct pd_conf *conf, const struct pd_digest *d)
{
	struct pd_err err = { 0, "" };
	struct pd_buf out;

	pd_buf_init(&out, 1 << 23);
	is_int(pd_digest_build_mail(conf, d, "boss@example.com\r\nBcc: x@y",
	    "digest-2@example.com", SINCE, &out, &err), PD_EINVAL,
	    "a recipient with CR/LF is refused");
	ok(out.len == 0, "and nothing is written");
	pd_buf_free(&out);
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	struct pd_digest d = { 0 };
	struct pd_conf *conf;
	char *tdir, *t, *h;

	if (top == NULL) {
		printf("1..0 # SKIP top_srcdir not set\n");
		return 0;
	}
	tmpdir = g_dir_make_tmp("test_digest.XXXXXX", NULL);
	tdir = g_build_filename(top, "templates", NULL);
	pd_mime_init();
	test_span();
	conf = conf_new(tdir, "en");
	if (!ok(conf != NULL, "configuration with the shipped templates"))
		return tap_done();
	test_days(&conf->queues[0]);
	fill(&d, &conf->queues[0]);
	t = render(conf, &d, "en", false);
	test_text_en(t);
	h = render(conf, &d, "en", true);
	test_html(h, "<html lang=\"en\">");
	pd_free(t);
	pd_free(h);
	t = render(conf, &d, "ru", false);
	test_text_ru(t);
	h = render(conf, &d, "ru_RU.UTF-8", true);
	test_html(h, "Сводка SLA");
	ok(has(h, "<i>не назначен</i>"),
	    "html: Russian, owner unassigned");
	pd_free(t);
	pd_free(h);
	test_empty(conf);
	test_mail(conf, &d, "en", "SLA digest: Example Support, 21–22 Nov");
	test_bad_recipient(conf, &d);
	test_errors(&d);
	pd_digest_clear(&d);
	pd_conf_unref(&conf);
	conf = conf_new(tdir, "ru");
	fill(&d, &conf->queues[0]);
	test_mail(conf, &d, "ru", "Сводка SLA: Служба "
	    "поддержки, "
	    "21–22 ноября");
	pd_digest_clear(&d);
	pd_conf_unref(&conf);
	g_rmdir(tmpdir);
	g_free(tmpdir);
	g_free(tdir);
	pd_mime_shutdown();
	return tap_done();
}
