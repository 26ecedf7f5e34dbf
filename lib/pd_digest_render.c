/*
 * pd_digest_render.c - the SLA digest as text and as HTML, by template
 *
 * PURPOSE	pd_digest_render_text(), pd_digest_render_html() and
 *		pd_digest_format_span(): the words and numbers of a computed
 *		struct pd_digest.  Computing the figures is pd_digest.c's
 *		job, composing the mail pd_digest_mail.c's.
 * DESIGN	One value tree serves both templates, digest (text/plain)
 *		and digest-html.  The C side writes what needs arithmetic,
 *		a calendar or a table of words: spans, shares, bar widths,
 *		dates in the zone of the queue's policy, priority and status
 *		words.  The templates hold every sentence, including the
 *		footnotes that define the figures, so an admin can reword
 *		them without a build.
 *		Shares: part / whole rounded to a whole percent, except that
 *		"100%" means exactly all and "0%" exactly none (199 of 200
 *		shows as 99%, 1 of 1000 as 1%); "—" when whole is 0, so an
 *		empty period divides nothing.  A bar is pct (the share,
 *		0..100, for the width of an HTML table cell), fill and rest
 *		(whether each of the two cells is drawn) and bar (BAR_WIDTH
 *		characters of '#' and '.' for the text part).
 *		Text from customers and agents (subjects, addresses, owner,
 *		comments) is made valid UTF-8; control characters become
 *		spaces, runs of spaces one, bidi overrides are dropped (they
 *		could make a line read backwards), and each value is capped.
 *		The text part gets subject_line, the subject cut to fit one
 *		78-column line after "  TAG ", and comments wrapped at
 *		COMMENT_WIDTH columns; the HTML template gets whole values
 *		and the engine escapes them (PD_TMPL_ESCAPE_HTML), both
 *		render with PD_TMPL_SINGLE_LINE as a second guard.
 *		The names a template may use are digest_names[] below:
 *		  queue period now timezone warn opened complaints
 *		  breached still at_risk (ticket lists), their sizes
 *		  n_breached n_still n_at_risk, more_breached more_still
 *		  more_at_risk (left out of a long list, or "") and
 *		  has_breached has_still
 *		  has_at_risk (true when not empty); a ticket: tag subject
 *		  subject_line customer age priority status first_response
 *		  resolution (which target) over left owner ("" when
 *		  nobody) breached_at
 *		  times (list: first response, then resolution): count
 *		  within median p90 any + a bar
 *		  reopen: count of share any
 *		  csat: answers top scale top_from top_one any + a bar of
 *		  the top grades; grades (list, best first): grade count +
 *		  a bar; comments (list): tag grade text lines
 *		  backlog: total any; ages (list): count under_1d d1_3 d3_7
 *		  over_7d + a bar
 *		  a bar: share pct fill rest bar
 * OWNERSHIP	The renderers append to the caller's buffer (which
 *		pd_tmpl_render() empties on failure); the value tree and
 *		the template live for one call.
 * ERRORS	PD_EINVAL with err for a digest without a queue, or a
 *		template that does not load, uses an unknown name or does
 *		not fit in out.  Never logs.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <limits.h>
#include <string.h>

#include <glib.h>

#include "pd_csat.h"
#include "pd_digest.h"
#include "pd_digest_impl.h"
#include "pd_tmpl.h"

#define BAR_WIDTH		20	/* characters of a text bar */
#define TEXT_WIDTH		78	/* columns of a text line */
#define COMMENT_WIDTH		68	/* columns of a comment's line */
#define COMMENT_LINES		12	/* lines of a comment, at most */
#define SUBJECT_MAX		300	/* characters kept of a subject */
#define ADDRESS_MAX		100	/* ... of an address or owner */
#define COMMENT_MAX		1500	/* ... of a comment */
#define LANG_MAX		32	/* bytes of a template language */

static const char *const digest_names[] = {
	"queue", "period", "now", "timezone", "warn", "opened",
	"complaints", "breached", "still", "at_risk", "n_breached",
	"n_still", "n_at_risk", "has_breached", "has_still", "has_at_risk",
	"more_breached", "more_still", "more_at_risk",
	"tag", "subject", "subject_line", "customer", "age", "priority",
	"status", "first_response", "resolution", "over", "left", "owner",
	"breached_at",
	"times", "count", "within", "median", "p90", "any", "reopen", "of",
	"csat", "answers", "top", "scale", "top_from", "top_one", "grades",
	"grade", "comments", "text", "lines", "backlog", "total", "ages",
	"under_1d", "d1_3", "d3_7", "over_7d",
	"share", "pct", "fill", "rest", "bar", ".",
	NULL,
};

static const char *const wday_en[7] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
};
static const char *const wday_ru[7] = {
	"пн", "вт", "ср", "чт", "пт",
	"сб", "вс",
};
static const char *const month_en[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec",
};
/* Genitive, as a date is written: "21 ноября". */
static const char *const month_ru[12] = {
	"января", "февраля", "марта",
	"апреля", "мая", "июня", "июля",
	"августа", "сентября",
	"октября", "ноября", "декабря",
};
static const char *const prio_en[PD_PRIO_COUNT] = {
	"low", "normal", "high", "urgent",
};
static const char *const prio_ru[PD_PRIO_COUNT] = {
	"низкий", "обычный", "высокий",
	"срочный",
};
static const char *const status_en[] = {
	"new", "open", "pending", "resolved",
};
/* Neuter, agreeing with "обращение". */
static const char *const status_ru[] = {
	"новое", "открыто",
	"ждёт ответа клиента", "решено",
};

/* Which list a ticket is drawn for. */
enum digest_kind {
	KIND_BREACHED,
	KIND_STILL,
	KIND_AT_RISK,
};

/* What every value needs to know: the language and the zone. */
struct digest_words {
	bool		 ru;
	GTimeZone	*tz;
};

/* pd_digest_lang_ru - see pd_digest_impl.h */
bool
pd_digest_lang_ru(const char *lang)
{
	return lang != NULL && g_ascii_strncasecmp(lang, "ru", 2) == 0 &&
	    (lang[2] == '\0' || lang[2] == '_' || lang[2] == '-' ||
	    lang[2] == '.');
}

/*
 * pd_digest_format_span - a span of seconds for a person.  The rule:
 * negative counts as 0; m is the seconds rounded to the nearest minute
 * (30 s rounds up).  m under 60: minutes, "0m", "45m".  m under 1440
 * (a day of 24 h): hours and two-digit minutes, "2h 05m", "23h 59m".
 * Otherwise the seconds are rounded to the nearest hour (30 min rounds
 * up) and written as days of 24 h and hours, "1d 0h", "3d 4h": a "d" is
 * 24 hours of the span, never a business day.
 */
void
pd_digest_format_span(long seconds, char *buf, size_t size)
{
	pd_digest_span_lang(seconds, false, buf, size);
}

/* pd_digest_span_lang - see pd_digest_impl.h */
void
pd_digest_span_lang(long seconds, bool ru, char *buf, size_t size)
{
	long s = seconds < 0 ? 0 : seconds > LONG_MAX / 2 ? LONG_MAX / 2 :
	    seconds;
	long m = (s + 30) / 60;
	long h = (s + 1800) / 3600;

	if (m < 60)
		g_snprintf(buf, size, ru ? "%ld мин" : "%ldm", m);
	else if (m < 24 * 60)
		g_snprintf(buf, size, ru ? "%ld ч %02ld мин" :
		    "%ldh %02ldm", m / 60, m % 60);
	else
		g_snprintf(buf, size, ru ? "%ld дн. %ld ч" : "%ldd %ldh",
		    h / 24, h % 24);
}

/* digest_local - instant t as a local time in tz; NULL when out of range */
static GDateTime *
digest_local(int64_t t, GTimeZone *tz)
{
	GDateTime *utc = g_date_time_new_from_unix_utc(t);
	GDateTime *local;

	if (utc == NULL)
		return NULL;
	local = g_date_time_to_timezone(utc, tz);
	g_date_time_unref(utc);
	return local;
}

/* digest_when - "Sat 21 Nov 09:00", "сб, 21 ноября, 09:00"; "?" if out
 * of range */
static void
digest_when(int64_t t, const struct digest_words *w, char *buf,
    size_t size)
{
	GDateTime *dt = digest_local(t, w->tz);
	int wd, mon;

	if (dt == NULL) {
		g_strlcpy(buf, "?", size);
		return;
	}
	wd = g_date_time_get_day_of_week(dt) - 1;
	mon = g_date_time_get_month(dt) - 1;
	g_snprintf(buf, size, w->ru ? "%s, %d %s, %02d:%02d" :
	    "%s %d %s %02d:%02d", w->ru ? wday_ru[wd] : wday_en[wd],
	    g_date_time_get_day_of_month(dt), w->ru ? month_ru[mon] :
	    month_en[mon], g_date_time_get_hour(dt),
	    g_date_time_get_minute(dt));
	g_date_time_unref(dt);
}

/* pd_digest_days - see pd_digest_impl.h */
void
pd_digest_days(const struct pd_digest *d, GTimeZone *tz, bool ru,
    char *buf, size_t size)
{
	GDateTime *a = digest_local(d->since, tz);
	GDateTime *b = digest_local(d->until > d->since ? d->until - 1 :
	    d->since, tz);
	const char *const *months = ru ? month_ru : month_en;
	int ma, mb;

	buf[0] = '\0';
	if (a != NULL && b != NULL) {
		ma = g_date_time_get_month(a) - 1;
		mb = g_date_time_get_month(b) - 1;
		if (g_date_time_get_year(a) == g_date_time_get_year(b) &&
		    ma == mb && g_date_time_get_day_of_month(a) ==
		    g_date_time_get_day_of_month(b))
			g_snprintf(buf, size, "%d %s",
			    g_date_time_get_day_of_month(a), months[ma]);
		else if (g_date_time_get_year(a) == g_date_time_get_year(b) &&
		    ma == mb)
			g_snprintf(buf, size, "%d–%d %s",
			    g_date_time_get_day_of_month(a),
			    g_date_time_get_day_of_month(b), months[ma]);
		else
			g_snprintf(buf, size, "%d %s – %d %s",
			    g_date_time_get_day_of_month(a), months[ma],
			    g_date_time_get_day_of_month(b), months[mb]);
	}
	if (a != NULL)
		g_date_time_unref(a);
	if (b != NULL)
		g_date_time_unref(b);
}

/* digest_bidi - a character that reorders the text around it */
static bool
digest_bidi(gunichar c)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x200e || c == 0x200f || c == 0x061c;
}

/*
 * digest_clean - s as valid UTF-8 on one line: controls become spaces,
 * runs of spaces one, bidi controls go, at most max characters ("…"
 * marks a cut), no space at either end.  g_free() the result.
 */
static char *
digest_clean(const char *s, long max)
{
	char *valid = g_utf8_make_valid(s != NULL ? s : "", -1);
	GString *out = g_string_new(NULL);
	const char *p;
	gunichar c;
	long n = 0;

	for (p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		c = g_utf8_get_char(p);
		if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 ||
		    c == 0x2029)
			c = ' ';
		if (digest_bidi(c) || (c == ' ' && (out->len == 0 ||
		    out->str[out->len - 1] == ' ')))
			continue;
		if (n++ == max) {
			g_string_append(out, "…");
			break;
		}
		g_string_append_unichar(out, c);
	}
	g_free(valid);
	return g_strchomp(g_string_free(out, FALSE));
}

/* digest_cols - columns a character takes on a terminal */
static int
digest_cols(gunichar c)
{
	if (g_unichar_iszerowidth(c))
		return 0;
	return g_unichar_iswide(c) ? 2 : 1;
}

/* digest_width - columns of a UTF-8 string */
static int
digest_width(const char *s)
{
	int col = 0;

	for (; *s != '\0'; s = g_utf8_next_char(s))
		col += digest_cols(g_utf8_get_char(s));
	return col;
}

/*
 * digest_cut - s cut to width columns, "…" marking a cut: after the last
 * whole word when that keeps more than half the width, else inside the
 * word; g_free() it
 */
static char *
digest_cut(const char *s, int width)
{
	GString *out;
	size_t word_end = 0;
	int col = 0, w;

	if (digest_width(s) <= width)
		return g_strdup(s);
	out = g_string_new(NULL);
	for (; *s != '\0'; s = g_utf8_next_char(s)) {
		w = digest_cols(g_utf8_get_char(s));
		if (col + w > width - 1)
			break;
		if (*s == ' ' && col > width / 2)
			word_end = out->len;
		g_string_append_len(out, s, g_utf8_next_char(s) - s);
		col += w;
	}
	if (*s != ' ' && word_end > 0)
		g_string_truncate(out, word_end);
	g_string_append(out, "…");
	return g_string_free(out, FALSE);
}

/* The state of a wrap: the line being filled and the lines so far. */
struct digest_wrap {
	struct pd_tmpl_val	*list;
	GString			*line;
	int			 col;
	int			 lines;
};

/*
 * wrap_flush - the current line to the list and start another; false
 * (and nothing done) when the current line is the last one allowed, which
 * stays open for the "…" of a cut
 */
static bool
wrap_flush(struct digest_wrap *wr)
{
	if (wr->lines + 1 >= COMMENT_LINES)
		return false;
	pd_tmpl_list_append_str(wr->list, wr->line->str);
	g_string_truncate(wr->line, 0);
	wr->col = 0;
	wr->lines++;
	return true;
}

/* wrap_word - append the word [w, end) of wc columns; false when full */
static bool
wrap_word(struct digest_wrap *wr, const char *w, const char *end, int wc)
{
	int cw;

	if (wr->col > 0 && wr->col + 1 + wc > COMMENT_WIDTH &&
	    !wrap_flush(wr))
		return false;
	if (wr->col > 0) {
		g_string_append_c(wr->line, ' ');
		wr->col++;
	}
	for (; w < end; w = g_utf8_next_char(w)) {
		cw = digest_cols(g_utf8_get_char(w));
		if (wr->col + cw > COMMENT_WIDTH && !wrap_flush(wr))
			return false;
		g_string_append_len(wr->line, w, g_utf8_next_char(w) - w);
		wr->col += cw;
	}
	return true;
}

/*
 * digest_wrap - clean text s as lines of at most COMMENT_WIDTH columns,
 * at most COMMENT_LINES, appended to list; a word wider than a line is
 * split, a comment longer than the lines ends in "…"
 */
static void
digest_wrap(struct pd_tmpl_val *list, const char *s)
{
	struct digest_wrap wr = { list, g_string_new(NULL), 0, 0 };
	const char *w;
	int wc;

	while (*s != '\0') {
		if (*s == ' ') {
			s++;
			continue;
		}
		for (w = s, wc = 0; *s != '\0' && *s != ' ';
		    s = g_utf8_next_char(s))
			wc += digest_cols(g_utf8_get_char(s));
		if (!wrap_word(&wr, w, s, wc)) {
			g_string_append(wr.line, "…");
			break;
		}
	}
	if (wr.line->len > 0 || wr.lines == 0)
		pd_tmpl_list_append_str(list, wr.line->str);
	g_string_free(wr.line, TRUE);
}

/* digest_set_clean - key of obj = s cleaned and capped at max */
static void
digest_set_clean(struct pd_tmpl_val *obj, const char *key, const char *s,
    long max)
{
	char *c = digest_clean(s, max);

	pd_tmpl_obj_set_str(obj, key, c);
	g_free(c);
}

/* digest_set_long - key of obj = v in decimal */
static void
digest_set_long(struct pd_tmpl_val *obj, const char *key, long v)
{
	char num[24];

	g_snprintf(num, sizeof(num), "%ld", v);
	pd_tmpl_obj_set_str(obj, key, num);
}

/* digest_set_span - key of obj = seconds as a span in the language */
static void
digest_set_span(struct pd_tmpl_val *obj, const char *key, long seconds,
    const struct digest_words *w)
{
	char span[PD_DIGEST_WORD_MAX];

	pd_digest_span_lang(seconds, w->ru, span, sizeof(span));
	pd_tmpl_obj_set_str(obj, key, span);
}

/* digest_set_when - key of obj = instant t as a local date and time */
static void
digest_set_when(struct pd_tmpl_val *obj, const char *key, int64_t t,
    const struct digest_words *w)
{
	char when[PD_DIGEST_WORD_MAX];

	digest_when(t, w, when, sizeof(when));
	pd_tmpl_obj_set_str(obj, key, when);
}

/* digest_bar - share, pct, fill, rest and bar of obj: part of whole */
static void
digest_bar(struct pd_tmpl_val *obj, long part, long whole)
{
	char share[16];
	char bar[BAR_WIDTH + 1];
	long p = 0;
	long n;

	if (whole > 0 && part > 0) {
		p = part >= whole ? 100 : (part * 100 + whole / 2) / whole;
		if (p >= 100 && part < whole)
			p = 99;
		if (p < 1)
			p = 1;
	}
	if (whole > 0)
		g_snprintf(share, sizeof(share), "%ld%%", p);
	else
		g_strlcpy(share, "—", sizeof(share));
	n = (p * BAR_WIDTH + 50) / 100;
	if (n == 0 && p > 0)
		n = 1;
	memset(bar, '#', (size_t)n);
	memset(bar + n, '.', (size_t)(BAR_WIDTH - n));
	bar[BAR_WIDTH] = '\0';
	pd_tmpl_obj_set_str(obj, "share", share);
	digest_set_long(obj, "pct", p);
	pd_tmpl_obj_set_bool(obj, "fill", p > 0);
	pd_tmpl_obj_set_bool(obj, "rest", p < 100);
	pd_tmpl_obj_set_str(obj, "bar", bar);
}

/* digest_ticket - one ticket of a list, drawn as a kind */
static void
digest_ticket(struct pd_tmpl_val *list, const struct pd_digest_ticket *t,
    enum digest_kind kind, const struct digest_words *w)
{
	struct pd_tmpl_val *item = pd_tmpl_list_append_obj(list);
	char *raw = g_strndup(t->tag, sizeof(t->tag));
	char *tag = digest_clean(raw, PD_TAG_MAX);
	char *subject = digest_clean(t->subject, SUBJECT_MAX);
	char *line = digest_cut(subject, TEXT_WIDTH - 3 - digest_width(tag));
	bool first = t->target == PD_DIGEST_FIRST_RESPONSE;

	g_free(raw);
	pd_tmpl_obj_set_str(item, "tag", tag);
	pd_tmpl_obj_set_str(item, "subject", subject);
	pd_tmpl_obj_set_str(item, "subject_line", line);
	digest_set_clean(item, "customer", t->customer, ADDRESS_MAX);
	digest_set_clean(item, "owner", t->owner, ADDRESS_MAX);
	digest_set_span(item, "age", (long)t->age, w);
	pd_tmpl_obj_set_str(item, "priority", t->priority < PD_PRIO_COUNT ?
	    (w->ru ? prio_ru : prio_en)[t->priority] : "?");
	pd_tmpl_obj_set_str(item, "status", t->status <= PD_TS_RESOLVED ?
	    (w->ru ? status_ru : status_en)[t->status] : "?");
	pd_tmpl_obj_set_bool(item, "first_response", first);
	pd_tmpl_obj_set_bool(item, "resolution", !first);
	if (kind == KIND_AT_RISK) {
		pd_tmpl_obj_set_str(item, "over", "");
		digest_set_span(item, "left", t->open_time, w);
	} else {
		digest_set_span(item, "over", t->open_time, w);
		pd_tmpl_obj_set_str(item, "left", "");
	}
	if (kind == KIND_BREACHED && t->breached_at > 0)
		digest_set_when(item, "breached_at", t->breached_at, w);
	else
		pd_tmpl_obj_set_str(item, "breached_at", "");
	g_free(tag);
	g_free(subject);
	g_free(line);
}

/*
 * digest_list - ticket list l under key (its first PD_DIGEST_SHOWN, the
 * number left out under "more_" key), its size under "n_" key and
 * whether it has any under "has_" key (a list section would repeat)
 */
static void
digest_list(struct pd_tmpl_val *ctx, const char *key,
    const struct pd_digest_list *l, enum digest_kind kind,
    const struct digest_words *w)
{
	struct pd_tmpl_val *list = pd_tmpl_obj_add_list(ctx, key);
	char name[PD_DIGEST_WORD_MAX];
	size_t i;

	for (i = 0; i < l->n && i < PD_DIGEST_SHOWN; i++)
		digest_ticket(list, &l->v[i], kind, w);
	g_snprintf(name, sizeof(name), "more_%s", key);
	if (l->n > PD_DIGEST_SHOWN)
		digest_set_long(ctx, name, (long)(l->n - PD_DIGEST_SHOWN));
	else
		pd_tmpl_obj_set_str(ctx, name, "");
	g_snprintf(name, sizeof(name), "n_%s", key);
	digest_set_long(ctx, name, (long)l->n);
	g_snprintf(name, sizeof(name), "has_%s", key);
	pd_tmpl_obj_set_bool(ctx, name, l->n > 0);
}

/* digest_times - one time figure as an item of list times */
static void
digest_times(struct pd_tmpl_val *list, const struct pd_digest_times *tm,
    bool first, const struct digest_words *w)
{
	struct pd_tmpl_val *item = pd_tmpl_list_append_obj(list);
	bool any = tm->count > 0;

	pd_tmpl_obj_set_bool(item, "first_response", first);
	pd_tmpl_obj_set_bool(item, "resolution", !first);
	digest_set_long(item, "count", tm->count);
	digest_set_long(item, "within", tm->within);
	if (any) {
		digest_set_span(item, "median", tm->p50, w);
		digest_set_span(item, "p90", tm->p90, w);
	} else {
		pd_tmpl_obj_set_str(item, "median", "—");
		pd_tmpl_obj_set_str(item, "p90", "—");
	}
	pd_tmpl_obj_set_bool(item, "any", any);
	digest_bar(item, tm->within, tm->count);
}

/* digest_figures - opened, complaints, times and reopen rate */
static void
digest_figures(struct pd_tmpl_val *ctx, const struct pd_digest *d,
    const struct digest_words *w)
{
	struct pd_tmpl_val *times = pd_tmpl_obj_add_list(ctx, "times");
	struct pd_tmpl_val *reopen = pd_tmpl_obj_add_obj(ctx, "reopen");

	digest_set_long(ctx, "opened", d->opened);
	digest_set_long(ctx, "complaints", d->complaints);
	digest_times(times, &d->first_response, true, w);
	digest_times(times, &d->resolution, false, w);
	digest_set_long(reopen, "count", d->reopened);
	digest_set_long(reopen, "of", d->resolution.count);
	pd_tmpl_obj_set_bool(reopen, "any", d->resolution.count > 0);
	digest_bar(reopen, d->reopened, d->resolution.count);
}

/* digest_comments - the survey comments, whole and wrapped */
static void
digest_comments(struct pd_tmpl_val *ctx, const struct pd_digest *d)
{
	struct pd_tmpl_val *list = pd_tmpl_obj_add_list(ctx, "comments");
	struct pd_tmpl_val *item;
	char *text, *tag;
	size_t i;

	for (i = 0; i < d->n_comments; i++) {
		item = pd_tmpl_list_append_obj(list);
		tag = g_strndup(d->comments[i].tag, sizeof(d->comments[i].tag));
		digest_set_clean(item, "tag", tag, PD_TAG_MAX);
		digest_set_long(item, "grade", d->comments[i].grade);
		text = digest_clean(d->comments[i].text, COMMENT_MAX);
		pd_tmpl_obj_set_str(item, "text", text);
		digest_wrap(pd_tmpl_obj_add_list(item, "lines"), text);
		g_free(text);
		g_free(tag);
	}
}

/* digest_csat - answers, the share of top grades, grades, comments */
static void
digest_csat(struct pd_tmpl_val *ctx, const struct pd_digest *d)
{
	struct pd_tmpl_val *csat = pd_tmpl_obj_add_obj(ctx, "csat");
	struct pd_tmpl_val *grades = pd_tmpl_obj_add_list(ctx, "grades");
	struct pd_tmpl_val *item;
	int scale = d->csat_grades;
	int top, g;

	if (scale < 1 || scale > PD_DIGEST_GRADES_MAX)
		scale = PD_DIGEST_GRADES_MAX;
	top = pd_csat_top_grade(scale);
	digest_set_long(csat, "answers", d->csat_answers);
	digest_set_long(csat, "top", d->csat_top);
	digest_set_long(csat, "scale", scale);
	digest_set_long(csat, "top_from", top);
	pd_tmpl_obj_set_bool(csat, "top_one", top == scale);
	pd_tmpl_obj_set_bool(csat, "any", d->csat_answers > 0);
	digest_bar(csat, d->csat_top, d->csat_answers);
	for (g = scale; g >= 1; g--) {
		item = pd_tmpl_list_append_obj(grades);
		digest_set_long(item, "grade", g);
		digest_set_long(item, "count", d->csat_by_grade[g]);
		digest_bar(item, d->csat_by_grade[g], d->csat_answers);
	}
	digest_comments(ctx, d);
}

/* digest_backlog - the open tickets, by age class */
static void
digest_backlog(struct pd_tmpl_val *ctx, const struct pd_digest *d)
{
	static const char *const classes[PD_DIGEST_AGES] = {
		"under_1d", "d1_3", "d3_7", "over_7d",
	};
	struct pd_tmpl_val *backlog = pd_tmpl_obj_add_obj(ctx, "backlog");
	struct pd_tmpl_val *ages = pd_tmpl_obj_add_list(ctx, "ages");
	struct pd_tmpl_val *item;
	int i, j;

	digest_set_long(backlog, "total", d->backlog);
	pd_tmpl_obj_set_bool(backlog, "any", d->backlog > 0);
	for (i = 0; i < PD_DIGEST_AGES; i++) {
		item = pd_tmpl_list_append_obj(ages);
		for (j = 0; j < PD_DIGEST_AGES; j++)
			pd_tmpl_obj_set_bool(item, classes[j], i == j);
		digest_set_long(item, "count", d->backlog_by_age[i]);
		digest_bar(item, d->backlog_by_age[i], d->backlog);
	}
}

/* digest_context - the value tree of d in the words of w */
static struct pd_tmpl_val *
digest_context(const struct pd_digest *d, const struct digest_words *w)
{
	const struct pd_conf_queue *q = d->queue;
	const char *zone = q->sla->timezone ? q->sla->timezone : "UTC";
	struct pd_tmpl_val *ctx = pd_tmpl_obj_new();
	char a[PD_DIGEST_WORD_MAX], b[PD_DIGEST_WORD_MAX];
	char period[3 * PD_DIGEST_WORD_MAX + 16];

	digest_set_clean(ctx, "queue", q->display_name ? q->display_name :
	    q->name, ADDRESS_MAX);
	digest_when(d->since, w, a, sizeof(a));
	digest_when(d->until, w, b, sizeof(b));
	g_snprintf(period, sizeof(period), "%s %s %s (%.*s)", a,
	    w->ru ? "—" : "–", b, PD_DIGEST_WORD_MAX, zone);
	pd_tmpl_obj_set_str(ctx, "period", period);
	digest_set_when(ctx, "now", d->now, w);
	pd_tmpl_obj_set_str(ctx, "timezone", zone);
	digest_set_span(ctx, "warn", q->sla->warn_before, w);
	digest_list(ctx, "breached", &d->breached, KIND_BREACHED, w);
	digest_list(ctx, "still", &d->still, KIND_STILL, w);
	digest_list(ctx, "at_risk", &d->at_risk, KIND_AT_RISK, w);
	digest_figures(ctx, d, w);
	digest_csat(ctx, d);
	digest_backlog(ctx, d);
	return ctx;
}

/* digest_plain - a name pd_tmpl_load() accepts as a language */
static bool
digest_plain(const char *lang)
{
	size_t n = strspn(lang, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	return n > 0 && n <= LANG_MAX && lang[n] == '\0' && lang[0] != '-';
}

/*
 * digest_render - template name in lang (NULL: the queue's; "ru_RU..."
 * counts as ru) rendered for d with flags, appended to out
 */
static int
digest_render(const struct pd_conf *conf, const struct pd_digest *d,
    const char *lang, const char *name, int flags, struct pd_buf *out,
    struct pd_err *err)
{
	struct pd_err why = { 0, "" };
	struct digest_words w = { false, NULL };
	struct pd_tmpl_val *ctx = NULL;
	struct pd_tmpl *t = NULL;
	int rc = PD_EINVAL;

	if (d->queue == NULL || d->queue->sla == NULL)
		return pd_err_set(err, PD_EINVAL, "digest: no queue");
	if (lang == NULL)
		lang = d->queue->language;
	w.ru = pd_digest_lang_ru(lang);
	if (w.ru)
		lang = "ru";
	else if (lang == NULL || !digest_plain(lang))
		lang = "en";
	t = pd_tmpl_load(conf->templates, lang, name, &why);
	if (t == NULL || pd_tmpl_check_names(t, digest_names, &why) !=
	    PD_OK) {
		pd_err_set(err, PD_EINVAL, "%s", why.msg);
		goto out;
	}
	w.tz = d->queue->sla->tz != NULL ? g_time_zone_ref(d->queue->sla->tz) :
	    g_time_zone_new_utc();
	ctx = digest_context(d, &w);
	if (pd_tmpl_render(t, ctx, flags, out) != PD_OK) {
		pd_err_set(err, PD_EINVAL, "%s: the digest does not render "
		    "(longer than %zu bytes?)", pd_tmpl_path_get(t), out->max);
		goto out;
	}
	rc = PD_OK;
out:
	if (w.tz != NULL)
		g_time_zone_unref(w.tz);
	pd_tmpl_val_free(&ctx);
	pd_tmpl_free(&t);
	return rc;
}

/* pd_digest_render_text - see pd_digest.h */
int
pd_digest_render_text(const struct pd_conf *conf, const struct pd_digest *d,
    const char *lang, struct pd_buf *out, struct pd_err *err)
{
	return digest_render(conf, d, lang, "digest", PD_TMPL_SINGLE_LINE,
	    out, err);
}

/* pd_digest_render_html - see pd_digest.h */
int
pd_digest_render_html(const struct pd_conf *conf, const struct pd_digest *d,
    const char *lang, struct pd_buf *out, struct pd_err *err)
{
	return digest_render(conf, d, lang, "digest-html",
	    PD_TMPL_ESCAPE_HTML | PD_TMPL_SINGLE_LINE, out, err);
}
